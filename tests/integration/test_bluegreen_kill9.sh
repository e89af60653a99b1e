#!/usr/bin/env bash
# A blue/green apply killed with -9 converges on rerun (issue #13 items 2
# and 6, the green half), checked from the emulator's state and audit:
# - killed after int_orders_v2's DDL completed, before its DML: the rerun
#   (plain `apply`: the pair in the target is enough) finishes that green
#   from earliest and makes the descendants' greens; no v3, nothing dropped;
# - killed after int_orders_v2 runs, before fct_totals_v2 exists: the rerun
#   makes the missing greens reading int_orders_v2, keeps what exists.
# Blue keeps its statements throughout.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

plan_statement() { jq -r --arg t "$1" --arg s "$2" '.actions[] | select(.table == $t) | .steps[] | select(.step == $s) | .statement' "$T/plan.json"; }
phase_of() { statements | jq -r --arg n "$1" '.[] | select(.name == $n) | .status.phase'; }
read_once() {
	audit "$1" | jq -e --arg t "$2" '(.consumed[$t] | length) > 0 and all(.consumed[$t][]; .from == 0)
		and ((.consumed[$t] | map(.partition) | unique | length) == (.consumed[$t] | length))' >/dev/null
}
# kill_when PHASE STATEMENT HANG: apply --blue-green in the background with requests about HANG
# never answered; kill -9 once STATEMENT is in PHASE
kill_when() {
	start_emulator --hang-path "/statements/$3\$"
	"$PIPECTL" -C "$P" apply --blue-green --auto-approve --lock-ttl 1s >"$T/bg.out" 2>&1 &
	local pid=$!
	wait_until 30 bash -c "[ \"\$(curl -sf '$(API)/statements?page_size=100' | jq -r --arg n '$2' '.data[] | select(.name == \$n) | .status.phase')\" = $1 ]" ||
		{ kill -9 "$pid" 2>/dev/null || true; cat "$T/bg.out" >&2; fail "statement $2 never reached $1"; }
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	start_emulator
}
# converged_greens: the four greens RUNNING, each read its input once from earliest, blue as before
converged_greens() {
	local t
	for t in int_orders fct_big_orders fct_totals v_totals; do
		assert_running "${t}_v2" "$t"
		[ "$(dml_name "$t")" = "${blue[$t]}" ] || fail "blue $t changed its DML"
		has_topic "${t}_v3" && fail "a v3 of $t was made"
	done
	read_once "$(dml_name int_orders_v2)" src_orders || fail "int_orders_v2 did not read src_orders once from earliest"
	read_once "$(dml_name fct_totals_v2)" int_orders_v2 || fail "fct_totals_v2 did not read int_orders_v2 once"
	read_once "$(dml_name v_totals_v2)" fct_totals_v2 || fail "v_totals_v2 did not read fct_totals_v2 once"
	statements | jq -e '[.[] | select(.spec.statement | test("^DROP"))] | length == 0' >/dev/null || fail "something was dropped"
	run 0 plan --detailed-exitcode
}

start_emulator
write_project
run 0 apply --auto-approve
declare -A blue
for t in int_orders fct_big_orders fct_totals v_totals; do blue[$t]=$(dml_name "$t"); done
table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
	"INSERT INTO int_orders SELECT DISTINCT id, amount FROM src_orders WHERE amount > 0;"

# --- killed between int_orders_v2's DDL and its DML
pc plan --blue-green --json >"$T/plan.json"
ddl=$(plan_statement int_orders run_ddl)
dml=$(plan_statement int_orders create_dml)
[ -n "$ddl" ] && [ -n "$dml" ] || fail "no green planned for int_orders"
kill_when COMPLETED "$ddl" "$dml"
statements | jq -e --arg n "$dml" 'any(.[]; .name == $n) | not' >/dev/null || fail "the DML was created before the kill"
run 0 apply --auto-approve --lock-timeout 30s
grep -q "finishing the create of an interrupted run" "$T/out" || fail "the rerun did not finish the green's create"
[ "$(phase_of "$dml")" = RUNNING ] || fail "int_orders_v2's DML is not the planned one"
converged_greens

# --- killed once int_orders_v2 runs, before fct_totals_v2 exists (v3 from a new stateful change)
# a fresh emulator (topics are shared by its environments), the same change
stop_emulator
rm -f "$T/emu-state.json"
start_emulator
write_project
run 0 apply --auto-approve
for t in int_orders fct_big_orders fct_totals v_totals; do blue[$t]=$(dml_name "$t"); done
table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
	"INSERT INTO int_orders SELECT DISTINCT id, amount FROM src_orders WHERE amount > 0;"
pc plan --blue-green --json >"$T/plan.json"
mid=$(plan_statement int_orders create_dml)
hang=$(plan_statement fct_totals run_ddl)
kill_when RUNNING "$mid" "$hang"
has_topic fct_totals_v2 && fail "fct_totals_v2 exists before the rerun"
run 0 apply --blue-green --auto-approve --lock-timeout 30s
[ "$(dml_name int_orders_v2)" = "$mid" ] || fail "int_orders_v2's DML was replaced by the rerun"
converged_greens

echo "ok"
