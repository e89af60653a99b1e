#!/usr/bin/env bash
# Blue/green apply of the impacted subgraph (issue #13 items 2 and 4), against
# the emulator, checked from its state and audit:
# - deploy, let records flow, make a stateful change to an intermediate table,
#   `plan --blue-green` shows a green version of it and of exactly its
#   descendants, `apply --blue-green` creates them (int_orders_v2 ...) from
#   earliest while blue keeps running and producing, unimpacted tables keep
#   their statements, and every green output has one writer that read each
#   source partition once from offset 0 (no duplicate);
# - a stateless change while the pair exists replaces green's DML in place;
# - the JSON plan and a saved plan (show) carry the green.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

# phys_dml TABLE: the live DML of a physical table (exactly one).
phys_dml() {
	local l
	l=$(live_dmls "$1")
	[ "$(grep -c . <<<"$l")" = 1 ] || fail "table $1 has live DMLs [$l], expected one"
	awk '{print $1}' <<<"$l"
}
# writers TOPIC: every statement (live or deleted) that ever produced into TOPIC, from the audit
writers() { curl -sf "$EMU_URL/emulator/v1/environments/$ENV_ID/audit" | jq -r --arg t "$1" '.statements[] | select((.produced[$t] // 0) > 0) | .name'; }
# read_once STATEMENT TOPIC: every partition of TOPIC consumed exactly once, from offset 0
read_once() {
	audit "$1" | jq -e --arg t "$2" '(.consumed[$t] | length) > 0 and all(.consumed[$t][]; .from == 0)
		and ((.consumed[$t] | map(.partition) | unique | length) == (.consumed[$t] | length))' >/dev/null
}
consumed_total() { audit "$1" | jq -r --arg t "$2" '[.consumed[$t][]? | .to - .from] | add // 0'; }

start_emulator
write_project
run 0 apply --auto-approve
assert_running int_orders fct_big_orders fct_totals v_totals int_users
# records flow: the blue statements consume their sources
blue_int=$(phys_dml int_orders)
wait_until 20 bash -c "[ \$(curl -sf '$EMU_URL/emulator/v1/environments/$ENV_ID/statements/$blue_int/audit' | jq '[.consumed.src_orders[]? | .to] | add // 0') -gt 0 ]" ||
	fail "no records flowed into int_orders"
before=$(statements | jq -c '[.[] | {name, phase: .status.phase}] | sort_by(.name)')
declare -A blue
for t in int_orders fct_big_orders fct_totals v_totals int_users; do blue[$t]=$(phys_dml "$t"); done

# --- a stateful change to the intermediate table
table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
	"INSERT INTO int_orders SELECT DISTINCT id, amount FROM src_orders WHERE amount > 0;"
run 2 plan --blue-green --detailed-exitcode --compact
for t in int_orders fct_big_orders fct_totals v_totals; do
	grep -Eq "^  \+ green +${t}_v2 +\(blue $t keeps serving\)$" "$T/out" || fail "no green ${t}_v2 shown"
done
grep -q "because: DML changed; stateful: SELECT DISTINCT at pipelines/intermediates/orders/int_orders/sql-scripts/dml.int_orders.sql:1" "$T/out" || fail "the reason of the green is not shown"
grep -q "Blue/green: 4 green versions (of the 4 to create), 4 extra running statements" "$T/out" ||
	fail "no count of extra running statements"
[ "$(grep -Ec '^  \+ green ' "$T/out")" = 4 ] || fail "not exactly 4 greens"
grep -Eq '^  [^ ]+ (create|start|replace-dml|rebuild|restart|drop) ' "$T/out" && fail "another action is planned: $(cat "$T/out")"
# JSON: action create with the green beside its blue; a saved plan shows the same
pc plan --blue-green --json >"$T/plan.json"
jq -e '[.actions[] | select(.green) | {table, action, p: .green.physical, b: .green.blue, v: .green.version}] | sort_by(.table)
	== [{"table":"fct_big_orders","action":"create","p":"fct_big_orders_v2","b":"fct_big_orders","v":2},
	    {"table":"fct_totals","action":"create","p":"fct_totals_v2","b":"fct_totals","v":2},
	    {"table":"int_orders","action":"create","p":"int_orders_v2","b":"int_orders","v":2},
	    {"table":"v_totals","action":"create","p":"v_totals_v2","b":"v_totals","v":2}]' "$T/plan.json" >/dev/null ||
	fail "plan --json greens: $(jq -c '[.actions[] | {table, action, green}]' "$T/plan.json")"
