#!/usr/bin/env bash
# status against the emulator over HTTP: in sync after apply, a failed
# replacement reported with the statement's own exception, and plan's view
# of it (the replacement retried; reverted, the stopped old DML is resumed).
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --fail-statement 'uid > 1000'
write_project
run 0 apply --auto-approve
run 0 status
grep -q "7 of 7 tables in sync." "$T/out" || fail "status after apply"
run 0 status --json
jq -e '.format_version == "1" and (.tables | length) == 7 and all(.tables[]; .in_sync) and
       .orphans.statements == [] and .orphans.topics == []' "$T/out" >/dev/null || fail "status --json after apply"

# a replacement that fails: the old statement is resumed (its offsets are intact), the failed one
# deleted, the failure reported; status says the SQL differs while the old one runs
old=$(dml_name int_users)
table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
	"INSERT INTO int_users SELECT uid, name FROM src_users WHERE uid > 1000;"
run 0 plan
grep -q "~ replace-dml  int_users" "$T/out" || fail "plan of a stateless change"
pc apply --auto-approve >"$T/out" 2>&1 && fail "apply of a failing statement succeeded"
grep -q "fail-statement" "$T/out" || fail "the failure is not reported"
grep -q "the pipeline keeps flowing: '$old' resumed, the failed '.*' deleted" "$T/out" || fail "the undo is not reported"
[ "$(dml_name int_users)" = "$old" ] || fail "the old statement is not the one running"
assert_running int_users
[ "$(statements | jq '[.[] | select(.status.phase == "FAILED")] | length')" = 0 ] || fail "a FAILED statement was left behind"
run 0 status --json
jq -e '.tables[] | select(.name == "int_users") | .phase == "RUNNING" and (.in_sync | not) and
       .reason == "SQL differs"' "$T/out" >/dev/null || fail "status of a failed replacement: $(cat "$T/out")"
# plan retries the replacement from the old statement's offsets
run 2 plan --detailed-exitcode --json
jq -e --arg old "$old" '.actions[] | select(.table == "int_users") | .action == "replace-dml" and
       (.steps[0].statement as $n | $n != null) and .steps[0].carry_from == $old' "$T/out" >/dev/null ||
	fail "plan after a failed replacement: $(cat "$T/out")"

# the change reverted: the resumed old statement is exactly what git says
table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
	"INSERT INTO int_users SELECT uid, name FROM src_users;"
run 0 plan --detailed-exitcode
run 0 status
grep -q "7 of 7 tables in sync." "$T/out" || fail "status after the revert: $(cat "$T/out")"
echo "ok"
