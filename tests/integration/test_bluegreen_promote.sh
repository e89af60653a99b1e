#!/usr/bin/env bash
# Blue/green against the emulator (issue #13 items 3, 4, 6), the seeds'
# acceptance steps checked from the emulator's state and audit:
# - a stateful change to fct_totals, `apply --blue-green`: green versions of
#   fct_totals and exactly its descendant v_totals are created, each reading
#   its input once from earliest; blue keeps running (the same statements,
#   never stopped) and producing; the unimpacted tables are untouched;
# - `promote fct_totals+` retires blue (readers first), green is current;
#   status and history say so;
# - a second change after promotion gives _v3 beside _v2;
# - `rollback` of that fresh green leaves blue _v2 exactly as it was: its
#   statements never stopped, still RUNNING and producing.
set -euo pipefail
source "$(dirname "$0")/bluegreen_lib.sh"

start_emulator
write_project
run 0 apply --auto-approve
assert_running int_orders fct_big_orders fct_totals v_totals int_users
blue_totals=$(dml_name fct_totals)
blue_view=$(dml_name v_totals)
wait_produces "$blue_view" v_totals 0
untouched_before=$(for t in src_orders int_orders fct_big_orders src_users int_users; do dmls_of "$t"; done)

# --- apply --blue-green: greens of fct_totals and v_totals only
change_totals 1
run 2 plan --blue-green --detailed-exitcode
grep -q "+ green  fct_totals_v2  (blue fct_totals keeps serving)" "$T/out" || fail "plan does not show the green fct_totals"
grep -q "+ green  v_totals_v2  *(blue v_totals keeps serving)" "$T/out" || fail "plan does not show the green v_totals"
run 0 apply --blue-green --auto-approve
has_topic fct_totals_v2 || fail "no topic fct_totals_v2"
has_topic v_totals_v2 || fail "no topic v_totals_v2"
assert_running fct_totals_v2 v_totals_v2
green_totals=$(dml_name fct_totals_v2)
green_view=$(dml_name v_totals_v2)
sql_of "$green_view" | grep -q 'fct_totals_v2' || fail "green v_totals does not read fct_totals_v2: $(sql_of "$green_view")"
# blue: the same statements, never stopped, still producing
[ "$(dml_name fct_totals)" = "$blue_totals" ] || fail "blue fct_totals was replaced"
[ "$(dml_name v_totals)" = "$blue_view" ] || fail "blue v_totals was replaced"
assert_running fct_totals v_totals
before=$(produced "$blue_view" v_totals)
wait_produces "$blue_view" v_totals "$before"
# exactly the impacted set: nothing else has a new statement or version
[ "$(for t in src_orders int_orders fct_big_orders src_users int_users; do dmls_of "$t"; done)" = "$untouched_before" ] ||
	fail "an unimpacted table's statements changed"
for t in src_orders int_orders fct_big_orders src_users int_users; do
	has_topic "${t}_v2" && fail "unimpacted $t got a version"
done
# no duplicates: each green table counts each record of its input once
wait_produces "$green_view" v_totals_v2 0
exact_from_earliest "$green_totals" int_orders
exact_from_earliest "$green_view" fct_totals_v2
[ "$(versions_of fct_totals)" = "fct_totals:blue fct_totals_v2:green" ] || fail "status: $(versions_of fct_totals)"
jq -e '.green_pending == 2' "$T/status.json" >/dev/null || fail "status green_pending: $(jq .green_pending "$T/status.json")"
run 0 status
grep -q "fct_totals_v2" "$T/out" || fail "status text does not show the green version"
run 0 plan --blue-green --detailed-exitcode

