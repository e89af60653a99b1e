/*
 * sim_externals.c - the declared external tables of a project (`externals:`
 * of pipectl.yaml, docs/manifest-format.md) in the simulation: the local target and the
 * emulator create each one that has a DDL and is missing, as the topic a CDC
 * connector or another team would have made (no statement: on Confluent
 * these topics exist before any Flink statement reads them).
 */
#include "sim.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/fs.h"

#include <stdlib.h>
#include <string.h>

int pc_sim_seed_externals(pc_sim *s, int64_t now, const pc_config *cfg, int *created)
{
	const char *root = cfg && cfg->root && cfg->root[0] ? cfg->root : ".";
	int rc = 0;

	if (created)
		*created = 0;
	if (!cfg)
		return 0;
	pc_sim_tick(s, now);
	for (size_t i = 0; i < cfg->externals.len && rc == 0; i++) {
		const pc_external_cfg *x = cfg->externals.items[i];
		const char *base;
		char *path, *text = NULL;
		size_t len = 0;
		pc_sim_stmt *st;

		if (!x->ddl)
			continue;
		base = strrchr(x->name, '.');
		base = base ? base + 1 : x->name;
		if (pc_map_get(&s->topics, base))
			continue;
		path = x->ddl[0] == '/' ? pc_strdup(x->ddl) : pc_path_join(root, x->ddl);
		if (pc_fs_read(&text, &len, path) < 0) {
			rc = pc_error_set(PC_EINVALID, "external table '%s': could not read its DDL '%s'", x->name, x->ddl);
			free(path);
			break;
		}
		free(path);
		st = pc_sim__stmt_new();
		st->sql = text;
		pc_sim__analyze(st);
		if (st->op != PC_SIM_OP_CREATE || !st->op_table || strcmp(st->op_table, base) != 0) {
			rc = pc_error_set(PC_EINVALID, "external table '%s': its DDL '%s' does not create it", x->name, x->ddl);
		} else {
			pc_sim__topic_add(s, base, st->op_partitions, st->op_upsert, s->now_ms);
			if (created)
				(*created)++;
		}
		pc_sim__stmt_free(st);
	}
	return rc;
}
