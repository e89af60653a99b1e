#!/usr/bin/env bash
# The reconcile loop and blue/green (issue #13 item 5): with `strategy:
# blue-green` in pipectl.yaml it deploys the green versions of a stateful
# change without --allow-destructive (nothing is dropped), blue keeps
# running; /metrics counts the tables with a pending green; it never
# promotes by itself; with --auto-promote it retires blue once the greens run.
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

has_topic() { topics | grep -qx "$1"; }
greens_running() {
	local t
	for t in fct_totals_v2 v_totals_v2; do
		[ "$(live_dml "$t" | awk '{print $2}')" = RUNNING ] || return 1
	done
}
blues_gone() { ! has_topic fct_totals && ! has_topic v_totals && [ -z "$(live_dml fct_totals)$(live_dml v_totals)" ]; }

start_emulator
write_project
printf 'strategy: blue-green\n' >>"$P/pipectl.yaml"
start_loop --interval 1s
wait_until 30 all_running || fail "the first cycles did not bring everything up"
blue_totals=$(dml_name fct_totals)
blue_view=$(dml_name v_totals)

# a stateful change: greens of fct_totals and v_totals, blue untouched
table facts fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount) + 1 FROM int_orders GROUP BY id;"
wait_until 60 greens_running || fail "the loop did not deploy the green versions"
wait_until 30 metric_ge pipectl_tables_green_pending 2 || fail "/metrics does not count 2 pending greens: $(metric pipectl_tables_green_pending)"
[ "$(metric_value pipectl_held_destructive_actions)" = 0 ] || fail "something destructive was planned"
# it never promotes by itself: cycles go by, blue stays
wait_cycles 3 60 || fail "the loop stopped cycling"
[ "$(dml_name fct_totals)" = "$blue_totals" ] && [ "$(dml_name v_totals)" = "$blue_view" ] || fail "blue was touched"
has_topic fct_totals && has_topic v_totals || fail "blue was dropped without --auto-promote"
grep -q '"green_pending":2' <<<"$(curl -sf "$LOOP_URL/status")" || fail "/status does not count the pending greens"
stop_loop

# --auto-promote: blue retired once every green runs
start_loop --interval 1s --auto-promote
wait_until 60 blues_gone || fail "--auto-promote did not retire blue"
greens_running || fail "the greens do not run after the promotion"
wait_until 30 eval '[ "$(metric_value pipectl_tables_green_pending)" = 0 ]' || fail "/metrics still counts pending greens"
grep -q "auto-promote: retiring 2 blue versions" "$LOG" || fail "the promotion is not logged"
wait_cycles 2 60 || fail "the loop stopped cycling"
has_topic fct_totals_v2 && has_topic v_totals_v2 || fail "green was dropped"
stop_loop
"$PIPECTL" -C "$P" plan --detailed-exitcode >"$T/out" 2>&1 || fail "not converged after the promotion: $(cat "$T/out")"

echo "ok"
