/*
 * sim_obj.c - the simulation's objects: creation, freeing, reset.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sim_int.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* ---- objects ---- */

pc_sim_stmt *pc_sim__stmt_new(void)
{
	return PC_NEW(pc_sim_stmt);
}

static void input_free(void *p)
{
	pc_sim_input *in = p;
	if (!in)
		return;
	free(in->topic);
	free(in->from);
	free(in->pos);
	free(in);
}

static void output_free(void *p)
{
	pc_sim_output *o = p;
	if (!o)
		return;
	free(o->topic);
	free(o);
}

void pc_sim__exception_free(void *p)
{
	pc_sim_exception *x = p;
	if (!x)
		return;
	free(x->name);
	free(x->message);
	free(x);
}

void pc_sim__stmt_free(void *p)
{
	pc_sim_stmt *st = p;
	if (!st)
		return;
	free(st->org);
	free(st->env);
	free(st->name);
	free(st->sql);
	free(st->uid);
	free(st->compute_pool_id);
	free(st->principal);
	pc_kv_dispose(&st->properties);
	pc_kv_dispose(&st->labels);
	free(st->detail);
	free(st->sql_kind);
	free(st->op_table);
	pc_vec_dispose(&st->reads, free);
	pc_vec_dispose(&st->writes, free);
	free(st->carry_from);
	pc_vec_dispose(&st->inputs, input_free);
	pc_vec_dispose(&st->outputs, output_free);
	pc_kv_dispose(&st->latest_offsets);
	pc_vec_dispose(&st->exceptions, pc_sim__exception_free);
	free(st->json_cache);
	free(st->json_cache_base);
	free(st);
}

void pc_sim__topic_free(void *p)
{
	pc_sim_topic *t = p;
	if (!t)
		return;
	free(t->name);
	free(t);
}

void pc_sim__pool_free(void *p)
{
	pc_sim_pool *pl = p;
	if (!pl)
		return;
	free(pl->id);
	free(pl->env);
	free(pl->display_name);
	free(pl->cloud);
	free(pl->region);
	free(pl);
}

void pc_sim__writers_free(void *p)
{
	pc_vec *v = p;
	if (!v)
		return;
	pc_vec_dispose(v, NULL);
	free(v);
}

void pc_sim__env_free(void *p)
{
	pc_sim_env *e = p;
	if (!e)
		return;
	free(e->id);
	pc_map_dispose(&e->stmts, pc_sim__stmt_free);
	pc_vec_dispose(&e->sorted, NULL);
	pc_map_dispose(&e->archive, pc_sim__stmt_free);
	pc_vec_dispose(&e->waiting, NULL);
	pc_vec_dispose(&e->pools, pc_sim__pool_free);
	free(e);
}

/* Frees the simulated world (environments, topics, indexes, timer heap); the options stay. */
static void dispose_world(pc_sim *s)
{
	pc_map_dispose(&s->envs, pc_sim__env_free);
	pc_vec_dispose(&s->env_list, NULL);
	pc_map_dispose(&s->topics, pc_sim__topic_free);
	pc_map_dispose(&s->writers, pc_sim__writers_free);
	pc_map_dispose(&s->by_id, NULL);
	pc_vec_dispose(&s->lingering, NULL);
	free(s->heap);
}

void pc_sim__reset(pc_sim *s)
{
	dispose_world(s);
	s->heap = NULL;
	s->heap_len = s->heap_cap = 0;
	pc_map_init(&s->envs);
	pc_map_init(&s->topics);
	pc_map_init(&s->writers);
	pc_map_init(&s->by_id);
	s->next_id = 1;
	s->next_incarnation = 1;
	s->now_ms = 0;
}

static int compile_re(const char *pattern, const char *opt_name, void **out)
{
	int err;
	size_t off;

	*out = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	if (!*out) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		return pc_error_set(PC_EUSAGE, "invalid %s pattern at offset %zu: %s", opt_name, off, (char *)msg);
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} lenient_names[] = {
	{ "labels-update", PC_SIM_LENIENT_LABELS_UPDATE },
	{ "labels-prefix", PC_SIM_LENIENT_LABELS_PREFIX },
	{ "create-stopped", PC_SIM_LENIENT_CREATE_STOPPED },
	{ "stop-any", PC_SIM_LENIENT_STOP_ANY },
	{ "properties-update", PC_SIM_LENIENT_PROPERTIES },
};

