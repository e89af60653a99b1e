#!/usr/bin/env bash
# Bad input to promote and rollback (issue #13, "Bad input"): each is one
# line naming the tables, exit 1, and nothing in the target changed (every
# statement's name and phase, every topic, as before):
# - rollback (and promote) of a table with no green;
# - a selection that splits a green subgraph;
# - promote while a green is PENDING, and while a green is FAILED;
# - a protected table;
# - no selector, an unknown table (usage, exit 64).
# Then a saved promote plan: `promote --out FILE` changes nothing, `apply
# FILE` runs exactly it, and a stale one is refused.
set -euo pipefail
source "$(dirname "$0")/bluegreen_lib.sh"

# refused EXPECTED_TEXT CMD...: exit 1, one error line containing the text, nothing changed.
refused() {
	local want=$1
	shift
	stmt_state >"$T/state.before"
	topics >"$T/topics.before"
	run 1 "$@"
	grep -q "^error: .*$want" "$T/out" || fail "pipectl $*: expected an error saying '$want', got: $(cat "$T/out")"
	[ "$(grep -c '^error:' "$T/out")" = 1 ] || fail "pipectl $*: more than one error line: $(cat "$T/out")"
	stmt_state | diff -u "$T/state.before" - >/dev/null || fail "pipectl $* changed statements"
	topics | diff -u "$T/topics.before" - >/dev/null || fail "pipectl $* changed topics"
}

start_emulator
write_project
run 0 apply --auto-approve

refused "nothing to roll back: no green version of 'int_users'" rollback int_users --auto-approve
refused "nothing to promote: no green version of 'fct_totals'" promote fct_totals+ --auto-approve
run 64 promote --auto-approve
run 64 rollback nosuchtable --auto-approve
grep -q "no table 'nosuchtable' in the project" "$T/out" || fail "unknown table: $(cat "$T/out")"

# --- a green that stays PENDING: promote waits for RUNNING
# (every DML is held PENDING, emulator_lib.sh `hold`: the timeout only bounds how long the
# run takes to create the green's DML, so it is long enough for a loaded machine)
start_emulator --hold 'INSERT INTO'
change_totals 1
run 1 apply --blue-green --auto-approve --action-timeout 4s
[ "$(versions_of fct_totals)" = "fct_totals:blue fct_totals_v2:green" ] || fail "no green: $(versions_of fct_totals)"
refused "cannot promote 'fct_totals': its green 'fct_totals_v2' is PENDING" promote fct_totals+ --auto-approve
run 0 rollback fct_totals+ --auto-approve
has_topic fct_totals_v2 && fail "the pending green is still there"
assert_running fct_totals v_totals

# --- a green that FAILED: promote refused with the statement's error
start_emulator --fail-statement 'INSERT INTO .?v_totals_v2'
change_totals 2
run 1 apply --blue-green --auto-approve
[ "$(versions_of v_totals)" = "v_totals:blue v_totals_v2:green" ] || fail "no failed green: $(versions_of v_totals)"
refused "cannot promote 'v_totals': its green 'v_totals_v2' is FAILED" promote fct_totals+ --auto-approve

# --- split subgraph: fct_totals and v_totals go together
refused "cannot promote 'fct_totals' without 'v_totals'" promote fct_totals --auto-approve
refused "cannot rollback 'v_totals' without 'fct_totals'" rollback v_totals --auto-approve

# --- protected: refused, naming where
printf 'protect: true\n' >"$P/pipelines/views/orders/v_totals/table.yaml"
refused "cannot rollback 'v_totals': it is protected (protect: true" rollback fct_totals+ --auto-approve
rm "$P/pipelines/views/orders/v_totals/table.yaml"

# --- rollback removes the failed green; blue never stopped
run 0 rollback fct_totals+ --plan-only
expect_actions "drop fct_totals_v2" "drop v_totals_v2"
run 0 rollback fct_totals+ --auto-approve
has_topic v_totals_v2 && fail "the failed green is still there"
[ -z "$(dmls_of v_totals_v2)" ] || fail "the failed green's statement is left: $(dmls_of v_totals_v2)"
assert_running fct_totals v_totals

# --- a saved promote plan: made without changing anything, applied exactly, refused when stale
start_emulator
run 0 apply --blue-green --auto-approve
assert_running fct_totals_v2 v_totals_v2
stmt_state >"$T/state.before"
run 0 promote fct_totals+ --out "$T/promote.json"
grep -q "Plan saved to" "$T/out" || fail "promote --out: $(cat "$T/out")"
stmt_state | diff -u "$T/state.before" - >/dev/null || fail "promote --out changed the target"
jq -e '.command == "promote" and ([.actions[].table] | sort) == ["fct_totals","v_totals"]' "$T/promote.json" >/dev/null ||
	fail "saved plan: $(jq -c '{command, actions: [.actions[].table]}' "$T/promote.json")"
run 0 show "$T/promote.json"
grep -q "^Plan of 'pipectl promote'" "$T/out" || fail "show does not say it is a promote plan"
grep -q "drop  fct_totals  *(promote: retire blue; green 'fct_totals_v2' serves)" "$T/out" || fail "show: $(cat "$T/out")"
cp "$T/promote.json" "$T/stale.json"
run 0 apply "$T/promote.json" --auto-approve
grep -q "Promote complete" "$T/out" || fail "apply of the saved promote plan: $(cat "$T/out")"
has_topic fct_totals && fail "blue fct_totals left after the saved promote"
run 0 history --json
jq -e '.executions[0].kind == "promote"' "$T/out" >/dev/null || fail "history kind of a saved promote"
run 1 apply "$T/stale.json" --auto-approve
grep -q "stale" "$T/out" || fail "a stale promote plan: $(cat "$T/out")"

echo "ok"
