/*
 * fuzz_plan.c - the saved plan reader (apply PLANFILE, pc_plan_read_json)
 * over arbitrary bytes. A plan that reads must be whole (every action has a
 * table, a reason and a known kind; the summary counts the actions), be
 * found by table, and write back to JSON that reads again and writes the
 * same bytes (a plan saved from a loaded plan is that plan). A plan that does
 * not read leaves nothing behind and an error naming the plan file.
 */
#include "reconcile/plan.h"
#include "util/buf.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_whole(const pc_plan *p)
{
	int sum = 0;
	for (int k = 0; k < PC_ACT__COUNT; k++)
		sum += p->summary[k];
	if ((size_t)sum != p->actions.len || strlen(p->state_fingerprint) != 32)
		abort();
	for (size_t i = 0; i < p->actions.len; i++) {
		const pc_action *a = p->actions.items[i];
		if (!a->table || !a->reason || (int)a->kind < 0 || a->kind >= PC_ACT__COUNT)
			abort();
		if (!pc_plan_find(p, a->table))
			abort();
		for (size_t j = 0; j < a->steps.len; j++) {
			const pc_step *s = a->steps.items[j];
			if ((int)s->kind < 0 || s->kind >= PC_STEP__COUNT || !pc_step_kind_str(s->kind))
				abort();
			if (s->kind != PC_STEP_CREATE_POOL && !s->statement)
				abort();
		}
	}
	(void)pc_plan_has_changes(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pc_plan *p = NULL, *q = NULL;
	pc_buf a = PC_BUF_INIT, b = PC_BUF_INIT;

	if (pc_plan_read_json(&p, (const char *)data, size) != 0) {
		const char *m = pc_error_last();
		if (p || !m || strncmp(m, "plan file: ", 11) != 0)
			abort();
		return 0;
	}
	check_whole(p);
	pc_plan_write_json(p, &a);
	if (pc_plan_read_json(&q, a.ptr, a.len) != 0)
		abort(); /* what we write we must read */
	check_whole(q);
	pc_plan_write_json(q, &b);
	if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
		abort(); /* write(read(write(p))) == write(p) */
	pc_buf_dispose(&a);
	pc_buf_dispose(&b);
	pc_plan_free(p);
	pc_plan_free(q);
	return 0;
}