# --- promote: blue retired, readers first; green is the current table
run 0 promote fct_totals+ --plan-only
expect_actions "drop fct_totals" "drop v_totals"
stmt_state >"$T/before-promote"
run 0 promote fct_totals+ --auto-approve
grep -q "Promote complete" "$T/out" || fail "promote did not complete"
has_topic fct_totals && fail "blue fct_totals is still there"
has_topic v_totals && fail "blue v_totals is still there"
[ -z "$(dmls_of fct_totals)" ] || fail "blue fct_totals statements left: $(dmls_of fct_totals)"
[ -z "$(dmls_of v_totals)" ] || fail "blue v_totals statements left: $(dmls_of v_totals)"
[ "$(dml_name fct_totals_v2)" = "$green_totals" ] && [ "$(dml_name v_totals_v2)" = "$green_view" ] ||
	fail "the green statements changed"
assert_running fct_totals_v2 v_totals_v2 int_orders
[ "$(versions_of fct_totals)" = "fct_totals_v2:current" ] || fail "status after promote: $(versions_of fct_totals)"
jq -e '.green_pending == 0 and (.tables[] | select(.name == "v_totals") | .in_sync and .current == "v_totals_v2")' \
	"$T/status.json" >/dev/null || fail "status after promote: $(cat "$T/status.json")"
jq -e '.orphans.topics == [] and .orphans.statements == []' "$T/status.json" >/dev/null ||
	fail "versions reported as orphans: $(jq -c .orphans "$T/status.json")"
run 0 plan --detailed-exitcode
run 0 plan --blue-green --detailed-exitcode
run 0 history --json
jq -e '.executions[0].kind == "promote" and (.executions[0].actions | map(.table) | sort) == ["fct_totals","v_totals"]' \
	"$T/out" >/dev/null || fail "history does not record the promote: $(head -c 600 "$T/out")"
run 1 promote fct_totals+ --auto-approve
grep -q "nothing to promote" "$T/out" || fail "a second promote: $(cat "$T/out")"

# --- a second change after promotion: _v3 beside _v2
change_totals 2
run 0 apply --blue-green --auto-approve
assert_running fct_totals_v3 v_totals_v3 fct_totals_v2 v_totals_v2
[ "$(versions_of v_totals)" = "v_totals_v2:blue v_totals_v3:green" ] || fail "after a second change: $(versions_of v_totals)"
sql_of "$(dml_name v_totals_v3)" | grep -q 'fct_totals_v3' || fail "v_totals_v3 does not read fct_totals_v3"
exact_from_earliest "$(dml_name fct_totals_v3)" int_orders

# --- rollback of the fresh green: blue _v2 exactly as it was
blue_before=$( (dmls_of fct_totals_v2; dmls_of v_totals_v2) )
produced_before=$(produced "$green_view" v_totals_v2)
run 0 rollback fct_totals+ --auto-approve
grep -q "Rollback complete" "$T/out" || fail "rollback did not complete"
has_topic fct_totals_v3 && fail "green fct_totals_v3 is still there"
has_topic v_totals_v3 && fail "green v_totals_v3 is still there"
[ -z "$(dmls_of fct_totals_v3)$(dmls_of v_totals_v3)" ] || fail "green statements left"
[ "$( (dmls_of fct_totals_v2; dmls_of v_totals_v2) )" = "$blue_before" ] || fail "blue's statements changed"
[ "$(audit "$green_view" | jq -r .phase)" = RUNNING ] || fail "blue v_totals_v2 stopped"
wait_produces "$green_view" v_totals_v2 "$produced_before"
# the audit: blue's statement read each partition in one range from 0, never restarted
exact_from_earliest "$green_view" fct_totals_v2
[ "$(versions_of fct_totals)" = "fct_totals_v2:current" ] || fail "status after rollback: $(versions_of fct_totals)"
# git still has the change: the next plan proposes it again
run 2 plan --blue-green --detailed-exitcode
run 0 plan --blue-green --json
jq -e '[.actions[] | select(.green) | .green.physical] | sort == ["fct_totals_v3","v_totals_v3"]' "$T/out" >/dev/null ||
	fail "the reverted green is not proposed again: $(jq -c '[.actions[] | {table, action, green}]' "$T/out")"
run 0 history --json
jq -e '.executions[0].kind == "rollback"' "$T/out" >/dev/null || fail "history does not record the rollback"

echo "ok"