int pc_sim_lenient_parse(const char *list, unsigned *out)
{
	const char *p = list ? list : "";

	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		int found = 0;
		if (n == 3 && strncmp(p, "all", 3) == 0) {
			for (size_t i = 0; i < sizeof(lenient_names) / sizeof(lenient_names[0]); i++)
				*out |= lenient_names[i].bit;
			found = 1;
		}
		for (size_t i = 0; !found && i < sizeof(lenient_names) / sizeof(lenient_names[0]); i++)
			if (strlen(lenient_names[i].name) == n && strncmp(p, lenient_names[i].name, n) == 0) {
				*out |= lenient_names[i].bit;
				found = 1;
			}
		if (!found && n > 0)
			return pc_error_set(PC_EUSAGE,
					    "unknown lenient behaviour '%.*s' (known: labels-update, labels-prefix, "
					    "create-stopped, stop-any, properties-update, all)",
					    (int)n, p);
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int pc_sim_new(pc_sim **out, const pc_sim_options *opt)
{
	pc_sim *s = PC_NEW(pc_sim);
	pc_sim_options o = { 0 };
	int rc = 0;

	*out = NULL;
	if (opt)
		o = *opt;
	s->cluster_id = pc_strdup(o.cluster_id && *o.cluster_id ? o.cluster_id : "lkc-local");
	s->opt = o;
	s->opt.cluster_id = s->cluster_id;
	if (s->opt.ddl_ms <= 0)
		s->opt.ddl_ms = opt && opt->ddl_ms < 0 ? 0 : 200;
	if (s->opt.pending_ms <= 0)
		s->opt.pending_ms = opt && opt->pending_ms < 0 ? 0 : 300;
	if (s->opt.produce_rate < 0)
		s->opt.produce_rate = 0;
	else if (s->opt.produce_rate == 0 && !(opt && opt->produce_rate < 0))
		s->opt.produce_rate = 10;
	if (s->opt.topic_linger_ms == 0)
		s->opt.topic_linger_ms = PC_SIM_TOPIC_LINGER_MS_DEFAULT;
	else if (s->opt.topic_linger_ms < 0)
		s->opt.topic_linger_ms = 0;
	if (s->opt.carry_timeout_ms <= 0)
		s->opt.carry_timeout_ms = PC_SIM_CARRY_TIMEOUT_MS_DEFAULT;
	if (o.fail_statement && *o.fail_statement) {
		s->fail_pattern = pc_strdup(o.fail_statement);
		if ((rc = compile_re(o.fail_statement, "--fail-statement", &s->fail_re)) != 0)
			goto done;
	}
	s->opt.fail_statement = s->fail_pattern;
	s->opt.fail_pool = NULL;
	if (o.fail_pool && *o.fail_pool && (rc = compile_re(o.fail_pool, "--fail-pool", &s->fail_pool_re)) != 0)
		goto done;
	s->opt.hold = NULL;
	if (o.hold && *o.hold && pc_sim_hold(s, 0, NULL, o.hold) != 0) {
		char *why = pc_strdup(pc_error_last());
		rc = pc_error_set(PC_EUSAGE, "--hold: %s", why);
		free(why);
		goto done;
	}
	pc_sim__reset(s);
	*out = s;
	s = NULL;
done:
	pc_sim_free(s);
	return rc;
}

void pc_sim_free(pc_sim *s)
{
	if (!s)
		return;
	dispose_world(s);
	pc_sim__holds_free(s);
	if (s->fail_re)
		pcre2_code_free(s->fail_re);
	if (s->fail_pool_re)
		pcre2_code_free(s->fail_pool_re);
	free(s->fail_pattern);
	free(s->cluster_id);
	free(s);
}
