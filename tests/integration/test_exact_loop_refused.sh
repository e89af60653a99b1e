#!/usr/bin/env bash
# The loop and a refused part of the plan (issue #9 item 8): a protected table
# the rules would rebuild is held like a held destructive action, with the
# real reason in the log, while unrelated drift elsewhere is still repaired,
# /metrics counts the held tables as held (not in sync) and /readyz stays ready.
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
[ "$(metric 'pipectl_tables{state="held"}')" = 2 ] || fail "tables{held} is $(metric 'pipectl_tables{state="held"}')"
[ "$(metric 'pipectl_tables{state="in_sync"}')" = 3 ] || fail "tables{in_sync} is $(metric 'pipectl_tables{state="in_sync"}')"
curl -sf "$LOOP_URL/readyz" >/dev/null || fail "/readyz is not ready"
[ "$(dml_name fct_totals)" = "$totals" ] || fail "the protected fct_totals was touched"
stop_loop
echo ok
