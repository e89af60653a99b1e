/*
 * session.c - the config, the project, the provider and the actual state,
 * loaded once, disposed once (session.h).
 */
#include "session.h"

#include "adopt.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- the provider, kept while the connection stays the same ---- */

/* What identifies the connection (never printed: it holds secrets). */
static char *connection_key(const pc_config *c)
{
	return pc_sprintf("%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", c->target ? c->target : "",
			  c->local_state ? c->local_state : "", c->organization_id ? c->organization_id : "",
			  c->environment_id ? c->environment_id : "", c->principal ? c->principal : "",
			  c->flink.endpoint ? c->flink.endpoint : "", c->flink.api_key ? c->flink.api_key : "",
			  c->flink.api_secret ? c->flink.api_secret : "",
			  c->flink_compute_pool_id ? c->flink_compute_pool_id : "",
			  c->flink_catalog ? c->flink_catalog : "", c->flink_database ? c->flink_database : "",
			  c->kafka.endpoint ? c->kafka.endpoint : "", c->kafka.api_key ? c->kafka.api_key : "",
			  c->kafka.api_secret ? c->kafka.api_secret : "", c->kafka_cluster_id ? c->kafka_cluster_id : "",
			  c->cloud.endpoint ? c->cloud.endpoint : "", c->cloud.api_key ? c->cloud.api_key : "",
			  c->cloud.api_secret ? c->cloud.api_secret : "");
}

/* Free the config the provider borrowed when it is not the one in force. */
static void drop_prov_config(pc_session *s)
{
	if (s->prov_config != s->config)
		pc_config_free(s->prov_config);
	s->prov_config = NULL;
}

void pc_session_close_provider(pc_session *s)
{
	pc_actual_free(s->act);
	s->act = NULL;
	pc_provider_free(s->prov);
	s->prov = NULL;
	drop_prov_config(s);
	free(s->prov_key);
	s->prov_key = NULL;
}

/* Open the provider for cfg (borrowed by it; s->config or about to become it). */
static int open_provider(pc_session *s, pc_config *cfg)
{
	int rc;

	if ((rc = pc_provider_open(&s->prov, cfg)) < 0) {
		s->prov = NULL;
		return rc;
	}
	s->prov_config = cfg;
	s->prov_key = connection_key(cfg);
	return 0;
}

/* ---- a command's session: the tree and the API pages read together ---- */

typedef struct fetch_job {
	pc_provider *prov;
	const pc_config *cfg;
	pc_actual *act;
	int rc;
	pc_error_state err; /* the error is thread-local: saved there, restored here */
} fetch_job;

static void *fetch_main(void *arg)
{
	fetch_job *j = arg;
	j->rc = pc_actual_load_cfg(&j->act, j->prov, j->cfg);
	if (j->rc < 0)
		pc_error_save(&j->err);
	return NULL;
}

int pc_session_open_target(pc_session *s, const char *root, const char *config_path)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = pc_config_find(&s->config, root, config_path, NULL)) < 0)
		return rc;
	return open_provider(s, s->config);
}

int pc_session_load(pc_session *s, const char *root, const char *config_path, pc_session_gate gate,
		    void *ctx)
{
	fetch_job job;
	pthread_t th;
	int rc, started;

	memset(&job, 0, sizeof(job));
	if ((rc = pc_session_open_target(s, root, config_path)) < 0)
		return rc;
	if (gate && (rc = gate(ctx, s->prov, s->config)) < 0)
		return rc;
	/* Both threads only read the config. */
	job.prov = s->prov;
	job.cfg = s->config;
	started = pthread_create(&th, NULL, fetch_main, &job) == 0;
	if (!started)
		fetch_main(&job); /* no thread to be had: one after the other */
	rc = pc_project_load_from(&s->proj, s->config, NULL);
	if (started)
		pthread_join(th, NULL);
	s->act = job.act;
	if (rc < 0) {
		pc_error_state_free(&job.err);
		return rc;
	}
	if (job.rc < 0)
		return pc_error_restore(&job.err);
	return pc_adopt_mark(s->act, s->proj); /* table.yaml `adopt:` keys */
}

/* ---- the loop's session ---- */

int pc_session_same_target(const pc_session *s, const pc_config *cfg)
{
	char *key = connection_key(cfg);
	int same = s->prov && s->prov_key && strcmp(key, s->prov_key) == 0;
	free(key);
	return same;
}

int pc_session_set_desired(pc_session *s, pc_config *cfg, pc_project *proj, int *reconnected)
{
	char *key = connection_key(cfg);
	int same = s->prov && s->prov_key && strcmp(key, s->prov_key) == 0;
	pc_config *old = s->config;
	int rc;

	free(key);
	if (reconnected)
		*reconnected = 0;
	pc_actual_free(s->act);
	s->act = NULL;
	if (!same) {
		if (reconnected)
			*reconnected = 1;
		pc_session_close_provider(s);
		if ((rc = open_provider(s, cfg)) < 0) {
			pc_project_free(proj);
			pc_config_free(cfg);
			return rc;
		}
	}
	/* The provider keeps the config it was opened with: keep that one alive. */
	pc_project_free(s->proj);
	s->proj = proj;
	s->config = cfg;
	if (old && old != s->prov_config)
		pc_config_free(old);
	return 0;
}

int pc_session_read_actual(pc_session *s)
{
	int rc;

	pc_actual_free(s->act);
	s->act = NULL;
	if (!s->prov)
		return pc_error_set(PC_EINVALID, "session: no provider open");
	if ((rc = pc_actual_load_cfg(&s->act, s->prov, s->config)) < 0)
		return rc;
	return pc_adopt_mark(s->act, s->proj); /* table.yaml `adopt:` keys */
}

void pc_session_dispose(pc_session *s)
{
	if (!s)
		return;
	pc_session_close_provider(s);
	pc_project_free(s->proj);
	pc_config_free(s->config);
	memset(s, 0, sizeof(*s));
}