jq -e '.summary.green == 4 and .summary.extra_running_statements == 4 and .options.blue_green' "$T/plan.json" >/dev/null ||
	fail "plan --json summary: $(jq -c .summary "$T/plan.json")"
jq -e '[.actions[].steps[] | select(.step == "create_dml") | .sql | rtrimstr("\n")] | sort == [
	"INSERT INTO fct_big_orders_v2 SELECT id, amount FROM int_orders_v2 WHERE amount > 100;",
	"INSERT INTO fct_totals_v2 SELECT id, SUM(amount) FROM int_orders_v2 GROUP BY id;",
	"INSERT INTO int_orders_v2 SELECT DISTINCT id, amount FROM src_orders WHERE amount > 0;",
	"INSERT INTO v_totals_v2 SELECT id, total FROM fct_totals_v2;"]' "$T/plan.json" >/dev/null ||
	fail "green SQL: $(jq -c '[.actions[].steps[] | select(.step == "create_dml") | .sql]' "$T/plan.json")"
run 0 plan --blue-green --out "$T/bg.plan"
run 0 show "$T/bg.plan"
grep -Eq "^  \+ green +int_orders_v2 +\(blue int_orders keeps serving\)$" "$T/out" || fail "show does not show the green"
grep -q "Options: --blue-green" "$T/out" || fail "show does not show --blue-green"

# --- apply the saved plan: greens beside blue, nothing else touched
run 0 apply "$T/bg.plan" --auto-approve
for t in int_orders fct_big_orders fct_totals v_totals; do
	has_topic "${t}_v2" || fail "no topic ${t}_v2"
	[ "$(dml_phase "${t}_v2")" = RUNNING ] || fail "${t}_v2 is not RUNNING"
	[ "$(phys_dml "$t")" = "${blue[$t]}" ] || fail "blue $t changed its DML"
	[ "$(dml_phase "$t")" = RUNNING ] || fail "blue $t is not RUNNING"
	has_topic "$t" || fail "blue $t lost its topic"
done
[ "$(phys_dml int_users)" = "${blue[int_users]}" ] || fail "int_users was touched"
# no statement of before changed phase or went away (blue and the unimpacted keep running)
now=$(statements | jq -c '[.[] | {name, phase: .status.phase}] | sort_by(.name)')
jq -e -n --argjson b "$before" --argjson n "$now" '$b - $n == []' >/dev/null ||
	fail "statements changed under blue/green: $(jq -c -n --argjson b "$before" --argjson n "$now" '$b - $n')"
statements | jq -e '[.[] | select(.spec.statement | test("^DROP"))] | length == 0' >/dev/null || fail "something was dropped"
# names carry the version
phys_dml int_orders_v2 | grep -q -- '-pc-dml-int-orders-v2-' || fail "statement name without the version"
# blue keeps producing after the apply
b_before=$(consumed_total "${blue[int_orders]}" src_orders)
wait_until 20 bash -c "[ \$(curl -sf '$EMU_URL/emulator/v1/environments/$ENV_ID/statements/${blue[int_orders]}/audit' | jq '[.consumed.src_orders[]? | .to - .from] | add // 0') -gt $b_before ]" ||
	fail "blue int_orders stopped consuming"
