#!/usr/bin/env bash
# plan and status against the local target on a small temporary project:
# a fresh project plans all creates, --detailed-exitcode, selectors, plan
# files, a missing external table, status before and after apply, and the
# plans a stateless and a stateful change give.
set -euo pipefail

PIPECTL=${PIPECTL:?PIPECTL must point at the binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# run CMD...: sets out, err, rc (never aborts the script)
run() {
	set +e
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
expect_rc() { [ "$rc" -eq "$1" ] || fail "$2: exit $rc, wanted $1 (stdout: $out) (stderr: $err)"; }
expect_out() { grep -qF -- "$1" "$tmp/out" || fail "$2: stdout lacks '$1': $out"; }
expect_err() { grep -qF -- "$1" "$tmp/err" || fail "$2: stderr lacks '$1': $err"; }
count_out() { grep -cF -- "$1" "$tmp/out" || true; }

proj=$tmp/proj
table() { # layer name ddl [dml]
	local d=$proj/pipelines/$1/$2/sql-scripts
	mkdir -p "$d"
	printf '%s\n' "$3" >"$d/ddl.$2.sql"
	if [ $# -ge 4 ]; then printf '%s\n' "$4" >"$d/dml.$2.sql"; fi
}
mkdir -p "$proj"
printf 'prefix: it\ntarget: local\n' >"$proj/pipectl.yaml"
table sources src_events "CREATE TABLE src_events (id BIGINT, kind STRING, amount DOUBLE, ts TIMESTAMP(3));"
table intermediates int_events "CREATE TABLE int_events (id BIGINT, kind STRING, amount DOUBLE);" \
	"INSERT INTO int_events SELECT id, kind, amount FROM src_events;"
table facts fct_totals "CREATE TABLE fct_totals (kind STRING, total DOUBLE, PRIMARY KEY (kind) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT kind, SUM(amount) FROM int_events GROUP BY kind;"
P=("$PIPECTL" -C "$proj")

# --- a fresh project: every table is created ---
run "${P[@]}" plan
expect_rc 0 "plan of a fresh project"
[ "$(count_out '+ create')" -eq 3 ] || fail "fresh plan: wanted 3 creates: $out"
expect_out "(table absent)" "fresh plan"
expect_out "Plan: 3 to create, 0 to start, 0 to replace, 0 to rebuild, 0 to restart, 0 to drop; 0 unchanged." "fresh plan summary"

run "${P[@]}" plan --detailed-exitcode
expect_rc 2 "plan --detailed-exitcode with changes"

run "${P[@]}" plan --json
expect_rc 0 "plan --json"
expect_out '"format_version": "1"' "plan --json"
[ "$(count_out '"action": "create"')" -eq 3 ] || fail "plan --json: wanted 3 create actions: $out"
expect_out '"state_fingerprint"' "plan --json"
expect_out '"step": "run_ddl"' "plan --json steps"

# planning changed nothing: no state file was written
[ ! -e "$proj/.pipectl/local-state.json" ] || ! grep -q 'it-pc-' "$proj/.pipectl/local-state.json" ||
	fail "plan created statements"

# --- plan files ---
run "${P[@]}" plan --out "$tmp/plan.json"
expect_rc 0 "plan --out"
grep -q '"format_version": "1"' "$tmp/plan.json" || fail "plan file lacks format_version"
expect_out "Plan saved to" "plan --out"

# --- selectors ---
run "${P[@]}" plan fct_totals --json
expect_rc 0 "plan with a selector"
# the absent ancestors are brought in, up to the source
[ "$(count_out '"action": "create"')" -eq 3 ] || fail "selector: absent ancestors not brought in: $out"
run "${P[@]}" plan src_events
expect_rc 0 "plan of a source"
[ "$(count_out '+ create')" -eq 1 ] || fail "selector src_events: wanted 1 create: $out"
run "${P[@]}" plan no_such_table
expect_rc 64 "unknown table in a selector"
expect_err "no table 'no_such_table'" "unknown table"
run "${P[@]}" plan --bogus
expect_rc 64 "unknown option"

# --- status before apply ---
run "${P[@]}" status
expect_rc 0 "status before apply"
[ "$(count_out 'table missing')" -eq 3 ] || fail "status before apply: $out"
run "${P[@]}" status --json
expect_rc 0 "status --json"
expect_out '"format_version":"1"' "status --json"
expect_out '"name":"fct_totals","exists":false,"dml_statement":null,"phase":null,"in_sync":false,"reason":"table missing"' "status --json row"
expect_out '"orphans":{"statements":[],"topics":[]}' "status --json orphans"

# --- a declared external table that is missing stops the plan with one line ---
table facts fct_ext "CREATE TABLE fct_ext (id BIGINT);" "INSERT INTO fct_ext SELECT id FROM ext_missing;"
printf 'prefix: it\ntarget: local\nexternals:\n  - name: ext_missing\n' >"$proj/pipectl.yaml"
run "${P[@]}" plan
expect_rc 1 "plan with a missing external table"
expect_err "external table 'ext_missing' (declared in pipectl.yaml) does not exist in the target; 'fct_ext' reads it" "missing external"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "missing external: more than one line: $err"
[ -z "$out" ] || fail "missing external: a plan was printed: $out"
# status shows the tables and says so too, with a non-zero exit
run "${P[@]}" status
expect_rc 1 "status with a missing external table"
expect_err "external table 'ext_missing' (declared in pipectl.yaml) does not exist in the target; 'fct_ext' reads it" "status: missing external"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "status: missing external: more than one line: $err"
# undeclared, it is a validation error naming the line (a typo must not become an external)
printf 'prefix: it\ntarget: local\n' >"$proj/pipectl.yaml"
run "${P[@]}" plan
expect_rc 1 "plan with an undeclared external table"
expect_err "dml.fct_ext.sql:1: 'fct_ext' reads table 'ext_missing', which no DDL in the tree creates and 'externals' in pipectl.yaml does not declare" "undeclared external"
rm -rf "$proj/pipelines/facts/fct_ext"

# --- apply, then nothing to do ---
run "${P[@]}" apply --auto-approve
expect_rc 0 "apply"
run "${P[@]}" plan --detailed-exitcode
expect_rc 0 "plan after apply"
expect_out "No changes." "plan after apply"
run "${P[@]}" status
expect_rc 0 "status after apply"
expect_out "3 of 3 tables in sync." "status after apply"

# a formatting-only edit changes nothing
printf -- '-- a comment\ninsert   into int_events\n  select id, kind, amount\n  from src_events;\n' \
	>"$proj/pipelines/intermediates/int_events/sql-scripts/dml.int_events.sql"
run "${P[@]}" plan --detailed-exitcode
expect_rc 0 "formatting-only edit"

# a stateless change: replace-dml, children untouched
printf 'INSERT INTO int_events SELECT id, kind, amount FROM src_events WHERE amount > 0;\n' \
	>"$proj/pipelines/intermediates/int_events/sql-scripts/dml.int_events.sql"
run "${P[@]}" plan --detailed-exitcode
expect_rc 2 "stateless change"
expect_out "~ replace-dml  int_events" "stateless change"
[ "$(count_out '-/+ rebuild')" -eq 0 ] || fail "stateless change rebuilt something: $out"
run "${P[@]}" status
expect_out "SQL differs" "status after a SQL change"

# a stateful change: rebuild
printf 'INSERT INTO fct_totals SELECT kind, SUM(amount) + 0 FROM int_events GROUP BY kind;\n' \
	>"$proj/pipelines/facts/fct_totals/sql-scripts/dml.fct_totals.sql"
run "${P[@]}" plan
expect_out "-/+ rebuild" "stateful change"
expect_out "GROUP BY at pipelines/facts/fct_totals/sql-scripts/dml.fct_totals.sql:1" "stateful change names the operator"

# a table removed from git: orphan without --prune, drop with it
rm -rf "$proj/pipelines/facts/fct_totals"
run "${P[@]}" plan
expect_out "orphan: 'fct_totals'" "removed table without --prune"
run "${P[@]}" plan --prune
expect_out "- drop" "removed table with --prune"
run "${P[@]}" status --json
expect_out '"topics":["fct_totals"]' "status lists the orphan topic"

echo "ok"
