#!/usr/bin/env bash
# The suspend file pauses every action while drift is still reported; SIGHUP
# reloads the settings from pipectl.yaml (here: allow_destructive).
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

start_emulator
write_project
start_loop --interval 1s
wait_until 30 all_running || fail "the first cycles did not bring everything up"

# suspended: a stopped statement stays stopped, the drift is reported
mkdir -p "$P/.pipectl"
touch "$P/.pipectl/suspend"
# a cycle that started before the file existed may still be running: wait for a suspended one
wait_until 20 metric_ge 'pipectl_cycles_total{result="suspended"}' 1 || fail "no suspended cycle"
name=$(dml_name int_orders)
stop_statement "$name"
wait_until 20 grep -q "table=int_orders action=start drift (suspended, not applied)" "$LOG" ||
	fail "the drift was not reported while suspended"
wait_cycles 2 20 || fail "no cycles while suspended"
curl -sf "$(API)/statements/$name" | jq -e '.spec.stopped == true' >/dev/null || fail "a suspended loop acted"
curl -sf "$LOOP_URL/status" | jq -e '.result == "suspended" and .suspended == true and ([.actions[] | select(.disposition == "suspended")] | length) >= 1' >/dev/null ||
	fail "/status does not show the suspension"
metric_ge 'pipectl_cycles_total{result="suspended"}' 2 || fail "suspended cycles not counted"
metric_ge 'pipectl_tables{state="out_of_sync"}' 1 || fail "drift not in the metrics while suspended"

# resumed: repaired
rm "$P/.pipectl/suspend"
wait_until 20 all_running || fail "not repaired after the suspension ended"

# a destructive change is held; SIGHUP after allowing it in pipectl.yaml applies it
before=$(dml_name fct_totals)
table facts fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount) + 1 FROM int_orders GROUP BY id;"
wait_until 20 grep -q "table=fct_totals action=rebuild held" "$LOG" || fail "the rebuild was not held"
printf 'reconcile:\n  allow_destructive: true\n' >>"$P/pipectl.yaml"
kill -HUP "$LOOP_PID"
wait_until 20 grep -q "configuration reloaded" "$LOG" || fail "SIGHUP did not reload"
wait_until 30 sh -c "curl -sf '$LOOP_URL/status' | jq -e '.allow_destructive == true and .tables.in_sync == 4' >/dev/null" ||
	fail "the rebuild was not applied after SIGHUP"
[ "$(dml_name fct_totals)" != "$before" ] || fail "fct_totals was not rebuilt"
stop_loop
echo ok
