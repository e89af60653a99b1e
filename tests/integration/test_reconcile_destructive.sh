#!/usr/bin/env bash
# reconcile holds destructive actions: a stateful DML change means a rebuild
# (drops the table), which the loop reports (log, /status, metrics, history)
# and does not apply, with its descendants, until --allow-destructive.
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

start_emulator
write_project
start_loop --interval 1s
wait_until 30 all_running || fail "the first cycles did not bring everything up"
before_totals=$(dml_name fct_totals)
before_view=$(dml_name v_totals)

# a stateful change: fct_totals must be rebuilt, and v_totals after it
table facts fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount) + 0 FROM int_orders GROUP BY id;"
wait_until 20 sh -c "curl -sf '$LOOP_URL/status' | jq -e '[.actions[] | select(.disposition == \"held\")] | length == 2' >/dev/null" ||
	fail "the rebuild was not held"
curl -sf "$LOOP_URL/status" >"$T/status.json"
jq -e '.actions[] | select(.table == "fct_totals") | .action == "rebuild" and .destructive == true' "$T/status.json" >/dev/null ||
	fail "/status does not show fct_totals as a held destructive rebuild"
jq -e '.actions[] | select(.table == "v_totals") | .disposition == "held"' "$T/status.json" >/dev/null ||
	fail "the descendant v_totals is not held"
jq -e '.tables.held == 2 and .result == "success" and .allow_destructive == false' "$T/status.json" >/dev/null ||
	fail "/status summary wrong: $(jq -c .tables "$T/status.json")"
[ "$(metric pipectl_held_destructive_actions)" = 2 ] || fail "held metric is $(metric pipectl_held_destructive_actions)"
[ "$(metric 'pipectl_tables{state="held"}')" = 2 ] || fail "tables{held} is $(metric 'pipectl_tables{state="held"}')"
grep -q "table=fct_totals action=rebuild held: destructive, not applied without --allow-destructive" "$LOG" ||
	fail "the held rebuild was not logged"
# two more cycles (the second starts after the hold was seen) leave them alone
wait_cycles 2 30 || fail "the loop stopped cycling"
[ "$(dml_name fct_totals)" = "$before_totals" ] || fail "fct_totals was changed without --allow-destructive"
[ "$(dml_name v_totals)" = "$before_view" ] || fail "v_totals was changed without --allow-destructive"
stop_loop
"$PIPECTL" -C "$P" history --json --limit 1 | jq -e '.executions[0].actions | map(select(.result == "held")) | length == 2' >/dev/null ||
	fail "history does not record the held actions"

# allowed: applied in one cycle
"$PIPECTL" -C "$P" reconcile --once --allow-destructive >"$LOG" 2>&1 || fail "reconcile --once --allow-destructive failed"
all_running || fail "not everything runs after the allowed rebuild"
[ "$(dml_name fct_totals)" != "$before_totals" ] || fail "fct_totals was not rebuilt"
[ "$(dml_name v_totals)" != "$before_view" ] || fail "v_totals was not rebuilt"
"$PIPECTL" -C "$P" history --json --limit 1 |
	jq -e '.executions[0] | .result == "success" and (.actions | map(select(.action == "rebuild" and .result == "ok")) | length == 2)' >/dev/null ||
	fail "history does not record the rebuilds"
no_lock || fail "lock left behind"
echo ok
