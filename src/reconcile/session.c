#include "snapshot.h"

#include "../util/error.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct fetch_job {
	pc_provider *prov;
	const pc_config *cfg;
	pc_actual *act;
	int rc;
	char msg[1024]; /* the error is thread-local: carried back by copy */
} fetch_job;

static void *fetch_main(void *arg)
{
	fetch_job *j = arg;
	j->rc = pc_actual_load_cfg(&j->act, j->prov, j->cfg);
	if (j->rc < 0)
		snprintf(j->msg, sizeof(j->msg), "%s", pc_error_last());
	return NULL;
}

int pc_snapshot_load(pc_snapshot *s, const char *root, const char *config_path)
{
	return pc_snapshot_load_gated(s, root, config_path, NULL, NULL);
}

int pc_snapshot_load_gated(pc_snapshot *s, const char *root, const char *config_path,
			   pc_snapshot_gate gate, void *ctx)
{
	pc_config *cfg = NULL;
	fetch_job job;
	pthread_t th;
	int rc, started;

	memset(s, 0, sizeof(*s));
	memset(&job, 0, sizeof(job));
	if ((rc = pc_config_load(&s->prov_cfg, root, config_path)) < 0)
		return rc;
	if ((rc = pc_provider_open(&s->prov, s->prov_cfg)) < 0)
		return rc;
	if (gate && (rc = gate(ctx, s->prov, s->prov_cfg)) < 0)
		return rc;
	/* The project's own copy: pc_project_load_from() takes it, and frees it on failure. */
	if ((rc = pc_config_load(&cfg, root, config_path)) < 0)
		return rc;
	job.prov = s->prov;
	job.cfg = s->prov_cfg;
	started = pthread_create(&th, NULL, fetch_main, &job) == 0;
	if (!started)
		fetch_main(&job); /* no thread to be had: one after the other */
	rc = pc_project_load_from(&s->proj, cfg, NULL);
	if (started)
		pthread_join(th, NULL);
	s->act = job.act;
	if (rc < 0)
		return rc;
	if (job.rc < 0)
		return pc_error_set(job.rc, "%s", job.msg);
	return 0;
}

void pc_snapshot_dispose(pc_snapshot *s)
{
	if (!s)
		return;
	pc_actual_free(s->act);
	pc_provider_free(s->prov);
	pc_project_free(s->proj);
	pc_config_free(s->prov_cfg);
	memset(s, 0, sizeof(*s));
}
