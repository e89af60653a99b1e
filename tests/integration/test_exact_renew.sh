#!/usr/bin/env bash
# Keeping a DML-less table's DDL record alive (issue #9 item 6; Confluent
# deletes completed statements 30 days after they end, the emulator after
# --expire-completed-s). With reconcile.renew_ddl_after short, the plan
# renews the record before it expires (a noop with "renew": "ddl-record":
# the same CREATE TABLE IF NOT EXISTS under a new name, then the old record
# deleted), from a saved plan and from the loop; past the old record's
# expiry a DDL change in git is still seen (the plan rebuilds), and nothing
# was dropped on the way.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

EXPIRE_S=16
start_emulator --expire-completed-s "$EXPIRE_S"
printf 'reconcile:\n  renew_ddl_after: 5s\n' >>"$P/pipectl.yaml"
write_project
run 0 apply --auto-approve

LBL='user.confluent.io/pipectl'
# ddl_records TABLE: the names of TABLE's managed DDL statements, newest first
ddl_records() {
	statements | jq -r --arg t "$1" --arg l "$LBL" '[.[] | select(.metadata.labels[$l + "-kind"] == "ddl"
		and .metadata.labels[$l + "-table-name"] == $t)] | sort_by(.metadata.created_at) | reverse | .[].name'
}
stmt_json() { statements | jq -c --arg n "$1" '.[] | select(.name == $n)'; }
is_gone() { [ -z "$(stmt_json "$1")" ]; }
# due TABLE: the plan renews TABLE's DDL record
due() {
	pc plan --json 2>/dev/null |
		jq -e --arg t "$1" '.actions[] | select(.table == $t) | .action == "noop" and .renew == "ddl-record"' >/dev/null
}

R0=$(ddl_records src_users)
[ "$(grep -c . <<<"$R0")" = 1 ] || fail "src_users should have one DDL record, has: $R0"
FP0=$(stmt_json "$R0" | jq -r --arg l "$LBL" '.metadata.labels[$l + "-fp"]')
W_INT=$(dml_name int_users)
[ -n "$W_INT" ] || fail "int_users has no DML"
# a canary created after R0 completed: once the emulator deleted it, R0's expiry time has passed too
jq -n '{name: "canary-expiry", spec: {statement: "SHOW TABLES",
	properties: {"sql.current-catalog": "it-env", "sql.current-database": "lkc-local"}}}' |
	curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- "$(API)/statements" >/dev/null ||
	fail "could not create the canary statement"

# ---- 1. the record ages past renew_ddl_after: the plan renews it (a change: exit 2), from a saved plan
wait_until 30 due src_users || fail "the plan never renews src_users' DDL record: $(pc plan 2>&1 | tail -5)"
run 2 plan --detailed-exitcode --out "$T/renew.plan"
grep -Eq "^  ~ renew +src_users +\(DDL record '$R0' from [0-9-]{10} is [0-9]+ s old" "$T/out" ||
	fail "the plan does not show the renewal of src_users"
grep -Eq "; [0-9]+ DDL records? to renew; [0-9]+ unchanged\.$" "$T/out" || fail "the summary does not count the renewal"
! grep -Eq '^  (\+|>|~|-/\+|~>|-) (create|start|replace-dml|rebuild|restart|drop) ' "$T/out" ||
	fail "a renewal is not an action of its own: $(shown_actions)"
run 0 show "$T/renew.plan"
grep -Eq "^  ~ renew +src_users " "$T/out" || fail "show does not read the renewal back"
jq -e '.actions[] | select(.table == "src_users") | .action == "noop" and .renew == "ddl-record"
	and ([.steps[].step] == ["run_ddl", "delete_statement"])' "$T/renew.plan" >/dev/null ||
	fail "the saved plan's renewal: $(jq -c '.actions[] | select(.table == "src_users")' "$T/renew.plan")"
jq -e '.summary.renew >= 1 and .changes' "$T/renew.plan" >/dev/null || fail "summary.renew"
run 0 apply "$T/renew.plan" --auto-approve
grep -Eq "renew +src_users" "$T/out" || fail "apply does not report the renewal"

R1=$(ddl_records src_users)
[ "$(grep -c . <<<"$R1")" = 1 ] || fail "after the renewal src_users should have one DDL record, has: $R1"
[ "$R1" != "$R0" ] || fail "the record was not renewed"
is_gone "$R0" || fail "the old record $R0 was not deleted"
stmt_json "$R1" | jq -e --arg fp "$FP0" --arg l "$LBL" '.status.phase == "COMPLETED"
	and .metadata.labels[$l + "-fp"] == $fp and (.spec.statement | test("CREATE TABLE IF NOT EXISTS src_users"))' \
	>/dev/null || fail "the new record: $(stmt_json "$R1")"

# ---- 2. the loop renews too
wait_until 30 due src_users || fail "the renewed record never came due"
"$PIPECTL" -C "$P" reconcile --once >"$T/loop.log" 2>&1 || { cat "$T/loop.log" >&2; fail "reconcile --once failed"; }
R2=$(ddl_records src_users)
[ "$(grep -c . <<<"$R2")" = 1 ] && [ "$R2" != "$R1" ] && is_gone "$R1" ||
	fail "the loop did not renew src_users' record (records: $R2)"
pc history --json --limit 1 | jq -e '.executions[0].actions | map(select(.table == "src_users" and .action == "renew"
	and .result == "ok")) | length == 1' >/dev/null || fail "history does not record the loop's renewal"

# ---- 3. past the first record's expiry, a DDL change in git is still seen
table sources users src_users "CREATE TABLE src_users (uid INT, name STRING, email STRING);"
wait_until 60 is_gone canary-expiry || fail "the canary never expired"
run 2 plan --detailed-exitcode
expect_actions "rebuild int_users" "rebuild src_users"
grep -Eq "^  -/\+ rebuild +src_users +\(DDL changed\)" "$T/out" || fail "the DDL change is not the reason"
# nothing was dropped: the reader of src_users still runs, its one statement read it from offset 0 throughout
[ "$(dml_name int_users)" = "$W_INT" ] && [ "$(dml_phase int_users)" = RUNNING ] ||
	fail "int_users' DML changed: $(live_dmls int_users)"
audit "$W_INT" | jq -e '(.consumed.src_users | length) > 0 and all(.consumed.src_users[]; .from == 0)' >/dev/null ||
	fail "int_users' audit: $(audit "$W_INT")"
has_topic src_users || fail "src_users' topic is gone"
echo "ok"
