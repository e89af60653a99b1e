#!/usr/bin/env bash
# A renewal of a DDL record interrupted (issue #9 item 6; docs/reconcile.md,
# "Interruption"): the run stops (a short --action-timeout) while its new
# record is still PENDING. The rerun never creates a third record: while the
# new one is in flight the plan waits for it under its name, once it
# completed the plan only deletes the old one; then one record is left, the
# new one.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --pending-ms 100
printf 'reconcile:\n  renew_ddl_after: 6s\n' >>"$P/pipectl.yaml"
write_project
run 0 apply --auto-approve

LBL='user.confluent.io/pipectl'
ddl_records() {
	statements | jq -r --arg t "$1" --arg l "$LBL" '[.[] | select(.metadata.labels[$l + "-kind"] == "ddl"
		and .metadata.labels[$l + "-table-name"] == $t)] | sort_by(.metadata.created_at) | reverse | .[].name'
}
phase_of() { statements | jq -r --arg n "$1" '.[] | select(.name == $n) | .status.phase'; }
is_completed() { [ "$(phase_of "$1")" = COMPLETED ]; }
due() {
	pc plan --json src_users 2>/dev/null |
		jq -e '.actions[] | select(.table == "src_users") | .renew == "ddl-record"' >/dev/null
}
renewal_steps() { # the src_users steps of a fresh plan: "step statement" lines
	pc plan --json src_users | jq -r '.actions[] | select(.table == "src_users") | .steps[] | "\(.step) \(.statement)"'
}

R0=$(ddl_records src_users)
[ "$(grep -c . <<<"$R0")" = 1 ] || fail "src_users should have one DDL record, has: $R0"
wait_until 30 due || fail "src_users' DDL record never came due"

# the run stops while its new record is PENDING: the new record is held (no time window)
hold 'CREATE TABLE (IF NOT EXISTS )?src_users\b'
run 1 apply src_users --auto-approve --action-timeout 3s
RECS=$(ddl_records src_users)
[ "$(grep -c . <<<"$RECS")" = 2 ] || fail "expected the old and the new record, got: $RECS"
NEW=$(head -1 <<<"$RECS")
[ "$(tail -1 <<<"$RECS")" = "$R0" ] || fail "the old record is gone before the new one completed: $RECS"
is_held "$NEW" || fail "the new record $NEW is not the held one"

# the rerun's plan while the new record is in flight: wait for it under its name (never a third record)
steps=$(renewal_steps)
[ "$steps" = "run_ddl $NEW"$'\n'"delete_statement $R0" ] || fail "the rerun's renewal steps while in flight: [$steps]"
release
wait_until 20 is_completed "$NEW" || fail "the new record $NEW never completed"
[ "$(renewal_steps)" = "delete_statement $R0" ] || fail "with two records the rerun should only delete the older: [$(renewal_steps)]"
run 2 plan src_users --detailed-exitcode
grep -Eq "^  ~ renew +src_users +\(DDL record '$R0' is renewed by '$NEW': delete the older one\)" "$T/out" ||
	fail "the plan does not say the older record goes"

run 0 apply src_users --auto-approve
[ "$(ddl_records src_users)" = "$NEW" ] || fail "one record should be left, the new one: $(ddl_records src_users)"
echo "ok"
