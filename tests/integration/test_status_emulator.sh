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

# a replacement that fails: status names the failed statement and its exception
table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
	"INSERT INTO int_users SELECT uid, name FROM src_users WHERE uid > 1000;"
run 0 plan
grep -q "~ replace-dml  int_users" "$T/out" || fail "plan of a stateless change"
pc apply --auto-approve >"$T/out" 2>&1 && fail "apply of a failing statement succeeded"
run 0 status --json
jq -e '.tables[] | select(.name == "int_users") | .phase == "FAILED" and (.in_sync | not) and
       (.reason | startswith("FAILED: ")) and (.reason | contains("fail-statement"))' "$T/out" >/dev/null ||
	fail "status of a failed replacement: $(cat "$T/out")"
# plan retries the replacement from the old statement's offsets under a fresh name
run 2 plan --detailed-exitcode --json
jq -e '.actions[] | select(.table == "int_users") | .action == "replace-dml" and
       (.steps[0].statement as $n | $n != null) and .steps[0].carry_from != null' "$T/out" >/dev/null ||
	fail "plan after a failed replacement: $(cat "$T/out")"

# the change reverted: the old statement, stopped by the failed replacement, is resumed
table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
	"INSERT INTO int_users SELECT uid, name FROM src_users;"
run 0 status --json
jq -e '.tables[] | select(.name == "int_users") | .phase == "FAILED"' "$T/out" >/dev/null || fail "failed attempt still shown"
run 2 plan --detailed-exitcode
grep -q "> start  int_users  (DML stopped: resume it" "$T/out" || fail "plan of a stopped DML: $(cat "$T/out")"
run 0 apply --auto-approve
run 0 plan --detailed-exitcode
echo "ok"
