/*
 * cmd_status.c - `pipectl status [--json]` (docs/cli.md): per desired
 * table, whether its table exists, its DML statement and phase, in sync or
 * not and why (all of the current version: green when there is one); the
 * blue/green versions with their roles (docs/blue-green.md); then what
 * pipectl manages that git no longer has.
 *
 * One snapshot (statement pages + topic list); one exceptions request per
 * FAILED statement, for its latest message. Exit 0, or 1 on an error.
 */
#include "args.h"
#include "cli.h"
#include "color.h"
#include "common.h"

#include "../reconcile/plan.h"
#include "../reconcile/versions.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct row {
	const pc_table *t;
	const pc_versioned_table *vt; /* its versions present, or NULL */
	int exists;
	const char *dml;
	const char *phase;
	pc_phase ph;
	int in_sync;
	char *reason;
} row;

/* "FAILED: <latest exception>" when the provider has one. */
static void failed_reason(pc_provider *prov, row *r)
{
	pc_vec ex = PC_VEC_INIT;
	if (!r->dml || !pc_phase_failed(r->ph))
		return;
	if (prov->ops->list_exceptions(prov, r->dml, &ex) == 0 && ex.len) {
		const pc_statement_exception *e = ex.items[0];
		if (e->message && *e->message) {
			free(r->reason);
			r->reason = pc_sprintf("FAILED: %s", e->message);
		}
	}
	pc_error_clear();
	pc_vec_dispose(&ex, pc_statement_exception_free);
}

/*
 * Orphans: managed statements of tables git no longer has (or of no known
 * table), and their topics; the same tables `plan --prune` would drop.
 */
static int known_table(void *ctx, const char *name)
{
	return pc_project_table(ctx, name) != NULL;
}

/* 1 when physical is a version of a desired table ("int_orders_v2" of int_orders). */
static int desired_version(const pc_project *proj, const char *physical)
{
	char *logical = NULL;
	int version = 1, yes;
	pc_naming_version_parse(physical, known_table, (void *)proj, &logical, &version);
	yes = logical && pc_project_table(proj, logical) != NULL;
	free(logical);
	return yes;
}

static void collect_orphans(const pc_project *proj, const pc_actual *act, pc_vec *stmts, pc_vec *topics)
{
	size_t i, j;
	for (i = 0; i < act->tables.len; i++) {
		const pc_actual_table *at = act->tables.items[i];
		if (desired_version(proj, at->name) || (!at->dmls.len && !at->ddls.len))
			continue;
		/* only finished DDL/DROP statements of a table already gone: they expire */
		if (!at->topic_exists && !at->dmls.len)
			continue;
		for (j = 0; j < at->dmls.len; j++)
			pc_vec_push(stmts, (void *)((const pc_actual_stmt *)at->dmls.items[j])->st->name);
		for (j = 0; j < at->ddls.len; j++)
			pc_vec_push(stmts, (void *)((const pc_actual_stmt *)at->ddls.items[j])->st->name);
		if (at->topic_exists)
			pc_vec_push(topics, (void *)at->name);
	}
	for (i = 0; i < act->stmts.len; i++) {
		const pc_actual_stmt *s = act->stmts.items[i];
		if (s->managed && !s->table)
			pc_vec_push(stmts, (void *)s->st->name);
	}
	pc_vec_sort_str(stmts);
}

static void put_json_str_or_null(pc_buf *b, const char *s)
{
	if (s)
		pc_buf_put_json_str(b, s);
	else
		pc_buf_puts(b, "null");
}

/*
 * ,"serving":…,"current":…,"versions":[{"physical","version","role","exists",
 * "dml_statement","phase"}]: every version present, ascending; role blue,
 * green, superseded or current (the only one).
 */
