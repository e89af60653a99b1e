/*
 * fuzz_sim_state.c - the simulation's state file loader (local target,
 * emulator --state) over arbitrary bytes: whatever loads must run on (events,
 * offsets, listing, audit) and survive a save and a reload.
 */
#include "providers/sim.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pc_sim *s = NULL, *t = NULL;
	pc_sim_options o = { 0 };
	pc_buf b = PC_BUF_INIT, audit = PC_BUF_INIT;
	pc_vec page = PC_VEC_INIT;
	char *next = NULL;

	if (pc_sim_new(&s, &o) != 0 || pc_sim_new(&t, &o) != 0)
		abort();
	if (pc_sim_load_json(s, (const char *)data, size, "fuzz") == 0) {
		int64_t later = s->now_ms + 3600 * 1000;
		pc_sim_tick(s, later);
		for (size_t i = 0; i < s->env_list.len; i++) {
			pc_sim_env *e = s->env_list.items[i];
			page.len = 0;
			pc_sim_list_statements(s, later, e->id, NULL, NULL, 100, &page, &next);
			free(next);
			next = NULL;
			for (size_t j = 0; j < page.len; j++) {
				pc_sim_stmt *st = page.items[j];
				pc_buf_clear(&audit);
				pc_sim_audit_json(s, later, e->id, st->name, &audit);
			}
			pc_buf_clear(&audit);
			pc_sim_env_audit_json(s, later, e->id, &audit);
		}
		pc_buf_clear(&audit);
		pc_sim_topics_json(s, later, &audit);
		pc_sim_save_json(s, &b);
		if (pc_sim_load_json(t, b.ptr, b.len, "saved") != 0)
			abort(); /* what we save we must load */
	}
	pc_vec_dispose(&page, NULL);
	pc_buf_dispose(&b);
	pc_buf_dispose(&audit);
	pc_sim_free(s);
	pc_sim_free(t);
	return 0;
}