# exact: each green read its input once from earliest; its topic has one writer (no duplicate)
read_once "$(phys_dml int_orders_v2)" src_orders || fail "int_orders_v2 did not read src_orders once from earliest"
read_once "$(phys_dml fct_big_orders_v2)" int_orders_v2 || fail "fct_big_orders_v2 did not read int_orders_v2 once from earliest"
read_once "$(phys_dml fct_totals_v2)" int_orders_v2 || fail "fct_totals_v2 did not read int_orders_v2 once"
read_once "$(phys_dml v_totals_v2)" fct_totals_v2 || fail "v_totals_v2 did not read fct_totals_v2 once"
for t in int_orders fct_big_orders fct_totals v_totals; do
	d=$(phys_dml "${t}_v2")
	wait_until 20 bash -c "[ -n \"\$(curl -sf '$EMU_URL/emulator/v1/environments/$ENV_ID/audit' | jq -r --arg t '${t}_v2' '.statements[] | select((.produced[\$t] // 0) > 0) | .name')\" ]" ||
		fail "nothing was produced into ${t}_v2"
	[ "$(writers "${t}_v2")" = "$d" ] || fail "${t}_v2 written by [$(writers "${t}_v2" | tr '\n' ' ')], expected only $d"
	audit "$d" | jq -e '.consumed | keys | all(test("_v2$") or . == "src_orders")' >/dev/null ||
		fail "${t}_v2 reads a blue table: $(audit "$d" | jq -c '.consumed | keys')"
done
run 0 plan --detailed-exitcode
grep -q "No changes" "$T/out" || fail "not converged after the blue/green apply"
run 0 plan --blue-green --detailed-exitcode

# --- a stateless change while the pair exists: green's DML replaced in place, blue untouched
table facts orders fct_big_orders "CREATE TABLE fct_big_orders (id INT, amount INT);" \
	"INSERT INTO fct_big_orders SELECT id, amount FROM int_orders WHERE amount > 200;"
old_green=$(phys_dml fct_big_orders_v2)
run 0 apply --auto-approve
expect_actions "replace-dml fct_big_orders_v2"
new_green=$(phys_dml fct_big_orders_v2)
[ "$new_green" != "$old_green" ] || fail "green's DML was not replaced"
[ "$(phys_dml fct_big_orders)" = "${blue[fct_big_orders]}" ] || fail "blue fct_big_orders was touched"
statements | jq -e --arg n "$new_green" '.[] | select(.name == $n) | .spec.statement | rtrimstr("\n") ==
	"INSERT INTO fct_big_orders_v2 SELECT id, amount FROM int_orders_v2 WHERE amount > 200;"' >/dev/null ||
	fail "the replacement does not write/read the green tables"
run 0 plan --detailed-exitcode

# --- strategy: blue-green in pipectl.yaml, table.yaml strategy: in-place opting a table out
table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
	"INSERT INTO int_users SELECT DISTINCT uid, name FROM src_users;"
run 2 plan --detailed-exitcode --compact
grep -Eq '^  -/\+ rebuild +int_users ' "$T/out" || fail "without a strategy int_users should rebuild: $(cat "$T/out")"
printf 'strategy: blue-green\n' >>"$P/pipectl.yaml"
run 2 plan --detailed-exitcode --compact
grep -Eq "^  \+ green +int_users_v2 +\(blue int_users keeps serving\)$" "$T/out" || fail "strategy: blue-green made no green"
printf 'strategy: in-place\n' >"$P/pipelines/intermediates/users/int_users/table.yaml"
run 2 plan --detailed-exitcode --compact
grep -Eq '^  -/\+ rebuild +int_users ' "$T/out" || fail "table.yaml strategy: in-place did not opt out: $(cat "$T/out")"
rm "$P/pipelines/intermediates/users/int_users/table.yaml"
# --- a stateful change under a pair: a v3 that retires the superseded v2, never blue
table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount) + 0 FROM int_orders GROUP BY id;"
pc plan fct_totals+ --json >"$T/plan.json"
jq -e '[.actions[] | select(.green.new) | {table, p: .green.physical, b: .green.blue, r: .green.retires}] | sort_by(.table) ==
	[{"table":"fct_totals","p":"fct_totals_v3","b":"fct_totals","r":"fct_totals_v2"},
	 {"table":"v_totals","p":"v_totals_v3","b":"v_totals","r":"v_totals_v2"}]' "$T/plan.json" >/dev/null ||
	fail "v3 plan: $(jq -c '[.actions[] | {table, action, green}]' "$T/plan.json")"
jq -e '[.actions[].steps[] | select(.step == "drop_table") | .table] | sort == ["fct_totals_v2","v_totals_v2"]' "$T/plan.json" >/dev/null ||
	fail "the v3 plan drops something else than the superseded greens"

echo "ok"