static void put_json_versions(pc_buf *b, const row *r)
{
	const pc_version *serving = pc_versions_serving(r->vt), *current = pc_versions_current(r->vt);
	pc_buf_puts(b, ",\"serving\":");
	pc_buf_put_json_str(b, serving ? serving->physical : r->t->name);
	pc_buf_puts(b, ",\"current\":");
	pc_buf_put_json_str(b, current ? current->physical : r->t->name);
	pc_buf_puts(b, ",\"versions\":[");
	for (size_t k = 0; r->vt && k < r->vt->versions.len; k++) {
		const pc_version *v = r->vt->versions.items[k];
		const pc_actual_stmt *dml = v->at ? v->at->dml : NULL;
		pc_buf_puts(b, k ? ",{\"physical\":" : "{\"physical\":");
		pc_buf_put_json_str(b, v->physical);
		pc_buf_printf(b, ",\"version\":%d,\"role\":", v->version);
		pc_buf_put_json_str(b, pc_versions_role(r->vt, v));
		pc_buf_printf(b, ",\"exists\":%s,\"dml_statement\":", pc_actual_exists(v->at, r->t) ? "true" : "false");
		put_json_str_or_null(b, dml ? dml->st->name : NULL);
		pc_buf_puts(b, ",\"phase\":");
		put_json_str_or_null(b, dml ? dml->st->phase : NULL);
		pc_buf_putc(b, '}');
	}
	pc_buf_putc(b, ']');
}

static size_t count_green(const row *rows, size_t n)
{
	size_t g = 0;
	for (size_t i = 0; i < n; i++)
		g += pc_versions_green(rows[i].vt) != NULL;
	return g;
}

static void put_json(pc_buf *b, const row *rows, size_t n, const pc_vec *ost, const pc_vec *otp)
{
	size_t i;
	pc_buf_printf(b, "{\"format_version\":\"1\",\"green_pending\":%zu,\"tables\":[", count_green(rows, n));
	for (i = 0; i < n; i++) {
		const row *r = &rows[i];
		pc_buf_puts(b, i ? ",\n" : "\n");
		pc_buf_puts(b, "{\"name\":");
		pc_buf_put_json_str(b, r->t->name);
		pc_buf_printf(b, ",\"exists\":%s,\"dml_statement\":", r->exists ? "true" : "false");
		put_json_str_or_null(b, r->dml);
		pc_buf_puts(b, ",\"phase\":");
		put_json_str_or_null(b, r->phase);
		pc_buf_printf(b, ",\"in_sync\":%s,\"reason\":", r->in_sync ? "true" : "false");
		put_json_str_or_null(b, r->reason);
		pc_buf_printf(b, ",\"active\":%s", r->t->active ? "true" : "false");
		put_json_versions(b, r);
		pc_buf_putc(b, '}');
	}
	pc_buf_puts(b, "],\n\"orphans\":{\"statements\":[");
	for (i = 0; i < ost->len; i++) {
		if (i)
			pc_buf_putc(b, ',');
		pc_buf_put_json_str(b, ost->items[i]);
	}
	pc_buf_puts(b, "],\"topics\":[");
	for (i = 0; i < otp->len; i++) {
		if (i)
			pc_buf_putc(b, ',');
		pc_buf_put_json_str(b, otp->items[i]);
	}
	pc_buf_puts(b, "]}}\n");
}

/*
 * The tables whose physical names are not their git names: two or more
 * versions (blue serves, green is the candidate), or one version that is
 * not v1 (a promoted green). Readers of the topics read these names.
 */
