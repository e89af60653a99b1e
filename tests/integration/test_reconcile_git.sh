#!/usr/bin/env bash
# reconcile --git-ref: the tree is read at the ref without a checkout; a new
# commit is applied in the next cycle; a broken commit (SQL that does not
# parse, then a cycle in the graph) is reported and skipped while the last
# good desired state stays in force (drift still repaired); the commit id is
# on every log line and in /status.
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

G="git -C $P -c user.name=t -c user.email=t@t -c commit.gpgsign=false"
start_emulator
write_project
$G init -q -b main
$G add -A
$G commit -qm one
c1=$($G rev-parse HEAD)
# the working tree differs from the commit: it must not matter
echo "-- local edit, not committed" >>"$P/pipelines/intermediates/int_orders/sql-scripts/dml.int_orders.sql"

start_loop --interval 1s --git-ref main --log-format json
wait_until 30 all_running || fail "the first cycles did not bring everything up"
jq -e --arg c "$c1" 'select(.cycle >= 1) | .commit == $c' "$LOG" >/dev/null || fail "log lines do not carry commit $c1"
jq -se --arg c "$c1" '[.[] | select(.cycle >= 1 and .commit != $c)] | length == 0' "$LOG" >/dev/null ||
	fail "a cycle log line without the commit"
curl -sf "$LOOP_URL/status" | jq -e --arg c "$c1" '.commit == $c and .plan.format_version == "1"' >/dev/null ||
	fail "/status does not show commit $c1"

# a new table in a new commit: applied in the next cycle
git -C "$P" checkout -q -- .
table intermediates int_big "CREATE TABLE int_big (id INT, amount INT);" \
	"INSERT INTO int_big SELECT id, amount FROM src_orders WHERE amount > 100;"
$G add -A
$G commit -qm two
c2=$($G rev-parse HEAD)
wait_until 20 sh -c "curl -sf '$LOOP_URL/status' | jq -e '.commit == \"$c2\" and .result == \"success\" and .tables.in_sync == 5' >/dev/null" ||
	fail "commit two was not applied"
[ "$(live_dml int_big | awk '{print $2}')" = RUNNING ] || fail "int_big is not running"

# a broken commit: SQL that does not parse
printf "INSERT INTO int_big SELECT id, 'oops FROM src_orders;\n" >"$P/pipelines/intermediates/int_big/sql-scripts/dml.int_big.sql"
$G commit -qam broken
c3=$($G rev-parse HEAD)
wait_until 20 sh -c "curl -sf '$LOOP_URL/status' | jq -e '.result == \"invalid\"' >/dev/null" ||
	fail "the broken commit was not reported"
jq -se --arg c "$c3" 'map(select(.level == "error" and (.msg | test("unterminated")))) | length >= 1' "$LOG" >/dev/null ||
	fail "the parse error was not logged"
jq -se 'map(select(.msg | test("skipped, the last good desired state stays in force"))) | length >= 1' "$LOG" >/dev/null ||
	fail "no 'skipped' line for the broken commit"
[ "$(metric 'pipectl_cycles_total{result="invalid"}')" -ge 1 ] || fail "invalid cycles not counted"
# the last good state stays in force: the running statement is untouched, and drift is still repaired
[ "$(live_dml int_big | awk '{print $2}')" = RUNNING ] || fail "the broken commit changed int_big"
# the repair is seen in the log (a poll of the phase could miss the stop)
starts() { jq -se 'map(select(.table == "int_orders" and .action == "start" and (.msg | test("started")))) | length' "$LOG"; }
n0=$(starts)
restarted() { [ "$(starts)" -gt "$n0" ]; }
stop_statement "$(dml_name int_orders)"
wait_until 20 restarted || fail "the stopped statement was not started again"
wait_until 20 all_running || fail "drift not repaired while the commit is broken"

# a cycle in the graph is broken too
table intermediates int_big "CREATE TABLE int_big (id INT, amount INT);" \
	"INSERT INTO int_big SELECT id, amount FROM int_loop;"
table intermediates int_loop "CREATE TABLE int_loop (id INT, amount INT);" \
	"INSERT INTO int_loop SELECT id, amount FROM int_big;"
$G add -A
$G commit -qm cycle
wait_until 20 sh -c "jq -se 'map(select(.level == \"error\" and (.msg | test(\"cycle\")))) | length >= 1' '$LOG' >/dev/null" ||
	fail "the cycle was not reported"
has_topic int_loop && fail "a table of the broken commit was created"

# fixed: applied
table intermediates int_loop "CREATE TABLE int_loop (id INT, amount INT);" \
	"INSERT INTO int_loop SELECT id, amount FROM src_orders;"
$G add -A
$G commit -qm fixed
c5=$($G rev-parse HEAD)
wait_until 30 sh -c "curl -sf '$LOOP_URL/status' | jq -e '.commit == \"$c5\" and .result == \"success\"' >/dev/null" ||
	fail "the fixed commit was not applied"
stop_loop
no_lock || fail "lock left behind"
echo ok
