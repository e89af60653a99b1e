#include "cli.h"
#include "../util/suggest.h"

#include "../util/error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const pc_command pc_commands[] = {
	{ "init", pc_cmd_init, "make a new project that validates, plans and applies on the local target",
	  "usage: pipectl init [DIR] [--prefix P]\n"
	  "\n"
	  "Write DIR/pipectl.yaml (the local target, its keys explained), a .gitignore\n"
	  "(.pipectl/) and a pipelines tree with one source table, so that validate,\n"
	  "plan and apply work at once. DIR defaults to -C DIR, else '.'. An existing\n"
	  "pipectl.yaml is never overwritten.\n"
	  "\n"
	  "  --prefix P   statement name prefix (default dev)\n" },
	{ "new", pc_cmd_new, "scaffold a new table: folder, DDL, a DML that reads its parents",
	  "usage: pipectl [-C DIR] new table NAME --layer LAYER [--product P] [--from PARENT]... [--table-yaml]\n"
	  "\n"
	  "Create pipelines/LAYER/[P/]NAME/sql-scripts/ with ddl.NAME.sql (the columns\n"
	  "of the first parent, or one column) and, with --from, dml.NAME.sql that\n"
	  "reads every parent; table.yaml only with --table-yaml. Unknown layers and\n"
	  "parents are errors with a 'did you mean'; nothing is overwritten.\n"
	  "\n"
	  "  --layer LAYER   sources, intermediates, facts, dimensions, views, or a layer of the project\n"
	  "  --product P     the product folder (none: directly under the layer)\n"
	  "  --from PARENT   a table the DML reads (repeat it, or A,B)\n"
	  "  --table-yaml    also write a commented table.yaml\n" },
	{ "validate", pc_cmd_validate, "parse the project; report every problem as file:line: message",
	  "usage: pipectl [-C DIR] [--config FILE] validate [--json]\n"
	  "\n"
	  "Parse pipectl.yaml and every file of the pipelines tree, analyze the SQL\n"
	  "statements and build the table graph. Every problem is printed on stderr,\n"
	  "one per line, as 'file:line: error: message' (or 'warning:'), then a\n"
	  "summary 'N tables, N errors, N warnings' on stdout.\n"
	  "\n"
	  "  --json    the problems as one JSON document on stdout instead:\n"
	  "            {format_version, tables, errors, warnings, problems: [{severity,\n"
	  "            file, line, table, message}]}\n"
	  "\n"
	  "Exit status: 0 when there is no error (warnings alone pass), 1 otherwise.\n" },
	{ "inventory", pc_cmd_inventory, "list every table with its layer, product, files, parents and children",
	  "usage: pipectl [-C DIR] inventory [--json]\n"
	  "\n"
	  "List every table of the project, sorted by name: layer, product, DDL and\n"
	  "DML files, parents, children, external parents (read but created by no\n"
	  "DDL of the tree), statefulness with its reasons (operator, file, line)\n"
	  "and whether the sink is upsert.\n"
	  "\n"
	  "  --json    machine-readable output (format_version 1, see docs/cli.md)\n"
	  "\n"
	  "Problems in single files are printed on stderr; the inventory of what\n"
	  "could be read is still printed, and the exit status is then 1.\n" },
	{ "graph", pc_cmd_graph, "show the lineage of a table, or of the whole project by layer and product",
	  "usage: pipectl [-C DIR] graph [TABLE [--up|--down]] [--format text|json|yaml|dot|mermaid|html]\n"
	  "\n"
	  "Show the lineage of TABLE: its ancestors and the external tables they\n"
	  "read (--up), its descendants (--down), or both (default). Without TABLE,\n"
	  "the whole project grouped by layer and product, stateful tables, upsert\n"
	  "sinks, protected and external tables marked, with a legend.\n"
	  "\n"
	  "  --format text     indented trees (default)\n"
	  "  --format json     {format_version, table, nodes, edges}\n"
	  "  --format yaml     the same as YAML\n"
	  "  --format dot      Graphviz DOT (render it with dot, to SVG or PNG)\n"
	  "  --format mermaid  a Mermaid flowchart (subgraphs per layer and product)\n"
	  "  --format html     the whole project as one self-contained page: click a\n"
	  "                    table for its SQL, parents, children, statefulness\n"
	  "\n"
	  "An unknown TABLE is an error (exit 1).\n" },
	{ "analyze", pc_cmd_analyze, "show what SQL files create, write and read, and why they are stateful",
	  "usage: pipectl analyze FILE.sql... [--json]\n"
	  "\n"
	  "Analyze SQL files on their own (no project needed): per statement its\n"
	  "kind and line, the tables created, written and read, each stateful\n"
	  "operator with its line, and whether a DDL declares an upsert sink.\n"
	  "\n"
	  "  --json    machine-readable output (format_version 1, see docs/cli.md)\n"
	  "\n"
	  "A file that cannot be read or parsed is reported as 'file:line: error:\n"
	  "message'; the other files are still analyzed and the exit status is 1.\n" },
	{ "status", pc_cmd_status, "show what actually runs per table and whether it matches git",
	  "usage: pipectl [-C DIR] status [--json]\n"
	  "\n"
	  "Per desired table: whether its table (topic) exists, its DML statement and\n"
	  "phase, and whether it is in sync with git (SQL differs, FAILED with the\n"
	  "latest exception, DEGRADED). Also lists statements and topics pipectl\n"
	  "manages that git no longer has.\n"
	  "\n"
	  "  --json    machine-readable output (format_version 1, see docs/reconcile.md)\n" },
	{ "plan", pc_cmd_plan, "show the actions that would make the target match git",
	  "usage: pipectl [-C DIR] plan [SELECTOR...] [--json] [--out FILE] [--dml-only] [--force]\n"
	  "                              [--prune] [--blue-green] [--detailed-exitcode] [--verbose]\n"
	  "                              [--compute-pool ID] [--compact] [--destroy]\n"
	  "\n"
	  "Compare git with what runs on the target and show one action per table\n"
	  "(create, start, replace-dml, rebuild, restart, drop) with its reason, and\n"
	  "what it changes in the running statements: a unified diff of the SQL\n"
	  "(running -> git), compute pool and properties as old -> new.\n"
	  "Planning never changes anything. See docs/reconcile.md.\n"
	  "\n"
	  "  SELECTOR             TABLE, +TABLE (with ancestors), TABLE+ (with descendants),\n"
	  "                       @TABLE, product:NAME, layer:NAME; several are a union\n"
	  "  --json               the plan as JSON (format_version 1)\n"
	  "  --out FILE           save the plan for 'apply FILE'\n"
	  "  --dml-only           never run DDL: rebuilds become restarts (rows may repeat)\n"
	  "  --force              rebuild the selected tables even when unchanged\n"
	  "  --prune              drop managed tables that git no longer has\n"
	  "  --blue-green         what would rebuild gets a green version (<table>_v2) beside\n"
	  "                       the running one, which keeps serving until 'promote'\n"
	  "                       (also: strategy: blue-green; docs/reconcile.md)\n"
	  "  --detailed-exitcode  exit 0 when no changes, 2 when changes, 1 on error\n"
	  "  -v, --verbose        also list unchanged tables, details and steps;\n"
	  "                       the request count on stderr\n"
	  "  --compact            no diffs, one line per action\n"
	  "  --destroy            the plan 'destroy SELECTOR...' would run (a preview for CI)\n"
	  "  --compute-pool ID    pool for new statements when table.yaml names none\n" },
	{ "show", pc_cmd_show, "print a saved plan as plan printed it",
	  "usage: pipectl show PLANFILE [--json] [--compact]\n"
	  "\n"
	  "Print a plan saved with 'plan --out FILE' as 'plan' printed it (actions,\n"
	  "reasons, SQL diffs), after what it was made from: time, commit or working\n"
	  "tree, target, prefix, state fingerprint, options. Reads only the file.\n"
	  "\n"
	  "  --json      the plan as JSON, as 'plan --json' writes it\n"
	  "  --compact   no diffs, one line per action\n" },
	{ "import", pc_cmd_import, "adopt the statements that already write the tables (shift_left and others)",
	  "usage: pipectl [-C DIR] import [SELECTOR...] [--write]\n"
	  "\n"
	  "Read every statement of the environment, find by its SQL which table each\n"
	  "writes, and print for every selected table with a DML the running statement\n"
	  "pipectl would adopt and why: fingerprint equal, or the differences left (SQL,\n"
	  "properties, compute pool) that the next apply resolves by the ordinary rules.\n"
	  "Labels are not used. Nothing in the target changes. A statement whose SQL\n"
	  "cannot be analyzed is skipped with a line; two statements writing one table\n"
	  "are an error. See docs/migrating-from-shift-left.md.\n"
	  "\n"
	  "  --write   record each adoption in the table's table.yaml (adopt: STATEMENT),\n"
	  "            created when absent, other keys and comments kept\n" },
	{ "apply", pc_cmd_apply, "apply a plan (saved, or computed now)",
	  "usage: pipectl [-C DIR] apply [PLANFILE | SELECTOR...] [--auto-approve] [--parallelism N]\n"
	  "                               [--dml-only] [--force] [--prune] [--blue-green] [--lock-timeout D]\n"
	  "\n"
	  "Take the environment lock, compute the plan (or read PLANFILE from 'plan --out'\n"
	  "and refuse it when the target changed since), show it, ask, and execute it:\n"
	  "every stop, then every drop (once its readers are stopped), every DDL, every\n"
	  "DML (once its inputs exist), independent actions in parallel; a failed action\n"
	  "skips its descendants. See docs/apply.md.\n"
	  "\n"
	  "  --auto-approve       do not ask (required when stdin is not a terminal)\n"
	  "  --parallelism N      actions at once (default 32)\n"
	  "  --dml-only, --force, --prune, --blue-green, --compute-pool ID   as for plan\n"
	  "  --lock-timeout D     wait this long for a held lock, then exit 3 (default 5m)\n"
	  "  --lock-ttl D         a lock not renewed for D lapses (default 5m)\n"
	  "  --action-timeout D   per action part (default 10m); --timeout D: whole run\n"
	  "  -v, --verbose        noop actions, plan details, request counts and timings\n"
	  "  --json               one JSON event per line on stdout: the plan, each action's\n"
	  "                       start, steps and end, the summary (needs --auto-approve)\n" },
	{ "destroy", pc_cmd_destroy, "remove a pipeline, keeping tables other pipelines read",
	  "usage: pipectl [-C DIR] destroy SELECTOR... [--auto-approve] [--plan-only]\n"
	  "\n"
	  "Stop the DML statements and drop the tables of the selection, children\n"
	  "first. A selected table that a table outside the selection still reads is\n"
	  "kept (and said so); protect: true is refused. The plan is shown first and\n"
	  "executed exactly; it asks for 'yes'.\n"
	  "\n"
	  "  --plan-only          show the plan and stop: no lock, no question, nothing\n"
	  "                       changed (the same as 'plan --destroy SELECTOR...')\n"
	  "  --auto-approve       do not ask (required when stdin is not a terminal)\n"
	  "  --parallelism N      actions at once (default 32)\n"
	  "  --lock-timeout D     wait this long for a held lock, then exit 3 (default 5m)\n"
	  "  --lock-ttl D         a lock not renewed for D lapses (default 5m)\n"
	  "  --action-timeout D   per action part (default 10m); --timeout D: whole run\n"
	  "  -v, --verbose        plan details, request counts and timings\n"
	  "  --json               one JSON event per line, as apply --json\n" },
	{ "promote", pc_cmd_promote, "blue/green: retire the blue versions, the green ones serve",
	  "usage: pipectl [-C DIR] promote SELECTOR... [--auto-approve] [--plan-only] [--out FILE]\n"
	  "\n"
	  "Retire (stop and delete the DML, drop the table, readers first) the blue\n"
	  "version of every selected table that has a green one, once every green of\n"
	  "the selection is RUNNING. A selection that splits a green subgraph, or\n"
	  "that would leave a statement reading a retired table, is refused naming\n"
	  "the tables; so is a protected table. The plan is shown first and executed\n"
	  "exactly; it asks for 'yes'. See docs/blue-green.md.\n"
	  "\n"
	  "  --plan-only          show the plan and stop: no lock, no question, nothing changed\n"
	  "  --out FILE           save the plan (shown, nothing changed) for 'apply FILE'\n"
	  "  --auto-approve       do not ask (required when stdin is not a terminal)\n"
	  "  --parallelism N      actions at once (default 32)\n"
	  "  --lock-timeout D     wait this long for a held lock, then exit 3 (default 5m)\n"
	  "  --lock-ttl D         a lock not renewed for D lapses (default 5m)\n"
	  "  --action-timeout D   per action part (default 10m); --timeout D: whole run\n"
	  "  -v, --verbose        plan details, request counts and timings\n"
	  "  --json               one JSON event per line, as apply --json\n" },
	{ "rollback", pc_cmd_rollback, "blue/green: retire the green versions, blue keeps serving",
	  "usage: pipectl [-C DIR] rollback SELECTOR... [--auto-approve] [--plan-only] [--out FILE]\n"
	  "\n"
	  "Retire (stop and delete the DML, drop the table, readers first) the green\n"
	  "version of every selected table that has one; blue never stopped, so\n"
	  "nothing it serves is lost. A selection that splits a green subgraph is\n"
	  "refused naming the tables; so is a protected table. Revert the change in\n"
	  "git too, or the next plan proposes it again. See docs/blue-green.md.\n"
	  "\n"
	  "  --plan-only          show the plan and stop: no lock, no question, nothing changed\n"
	  "  --out FILE           save the plan (shown, nothing changed) for 'apply FILE'\n"
	  "  --auto-approve       do not ask (required when stdin is not a terminal)\n"
	  "  --parallelism N      actions at once (default 32)\n"
	  "  --lock-timeout D     wait this long for a held lock, then exit 3 (default 5m)\n"
	  "  --lock-ttl D         a lock not renewed for D lapses (default 5m)\n"
	  "  --action-timeout D   per action part (default 10m); --timeout D: whole run\n"
	  "  -v, --verbose        plan details, request counts and timings\n"
	  "  --json               one JSON event per line, as apply --json\n" },
	{ "reconcile", pc_cmd_reconcile, "keep the target matching git, continuously",
	  "usage: pipectl [-C DIR] reconcile [--interval 60s] [--once] [--listen ADDR] [--git-ref REF]\n"
	  "\n"
	  "Every --interval (with +-10% jitter): load the desired state, read the actual\n"
	  "state, plan, and apply what may be applied. Destructive actions (rebuild, drop)\n"
	  "are held unless --allow-destructive. Green versions (strategy: blue-green) are\n"
	  "deployed, never promoted unless --auto-promote. See docs/operating.md.\n"
	  "\n"
	  "  --interval D          time between cycles (60s)         PIPECTL_INTERVAL\n"
	  "  --once                one cycle, then exit\n"
	  "  --listen ADDR         serve /healthz /readyz /metrics /status  PIPECTL_LISTEN\n"
	  "  --git-ref REF         read the tree at REF, no checkout  PIPECTL_GIT_REF\n"
	  "  --git-fetch           fetch REF's remote first          PIPECTL_GIT_FETCH\n"
	  "  --allow-destructive   apply rebuilds and drops          PIPECTL_ALLOW_DESTRUCTIVE\n"
	  "  --auto-promote        promote greens once they run      PIPECTL_AUTO_PROMOTE\n"
	  "  --prune               plan drops of tables gone from git PIPECTL_PRUNE\n"
	  "  --suspend             report drift, apply nothing       PIPECTL_SUSPEND\n"
	  "  --suspend-file PATH   suspended while PATH exists (.pipectl/suspend)\n"
	  "  --log-format F        text or json                      PIPECTL_LOG_FORMAT\n"
	  "  --parallelism N       actions at once                   PIPECTL_PARALLELISM\n"
	  "  --backoff D           first retry delay of a failing table (30s)\n"
	  "  --max-backoff D       longest retry delay (15m)\n"
	  "  --degraded-after N    failures in a row before 'degraded' (3)\n"
	  "  --jitter PCT          +-PCT% random spread of the interval, 0-50 (10)\n"
	  "  --lock-timeout D      wait for a held lock (0: skip the cycle)\n"
	  "  --lock-ttl D          TTL of the locks it holds (5m)      PIPECTL_LOCK_TTL\n"
	  "\n"
	  "Replicas side by side: the holder of the leader lock acts, the others stand by\n"
	  "and take over when it is released or lapses (see docs/locking.md).\n" },
	{ "history", pc_cmd_history, "show past apply and reconcile executions",
	  "usage: pipectl [-C DIR] history [--json] [--limit N]\n"
	  "\n"
	  "Past 'apply', 'destroy', 'promote', 'rollback' and 'reconcile' runs, newest\n"
	  "first, each with its actions (start, end, result, duration, error), from\n"
	  ".pipectl/history.jsonl (the last 500 runs are kept). See docs/operating.md.\n"
	  "\n"
	  "  --json      machine-readable output (format_version 1)\n"
	  "  --limit N   show the N newest runs (default 20)\n" },
	{ "unlock", pc_cmd_unlock, "end the environment lock by hand, saying whose it was",
	  "usage: pipectl [-C DIR] unlock [--force] [--leader]\n"
	  "\n"
	  "End the environment lock (as terraform force-unlock) and print whose it was.\n"
	  "Without --force a holder that may still act is refused with exit 3: one whose\n"
	  "process runs on this host, or whose last heartbeat is younger than its TTL.\n"
	  "A holder whose process is gone, or that lapsed, is removed. See docs/locking.md.\n"
	  "\n"
	  "  --force    delete the lock whatever its holder (only when it is certainly dead)\n"
	  "  --leader   the reconcile replicas' leader lock instead of the environment lock\n" },
	{ "emulator", pc_cmd_emulator, "serve a simulated Confluent Cloud on a loopback port",
	  "usage: pipectl emulator [--listen 127.0.0.1:8089] [--state FILE] [fault and timing options]\n"
	  "\n"
	  "Serve Confluent Cloud's sql/v1, fcpm/v2 and kafka/v3 APIs from a simulation on\n"
	  "one port. Prints 'listening on http://HOST:PORT' once ready; SIGTERM/SIGINT save\n"
	  "the state and exit 0. See docs/emulator.md.\n"
	  "\n"
	  "  --listen HOST:PORT       address (port 0 picks a free one)\n"
	  "  --state FILE             load at start, save atomically on change and exit\n"
	  "  --project DIR            create the declared externals of DIR/pipectl.yaml at start\n"
	  "  --cluster-id ID          the Kafka cluster id (lkc-local)\n"
	  "  --api-key K --api-secret S   require HTTP Basic auth with that pair\n"
	  "  --ddl-ms N               DDL PENDING -> COMPLETED, stop, pool provisioning (200)\n"
	  "  --pending-ms N           DML PENDING -> RUNNING (300)\n"
	  "  --produce-rate R         records/s per partition into source topics (10)\n"
	  "  --latency-ms N           added to every response (0)\n"
	  "  --fail-rate P            share of requests answered 500/503 (0)\n"
	  "  --throttle-rate P        share of requests answered 429 + Retry-After: 1 (0)\n"
	  "  --seed N                 seed of the fault injection\n"
	  "  --fail-statement REGEX   statements whose SQL matches (PCRE2) go FAILED\n"
	  "  --expire-completed-s N   delete COMPLETED/FAILED statements N s after they end\n"
	  "  --expire-terminal-s N    delete COMPLETED/FAILED/STOPPED statements N s after they end\n"
	  "  --topic-linger-ms N      a dropped table's topic lingers N ms (500; 0: gone at once)\n"
	  "  --topic-linger-hidden    a lingering topic already 404s, its name still taken\n"
	  "  --carry-timeout-s N      a carry-over waits N s for its source to stop, then fails (21600)\n"
	  "  --fail-pool REGEX        compute pools whose display name matches go FAILED\n"
	  "  --forbid-deleted         a deleted statement answers 403, not 404\n"
	  "  --redirect-first HOST    each connection's first request gets a 307 to HOST:PORT (self: here)\n"
	  "  --lenient LIST           old lenient behaviours, by name: labels-update, labels-prefix,\n"
	  "                           create-stopped, stop-any, properties-update, all\n"
	  "  --hang-path REGEX        never answer requests whose path matches\n"
	  "  --hold REGEX             statements whose name or SQL matches stay PENDING/STOPPING\n"
	  "                           until released (POST /emulator/v1/environments/ENV/release)\n"
	  "  --max-requests N         exit after N requests (test safety stop)\n"
	  "  --exit-after S           exit after S seconds (test safety stop)\n" },
	{ NULL, NULL, NULL, NULL },
};