static void put_text_versions(pc_buf *b, const row *rows, size_t n)
{
	size_t wn = 5, wp = 8, wd = 3, shown = 0, green = count_green(rows, n);
	for (size_t i = 0; i < n; i++) {
		const pc_versioned_table *vt = rows[i].vt;
		if (!vt || (vt->versions.len == 1 && pc_versions_current(vt)->version == 1))
			continue;
		shown++;
		if (strlen(rows[i].t->name) > wn)
			wn = strlen(rows[i].t->name);
		for (size_t k = 0; k < vt->versions.len; k++) {
			const pc_version *v = vt->versions.items[k];
			if (strlen(v->physical) > wp)
				wp = strlen(v->physical);
			if (v->at && v->at->dml && strlen(v->at->dml->st->name) > wd)
				wd = strlen(v->at->dml->st->name);
		}
	}
	if (!shown)
		return;
	pc_buf_printf(b, "\nVersions (blue serves readers until promote; green is the candidate; current: the only one):\n");
	pc_buf_printf(b, "%-*s  %-10s  %-*s  %-6s  %-*s  %s\n", (int)wn, "TABLE", "ROLE", (int)wp, "PHYSICAL", "EXISTS",
		      (int)wd, "DML", "PHASE");
	for (size_t i = 0; i < n; i++) {
		const pc_versioned_table *vt = rows[i].vt;
		if (!vt || (vt->versions.len == 1 && pc_versions_current(vt)->version == 1))
			continue;
		for (size_t k = 0; k < vt->versions.len; k++) {
			const pc_version *v = vt->versions.items[k];
			const pc_actual_stmt *dml = v->at ? v->at->dml : NULL;
			pc_buf_printf(b, "%-*s  %-10s  %-*s  %-6s  %-*s  %s\n", (int)wn, k ? "" : rows[i].t->name,
				      pc_versions_role(vt, v), (int)wp, v->physical,
				      pc_actual_exists(v->at, rows[i].t) ? "yes" : "no", (int)wd, dml ? dml->st->name : "-",
				      dml && dml->st->phase ? dml->st->phase : "-");
		}
	}
	if (green)
		pc_buf_printf(b, "\n%zu table%s with a green version: 'pipectl promote SELECTOR' retires blue once green "
				 "is RUNNING, 'pipectl rollback SELECTOR' retires green.\n",
			      green, green == 1 ? "" : "s");
}

static void put_text(pc_buf *b, const row *rows, size_t n, const pc_vec *ost, const pc_vec *otp)
{
	size_t i, wn = 5, wd = 3, wp = 5, in_sync = 0;
	for (i = 0; i < n; i++) {
		size_t l = strlen(rows[i].t->name);
		if (l > wn)
			wn = l;
		if (rows[i].dml && strlen(rows[i].dml) > wd)
			wd = strlen(rows[i].dml);
		if (rows[i].phase && strlen(rows[i].phase) > wp)
			wp = strlen(rows[i].phase);
		in_sync += rows[i].in_sync != 0;
	}
	pc_buf_printf(b, "%-*s  %-6s  %-*s  %-*s  %s\n", (int)wn, "TABLE", "EXISTS", (int)wd, "DML", (int)wp, "PHASE",
		      "SYNC");
	for (i = 0; i < n; i++) {
		const row *r = &rows[i];
		pc_buf_printf(b, "%-*s  %-6s  %-*s  %-*s  %s%s%s%s%s%s\n", (int)wn, r->t->name, r->exists ? "yes" : "no",
			      (int)wd, r->dml ? r->dml : "-", (int)wp, r->phase ? r->phase : "-",
			      pc_color(stdout, r->in_sync ? PC_COLOR_GREEN : PC_COLOR_YELLOW),
			      r->in_sync ? "in sync" : "out of sync", pc_color(stdout, PC_COLOR_RESET), r->reason ? " (" : "",
			      r->reason ? r->reason : "", r->reason ? ")" : "");
	}
	pc_buf_printf(b, "\n%zu of %zu table%s in sync.\n", in_sync, n, n == 1 ? "" : "s");
	put_text_versions(b, rows, n);
	if (ost->len || otp->len) {
		pc_buf_puts(b, "\nManaged by pipectl, no longer in git (pipectl plan --prune drops them):\n");
		for (i = 0; i < ost->len; i++)
			pc_buf_printf(b, "  statement  %s\n", (const char *)ost->items[i]);
		for (i = 0; i < otp->len; i++)
			pc_buf_printf(b, "  topic      %s\n", (const char *)otp->items[i]);
	}
}

