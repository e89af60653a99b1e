#!/usr/bin/env bash
# The loop and a refused part of the plan (issue #9 item 8): a protected table
# the rules would rebuild is held like a held destructive action, with the
# real reason in the log, while unrelated drift elsewhere is still repaired,
# /metrics counts the held tables as held (not in sync) and the repaired one in
# sync (read until true, within a deadline), and /readyz stays ready.
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

start_emulator
write_project
table intermediates int_copy "CREATE TABLE int_copy (id INT, amount INT);" \
	"INSERT INTO int_copy SELECT id, amount FROM src_orders;"
DML_TABLES="$DML_TABLES int_copy"
ALL_TABLES="$ALL_TABLES int_copy"
printf 'protect: true\n' >"$P/pipelines/facts/fct_totals/table.yaml"
start_loop --interval 1s
wait_until 30 all_running || fail "the first cycles did not bring everything up"
totals=$(dml_name fct_totals)
copy=$(dml_name int_copy)

# a stateful change of the protected table (refused), and drift elsewhere
table facts fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount) + 1 FROM int_orders GROUP BY id;"
stop_statement "$copy"
wait_until 30 sh -c "[ \"\$(curl -sf '$(API)/statements/$copy' | jq -r .status.phase)\" = RUNNING ]" ||
	fail "the stopped int_copy was not resumed while fct_totals is refused"
wait_until 20 grep -q "table=fct_totals action=rebuild held: refused: table 'fct_totals' is protected (protect: true in table.yaml) but would be rebuilt" "$LOG" ||
	fail "the held refusal was not logged with its reason"
wait_cycles 2 30 || fail "the loop stopped cycling"
curl -sf "$LOOP_URL/status" >"$T/status.json"
jq -e '.result == "success" and .tables.held == 2' "$T/status.json" >/dev/null ||
	fail "/status: $(jq -c '{result, tables}' "$T/status.json")"
jq -e '[.actions[] | select(.disposition == "held") | .table] | sort == ["fct_totals", "v_totals"]' "$T/status.json" >/dev/null ||
	fail "held actions: $(jq -c '[.actions[] | {table, disposition}]' "$T/status.json")"
# the gauges of a cycle that saw both: the refused fct_totals (and its view)
# held, the repaired int_copy with the three others in sync, none out of
# sync or degraded; read from /metrics until they hold, within a deadline
gauges_true() {
	[ "$(metric_value 'pipectl_tables{state="held"}')" = 2 ] &&
		[ "$(metric_value 'pipectl_tables{state="in_sync"}')" = 3 ] &&
		[ "$(metric_value 'pipectl_tables{state="out_of_sync"}')" = 0 ] &&
		[ "$(metric_value 'pipectl_tables{state="degraded"}')" = 0 ]
}
wait_until 30 gauges_true ||
	fail "gauges: $(curl -sf "$LOOP_URL/metrics" | grep '^pipectl_tables{' | tr '\n' ' ')"
# /readyz answers ready at every read while three more cycles finish, and the
# gauges stay true at the last of them
ready_through() {
	curl -sf "$LOOP_URL/readyz" >/dev/null || { echo "$(curl -s "$LOOP_URL/readyz")" >"$T/not_ready"; return 0; }
	metric_ge pipectl_cycle_duration_seconds_count "$1"
}
start=$(cycles_done) || fail "/metrics did not answer"
wait_until 30 ready_through $(( start + 3 )) || fail "the loop did not finish 3 more cycles"
[ ! -e "$T/not_ready" ] || fail "/readyz was not ready: $(cat "$T/not_ready")"
gauges_true || fail "gauges after 3 more cycles: $(curl -sf "$LOOP_URL/metrics" | grep '^pipectl_tables{' | tr '\n' ' ')"
[ "$(dml_name fct_totals)" = "$totals" ] || fail "the protected fct_totals was touched"
stop_loop
echo ok
