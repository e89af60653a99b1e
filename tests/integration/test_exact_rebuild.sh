#!/usr/bin/env bash
# Exactness of an interrupted create or rebuild (issue #9 items 2 and 11):
# - kill -9 after a brand-new table's DDL completed, before its DML: the
#   rerun starts the DML from earliest into the table the killed run made;
# - kill -9 after a rebuilt table's DDL completed, before its DML: the rerun
#   does not drop it again, nor cascade a second rebuild through its child;
# - a run that timed out with a DROP still PENDING: the rerun waits for that
#   DROP and issues none of its own, then creates the table again.
# The journal of the interrupted run, kept in the target, is what lets the
# rerun know. Checked from the emulator's state and audit.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

drops_of() { statements | jq --arg t "$1" '[.[] | select(.spec.statement | test("^DROP TABLE IF EXISTS `" + $t + "`"))] | length'; }
phase_of() { statements | jq -r --arg n "$1" '.[] | select(.name == $n) | .status.phase'; }
# planned statement name: plan_statement TABLE STEP
plan_statement() { jq -r --arg t "$1" --arg s "$2" '.actions[] | select(.table == $t) | .steps[] | select(.step == $s) | .statement' "$T/plan.json"; }
# from_earliest STATEMENT TOPIC: every partition of TOPIC consumed from offset 0
from_earliest() { audit "$1" | jq -e --arg t "$2" '(.consumed[$t] | length) > 0 and all(.consumed[$t][]; .from == 0)' >/dev/null; }

# kill_when_completed DDL DML: run apply in the background with every request about DML left
# unanswered (its create included: --hang-path matches a create as the path of the statement
# it names), kill -9 it once DDL is COMPLETED
kill_when_completed() {
	start_emulator --hang-path "/statements/$2\$"
	"$PIPECTL" -C "$P" apply --auto-approve --lock-ttl 1s >"$T/bg.out" 2>&1 &
	local pid=$!
	wait_until 30 bash -c "[ \"\$(curl -sf '$(API)/statements?page_size=100' | jq -r --arg n '$1' '.data[] | select(.name == \$n) | .status.phase')\" = COMPLETED ]" ||
		{ kill -9 "$pid"; fail "statement $1 never completed"; }
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	start_emulator
}

start_emulator
write_project
run 0 apply --auto-approve

# --- item 2, a brand-new table: killed between its DDL and its DML
table facts orders fct_new "CREATE TABLE fct_new (id INT, amount INT);" \
	"INSERT INTO fct_new SELECT id, amount FROM int_orders WHERE amount > 7;"
pc plan --json >"$T/plan.json"
ddl=$(plan_statement fct_new run_ddl)
dml=$(plan_statement fct_new create_dml)
kill_when_completed "$ddl" "$dml"
statements | jq -e --arg n "$dml" 'any(.[]; .name == $n) | not' >/dev/null || fail "the DML was created before the kill"
run 0 apply --auto-approve --lock-timeout 30s
grep -q "finishing the create of an interrupted run" "$T/out" || fail "the rerun did not finish the create"
[ "$(drops_of fct_new)" = 0 ] || fail "the table the killed run created was dropped"
[ "$(phase_of "$dml")" = RUNNING ] || fail "the DML of fct_new is not the planned one or not RUNNING"
from_earliest "$dml" int_orders || fail "fct_new's DML did not read int_orders from earliest"
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "not converged after the create"

# --- item 2, a rebuild: killed between the rebuilt table's DDL and its DML
table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, n INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount), COUNT(*) FROM int_orders GROUP BY id;"
table views orders v_totals "CREATE TABLE v_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO v_totals SELECT id, total FROM fct_totals;"
pc plan --json >"$T/plan.json"
ddl=$(plan_statement fct_totals run_ddl)
dml=$(plan_statement fct_totals create_dml)
[ -n "$ddl" ] || fail "no rebuild planned"
[ "$(drops_of fct_totals)" = 0 ] || fail "fct_totals dropped before"
kill_when_completed "$ddl" "$dml"
[ "$(drops_of fct_totals)" = 1 ] || fail "the killed run did not drop fct_totals once"
run 0 apply --auto-approve --lock-timeout 30s
[ "$(drops_of fct_totals)" = 1 ] || fail "fct_totals was dropped again by the rerun: $(drops_of fct_totals) drops"
[ "$(drops_of v_totals)" = 1 ] || fail "v_totals was dropped $(drops_of v_totals) times"
assert_running fct_totals v_totals
from_earliest "$(dml_name fct_totals)" int_orders || fail "fct_totals did not restart from earliest"
from_earliest "$(dml_name v_totals)" fct_totals || fail "v_totals did not read the new fct_totals from earliest"
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "not converged after the rebuild"

# --- item 11: a DROP still PENDING when the run timed out: waited for, never raced
table sources extra src_extra "CREATE TABLE src_extra (k INT);"
run 0 apply --auto-approve
table sources extra src_extra "CREATE TABLE src_extra (k INT, v STRING);"
# the DROP is held PENDING (no time window): the run times out on it, and the rerun plans
# while it is still PENDING; it is released once the rerun has planned. A rerun that raced it
# would issue a DROP of its own (held too, then run on the release: two DROPs).
start_emulator --hold 'DROP TABLE IF EXISTS `src_extra`'
run 1 apply --auto-approve --action-timeout 4s
[ "$(statements | jq -r '.[] | select(.spec.statement | test("^DROP TABLE IF EXISTS `src_extra`")) | .status.phase')" = PENDING ] ||
	fail "no DROP of src_extra left PENDING"
rerun_then_release "DROP statement '.*' of an interrupted run is still PENDING: wait for it"
[ "$(drops_of src_extra)" = 1 ] || fail "the rerun raced the pending DROP: $(drops_of src_extra) DROP statements"
has_topic src_extra || fail "src_extra is gone after the rerun"
statements | jq -e '[.[] | select(.spec.statement | test("CREATE TABLE src_extra \\(k INT, v STRING\\)")) | .status.phase] == ["COMPLETED"]' >/dev/null ||
	fail "the new DDL of src_extra did not run once"
start_emulator
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "not converged after the drop in flight"
echo "ok"