const char *pc_cli_suggest_command(const char *name)
{
	const char *names[64];
	size_t n = 0;
	for (const pc_command *c = pc_commands; c->name && n < 64; c++)
		if (c->run)
			names[n++] = c->name;
	return pc_suggest(name, names, n);
}

const pc_command *pc_cli_find(const char *name)
{
	for (const pc_command *c = pc_commands; c->name; c++)
		if (c->run && strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void pc_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void pc_cli_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int pc_cli_exit_for(int code)
{
	switch (code) {
	case 0: return PC_EXIT_OK;
	case PC_ELOCKED: return PC_EXIT_LOCKED;
	case PC_EUSAGE: return PC_EXIT_USAGE;
	default: return PC_EXIT_ERROR;
	}
}

static void usage_line(const pc_command *cmd)
{
	const char *nl = strchr(cmd->usage, '\n');
	fprintf(stderr, "%.*s\n", nl ? (int)(nl - cmd->usage) : (int)strlen(cmd->usage), cmd->usage);
}

void pc_cli_error_msg(const char *message)
{
	const char *p = message;

	/* "<path>:<line>: <problem>" where path has no blank */
	while (*p && *p != ':' && *p != ' ')
		p++;
	if (p > message && p[0] == ':' && isdigit((unsigned char)p[1])) {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
		if (p[0] == ':' && p[1] == ' ') {
			fprintf(stderr, "%.*s: error: %s\n", (int)(p - message), message, p + 2);
			return;
		}
	}
	fprintf(stderr, "error: %s\n", message);
}

int pc_cli_fail(const pc_command *cmd, int rc)
{
	pc_cli_error_msg(pc_error_last());
	if (rc == PC_EUSAGE && cmd)
		usage_line(cmd);
	return pc_cli_exit_for(rc);
}

int pc_cli_usage_error(const pc_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("error: ", stderr);
	if (cmd && strcmp(fmt, "unknown option '%s'") == 0) {
		/* every command's unknown option gets its "did you mean" from the usage text */
		const char *opt = va_arg(ap, const char *);
		char best[64];
		pc_suggest_option(opt, cmd->usage, best, sizeof best);
		fprintf(stderr, "unknown option '%s'", opt);
		if (best[0])
			fprintf(stderr, " (did you mean '%s'?)", best);
	} else {
		vfprintf(stderr, fmt, ap);
	}
	fputc('\n', stderr);
	va_end(ap);
	if (cmd)
		usage_line(cmd);
	return PC_EXIT_USAGE;
}

int pc_cli_wants_help(const char *name, int argc, char **argv)
{
	const pc_command *c = pc_cli_find(name);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			if (c)
				fputs(c->usage, stdout);
			return 1;
		}
	}
	return 0;
}