int pc_cmd_status(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("status");
	pc_args args = PC_ARGS_INIT(argc, argv);
	int json = 0, rc, status = PC_EXIT_ERROR;
	pc_session view = PC_SESSION_INIT;
	pc_project *proj;
	pc_actual *act;
	row *rows = NULL;
	size_t n = 0, i;
	pc_vec ost = PC_VEC_INIT, otp = PC_VEC_INIT;
	pc_buf b = PC_BUF_INIT;
	pc_versions *versions_view = NULL;

	if (pc_cli_wants_help("status", argc, argv))
		return PC_EXIT_OK;
	while (pc_args_next(&args)) {
		if (pc_args_flag(&args, "--json", NULL))
			json = 1;
		else
			return pc_cli_usage_error(cmd, "unknown argument '%s'", args.arg);
	}
	if ((rc = pc_common_session(&view, cli)) != PC_EXIT_OK) {
		status = rc;
		goto done;
	}
	proj = view.proj;
	act = view.act;
	if (pc_versions_build(&versions_view, act, proj) < 0) {
		status = pc_cli_fail(cmd, PC_ERROR);
		goto done;
	}
	n = proj->tables.len;
	rows = pc_calloc(n ? n : 1, sizeof(*rows));
	for (i = 0; i < n; i++) {
		row *r = &rows[i];
		const pc_actual_table *at;
		const char *physical;
		r->t = proj->tables.items[i];
		r->vt = pc_versions_get(versions_view, r->t->name);
		/* the current version: green when there is one, what git is compared with */
		physical = pc_versions_current_name(versions_view, r->t->name);
		at = pc_actual_table_get(act, physical);
		r->exists = pc_actual_exists(at, r->t);
		if (at && at->dml) {
			r->dml = at->dml->st->name;
			r->phase = at->phase;
			r->ph = at->ph;
		}
		r->in_sync = pc_actual_version_in_sync(act, r->t, physical, &r->reason);
		if (at && at->dmls.len && at->dmls.items[0] != at->dml) {
			/* the latest attempt (e.g. a replacement) failed: say so, not just "SQL differs" */
			const pc_actual_stmt *newest = at->dmls.items[0];
			if (pc_phase_failed(newest->st->ph)) {
				r->dml = newest->st->name;
				r->phase = newest->st->phase;
				r->ph = newest->st->ph;
				r->in_sync = 0;
				free(r->reason);
				r->reason = newest->st->detail && *newest->st->detail
						    ? pc_sprintf("FAILED: %s", newest->st->detail)
						    : pc_strdup("FAILED");
			}
		}
		failed_reason(view.prov, r);
	}
	collect_orphans(proj, act, &ost, &otp);
	if (json)
		put_json(&b, rows, n, &ost, &otp);
	else
		put_text(&b, rows, n, &ost, &otp);
	if (fwrite(b.ptr, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
		pc_cli_error("could not write to stdout");
		goto done;
	}
	status = PC_EXIT_OK;
	{
		/* a declared external that is missing stops every reader: an error line each */
		pc_vec missing = PC_VEC_INIT;
		if (pc_plan_missing_externals(proj, act, &missing)) {
			for (i = 0; i < missing.len; i++)
				pc_cli_error("%s", (const char *)missing.items[i]);
			status = PC_EXIT_ERROR;
		}
		pc_vec_dispose(&missing, free);
	}
done:
	for (i = 0; rows && i < n; i++)
		free(rows[i].reason);
	free(rows);
	pc_vec_dispose(&ost, NULL);
	pc_vec_dispose(&otp, NULL);
	pc_buf_dispose(&b);
	pc_versions_free(versions_view);
	pc_session_dispose(&view);
	return status;
}
