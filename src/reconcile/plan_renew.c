/*
 * plan_renew.c - keeping the DDL record of a table without DML alive
 * (docs/reconcile.md, "Keeping the DDL record alive").
 *
 * Such a table's only record of its DDL is its completed DDL statement,
 * which Confluent deletes 30 days after it ended; without it, a DDL change
 * in git can no longer be seen. While the record still proves the table
 * matches git, the plan issues the same DDL again as CREATE TABLE IF NOT
 * EXISTS under a new name (the table is left as it is) and, once that
 * completed, deletes the old record. The action stays a noop: `renew` says
 * what it maintains.
 */
#include "plan_int.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/timeutil.h"

#include <stdio.h>

#define DAY_MS (24LL * 3600 * 1000)
#include <stdlib.h>
#include <string.h>

/* "21 days", "3 h", "5 min", "4 s". */
static void fmt_age(char *out, size_t n, int64_t ms)
{
	int64_t s = ms / 1000;
	if (s >= 86400)
		snprintf(out, n, "%lld day%s", (long long)(s / 86400), s / 86400 == 1 ? "" : "s");
	else if (s >= 3600)
		snprintf(out, n, "%lld h", (long long)(s / 3600));
	else if (s >= 60)
		snprintf(out, n, "%lld min", (long long)(s / 60));
	else
		snprintf(out, n, "%lld s", (long long)(s < 0 ? 0 : s));
}

static int same_fp(const pc_actual_stmt *s, const pc_table *t)
{
	return s->ddl_fp && !strcmp(s->ddl_fp, t->ddl_fingerprint);
}

/* Age of a statement from its created_at, or -1 when unknown. */
static int64_t age_of(const pc_actual_stmt *s, int64_t now)
{
	int64_t at = pc_parse_iso8601_ms(s->st->created_at);
	return at > 0 ? now - at : -1;
}

/*
 * The new record's name: nonce "renew <old record's name>" (then "… 1",
 * "… 2" while taken), so renewals form a chain that never gives a deleted
 * record's name out again, and two plans of one state agree.
 */
static char *renewal_name(pc_planner *pl, const pc_table *t, const pc_actual_stmt *rec)
{
	char *name = NULL;
	for (unsigned gen = 0;; gen++) {
		char *nonce = gen ? pc_sprintf("renew %s %u", rec->st->name, gen) : pc_sprintf("renew %s", rec->st->name);
		name = pc_naming_statement(pl->prefix, PC_NAME_DDL, t->name, t->ddl_fingerprint, nonce);
		free(nonce);
		if (!pc_actual_stmt_get(pl->act, name) && !pc_map_has(&pl->names, name))
			break;
		free(name);
	}
	pc_map_put(&pl->names, name, NULL);
	return name;
}

static void add_delete(pc_action *a, const char *name)
{
	pc_vec_push(&a->steps, pc_step_new(PC_STEP_DELETE_STATEMENT, name, a->table));
}

int pc_plan_renew(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at)
{
	int64_t now = pc_wall_ms(), after = pc_config_renew_ddl_after_ms(pl->cfg), age;
	const pc_actual_stmt *rec = NULL, *inflight = NULL;
	pc_vec due = PC_VEC_INIT; /* const pc_actual_stmt *: past the threshold, older than rec */
	char age_s[32], expires[64];
	int64_t left;
	pc_step *s;
	size_t i;

	if (a->kind != PC_ACT_NOOP || a->refused || pl->opt->dml_only || !at || !at->topic_exists ||
	    pc_table_is_view(t) || pc_table_has_dml(t) || !t->active || !pc_steps_ddl_renewable(t))
		return 0;
	/* an unfinished run has business with this table: the plan finishes that first */
	if (pc_map_has(&pl->act->journal_actions, t->name))
		return 0;
	/* the records of the table as it is now: DDL statements newer than any DROP */
	for (i = 0; i < at->ddls.len; i++) {
		const pc_actual_stmt *d = at->ddls.items[i];
		if (d->kind == PC_NAME_DROP)
			break;
		if (d->kind != PC_NAME_DDL || !same_fp(d, t))
			continue;
		if (!rec && d->st->ph == PC_PHASE_COMPLETED) {
			rec = d;
		} else if (!rec && !inflight && !pc_phase_terminal(d->st->ph) && !pc_phase_failed(d->st->ph) &&
			   d->st->ph != PC_PHASE_UNKNOWN) {
			inflight = d; /* an interrupted renewal's new record */
		} else if (rec && d->st->ph == PC_PHASE_COMPLETED && (age = age_of(d, now)) >= after) {
			pc_vec_push(&due, (void *)d);
		}
	}
	/* the record proves the table matches git (else the ordinary rules apply) and its age is known */
	if (!rec || !at->ddl_fp || strcmp(at->ddl_fp, t->ddl_fingerprint) || (age = age_of(rec, now)) < 0)
		goto done;
	fmt_age(age_s, sizeof(age_s), age);
	/* whole days, as the age says them: 21 days old expires in 9 days */
	left = (PC_STATEMENT_RETENTION_MS - age) / DAY_MS + ((PC_STATEMENT_RETENTION_MS - age) % DAY_MS != 0);
	if (age >= PC_STATEMENT_RETENTION_MS)
		snprintf(expires, sizeof(expires), "past Confluent's 30 days");
	else
		snprintf(expires, sizeof(expires), "expires in %lld day%s", (long long)left, left == 1 ? "" : "s");
	if (age >= after) {
		/* renew: the same DDL under a new name (or the one an interrupted renewal left in flight) */
		pc_plan_resolve_pool(pl, a, t, at);
		pc_steps_record_ddl(pl, a, t);
		s = a->steps.items[a->steps.len - 1];
		free(s->statement);
		if (inflight) {
			s->statement = pc_strdup(inflight->st->name);
			pc_map_put(&pl->names, s->statement, NULL);
		} else {
			s->statement = renewal_name(pl, t, rec);
		}
		add_delete(a, rec->st->name);
		for (i = 0; i < due.len; i++)
			add_delete(a, ((const pc_actual_stmt *)due.items[i])->st->name);
		a->renew = pc_strdup(PC_RENEW_DDL_RECORD);
		free(a->reason);
		if (inflight)
			a->reason = pc_sprintf("DDL record '%s' from %.10s is %s old (%s): finishing its renewal: wait for "
					       "'%s', then delete it",
					       rec->st->name, rec->st->created_at, age_s, expires, inflight->st->name);
		else
			a->reason = pc_sprintf("DDL record '%s' from %.10s is %s old (%s): the same DDL again as CREATE "
					       "TABLE IF NOT EXISTS under a new name, then delete it",
					       rec->st->name, rec->st->created_at, age_s, expires);
	} else if (due.len) {
		/* a renewal stopped between its new record and the delete of the old one */
		for (i = 0; i < due.len; i++)
			add_delete(a, ((const pc_actual_stmt *)due.items[i])->st->name);
		a->renew = pc_strdup(PC_RENEW_DDL_RECORD);
		free(a->reason);
		a->reason = pc_sprintf("DDL record '%s' is renewed by '%s': delete the older one%s",
				       ((const pc_actual_stmt *)due.items[0])->st->name, rec->st->name,
				       due.len > 1 ? "s" : "");
	}
done:
	pc_vec_dispose(&due, NULL);
	return 0;
}
