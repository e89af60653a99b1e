/*
 * fuzz_state.c - the local target over an arbitrary state file
 * (.pipectl/local-state.json): the bytes are written to a state file, the
 * local provider opens it and runs what plan and apply do (list, get,
 * exceptions, topics, pools, create, stop, delete). A file that does not
 * load must fail every operation with an error naming the file; one that
 * loads must survive the operations, be saved, and load again.
 * (fuzz_sim_state.c fuzzes the loader alone, without the provider.)
 */
#include "providers/provider.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE "state.json"
#define MAX_TOUCHED 16 /* statements read one by one per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir, *path, *lock_path;

static void cleanup(void)
{
	unlink(path);
	unlink(lock_path);
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *tmpl = pc_sprintf("%s/pc-fuzz-state-XXXXXX", tmp);
	if (!mkdtemp(tmpl))
		abort();
	dir = tmpl;
	path = pc_sprintf("%s/%s", dir, STATE);
	lock_path = pc_sprintf("%s.lock", path);
	/* no flusher delays worth waiting for, no DDL latency */
	setenv("PIPECTL_LOCAL_DDL_MS", "0", 1);
	setenv("PIPECTL_LOCAL_PENDING_MS", "0", 1);
	atexit(cleanup);
}

static void error_names_file(void)
{
	const char *m = pc_error_last();
	if (!m || !strstr(m, STATE))
		abort();
}

static void exercise(pc_provider *p, pc_vec *stmts)
{
	pc_vec v = PC_VEC_INIT;
	pc_statement *st = NULL, *made = NULL;
	pc_topic *t = NULL;
	pc_pool *pool = NULL;
	pc_statement_spec spec = { 0 };
	pc_pool_spec ps = { "fuzz-pool", "AWS", "local", 5 };

	p->ops->list_topics(p, &v);
	if (v.len) {
		const char *name = ((pc_topic *)v.items[0])->name;
		if (p->ops->get_topic(p, name, &t) == 0 && (!t || strcmp(t->name, name) != 0))
			abort();
		pc_topic_free(t);
	}
	pc_vec_dispose(&v, pc_topic_free);
	p->ops->list_pools(p, &v);
	for (size_t i = 0; i < v.len; i++) {
		pool = NULL;
		p->ops->get_pool(p, ((pc_pool *)v.items[i])->id, &pool);
		pc_pool_free(pool);
	}
	pc_vec_dispose(&v, pc_pool_free);
	for (size_t i = 0; i < stmts->len && i < MAX_TOUCHED; i++) {
		const pc_statement *s = stmts->items[i];
		st = NULL;
		if (p->ops->get_statement(p, s->name, &st) == 0) {
			p->ops->list_exceptions(p, s->name, &v);
			pc_vec_dispose(&v, pc_statement_exception_free);
			if (i == 0) { /* stop or resume the first one */
				st->stopped = !st->stopped;
				p->ops->update_statement(p, st);
			}
		}
		pc_statement_free(st);
	}
	if (stmts->len > 1)
		p->ops->delete_statement(p, ((pc_statement *)stmts->items[1])->name);
	spec.name = "fuzz-new-dml";
	spec.sql = "INSERT INTO `fuzz_out` SELECT * FROM `fuzz_in`";
	if (p->ops->create_statement(p, &spec, &made) == 0)
		pc_statement_free(made);
	spec.name = "fuzz-new-ddl";
	spec.sql = "CREATE TABLE `fuzz_in` (id INT) WITH ('connector' = 'faker')";
	made = NULL;
	if (p->ops->create_statement(p, &spec, &made) == 0)
		pc_statement_free(made);
	pool = NULL;
	if (p->ops->create_pool(p, &ps, &pool) == 0)
		pc_pool_free(pool);
	p->ops->list_topics(p, &v);
	if (v.len)
		p->ops->delete_topic(p, ((pc_topic *)v.items[v.len - 1])->name);
	pc_vec_dispose(&v, pc_topic_free);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pc_config cfg;
	pc_provider *p = NULL;
	pc_vec stmts = PC_VEC_INIT;
	int rc;

	if (!dir)
		setup();
	unlink(lock_path);
	if (pc_fs_write_atomic(path, (const char *)data, size) != 0)
		abort();
	memset(&cfg, 0, sizeof cfg);
	cfg.root = dir;
	cfg.local_state = STATE;
	if (pc_local_open(&p, &cfg) != 0)
		abort();
	rc = p->ops->list_statements(p, &stmts);
	if (rc != 0) {
		error_names_file();
		if (p->ops->list_topics(p, &stmts) == 0)
			abort(); /* a file that does not load is an error for every operation */
		error_names_file();
	} else {
		exercise(p, &stmts);
	}
	pc_vec_dispose(&stmts, pc_statement_free);
	pc_provider_free(p);
	if (rc == 0) {
		/* what the provider saved, it loads */
		if (pc_local_open(&p, &cfg) != 0)
			abort();
		if (p->ops->list_statements(p, &stmts) != 0)
			abort();
		pc_vec_dispose(&stmts, pc_statement_free);
		pc_provider_free(p);
	}
	return 0;
}
