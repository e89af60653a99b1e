#!/usr/bin/env bash
# Exactness of an interrupted or failed replace-dml (issue #9 items 1, 5, 12):
# - timed out after the old statement stopped: the rerun deletes the stopped
#   old statement (never left as a future carry-over source);
# - timed out while the old statement is STOPPING and the new one PENDING on
#   it: the rerun finishes the replacement, it never cuts the carry-over;
# - the new statement FAILS: the old one is resumed, the failed one deleted.
# Each checked from the emulator's state and audit: one writer, offsets
# handed over exactly (the new statement's `from` is the old one's `to`).
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

# exact_handover OLD NEW TOPIC: per partition, NEW starts where OLD stopped.
exact_handover() {
	local old_to new_from
	old_to=$(audit "$1" | jq -c --arg t "$3" '[.consumed[$t][] | {p: .partition, o: .to}] | sort_by(.p)')
	new_from=$(audit "$2" | jq -c --arg t "$3" '[.consumed[$t][] | {p: .partition, o: .from}] | sort_by(.p)')
	[ "$old_to" != "[]" ] || fail "$1 consumed nothing from $3"
	[ "$old_to" = "$new_from" ] || fail "offsets of $3 not handed over exactly from $1 to $2: $old_to vs $new_from"
}
dml_of() { statements | jq -r --arg t "$1" '.[] | select(.metadata.labels["user.confluent.io/pipectl-kind"] == "dml"
	and .metadata.labels["user.confluent.io/pipectl-table-name"] == $t) | "\(.name) \(.status.phase)"' | sort; }
exists() { statements | jq -e --arg n "$1" 'any(.[]; .name == $n)' >/dev/null; }
phase_of() { statements | jq -r --arg n "$1" '.[] | select(.name == $n) | .status.phase'; }
users_dml() { table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
	"INSERT INTO int_users SELECT uid, name FROM src_users WHERE uid > $1;"; }

start_emulator
write_project
run 0 apply --auto-approve

# --- item 1: timed out after the old statement stopped, before it was deleted
# (the new statement is held PENDING, so the run times out there whatever the machine's
# speed: the timeout only bounds how long the run takes to reach that phase)
old=$(dml_name int_users)
start_emulator --hold 'uid > 1\b'
users_dml 1
run 1 apply --auto-approve --action-timeout 4s
new=$(statements | jq -r --arg o "$old" '.[] | select(.metadata.labels["user.confluent.io/pipectl-table-name"] == "int_users"
	and .metadata.labels["user.confluent.io/pipectl-kind"] == "dml" and .name != $o) | .name')
[ -n "$new" ] || fail "the replacement was not created"
[ "$(phase_of "$old")" = STOPPED ] || fail "old statement is $(phase_of "$old"), expected STOPPED"
is_held "$new" || fail "the replacement '$new' is not the held one"
release
wait_until 20 bash -c "[ \"\$(curl -sf '$(API)/statements/$new' | jq -r .status.phase)\" = RUNNING ]" ||
	fail "the replacement never ran"
start_emulator
run 0 apply --auto-approve
grep -q "No changes" "$T/out" && fail "the rerun left the stopped old statement behind"
grep -q "older DML statement of the table left by an interrupted run" "$T/out" || fail "reason not shown"
exists "$old" && fail "the stopped old statement '$old' is still there"
[ "$(dml_of int_users)" = "$new RUNNING" ] || fail "int_users DMLs: $(dml_of int_users)"
exact_handover "$old" "$new" src_users
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "not converged"

# --- a rerun at once: the old one STOPPED, the new one still PENDING on it (found by the
# fault-injection test, seed 1081): the old one is deleted only once the new one runs.
# The new one is held PENDING until the rerun has planned (no time window: a rerun that
# planned after it ran would not say "finishing"); the bug deletes the old one first, and
# the held new one then FAILS on its release (its carry-over source is gone).
old=$new
start_emulator --hold 'uid > 11\b'
users_dml 11
run 1 apply --auto-approve --action-timeout 4s
new=$(statements | jq -r --arg o "$old" '.[] | select(.metadata.labels["user.confluent.io/pipectl-table-name"] == "int_users"
	and .metadata.labels["user.confluent.io/pipectl-kind"] == "dml" and .name != $o) | .name')
[ "$(phase_of "$old")" = STOPPED ] && [ "$(phase_of "$new")" = PENDING ] ||
	fail "expected the old one STOPPED and the new one PENDING: $(phase_of "$old") $(phase_of "$new")"
rerun_then_release "finishing an interrupted replacement"
[ "$(dml_of int_users)" = "$new RUNNING" ] || fail "int_users DMLs after the rerun: $(dml_of int_users)"
[ "$(statements | jq '[.[] | select(.status.phase == "FAILED")] | length')" = 0 ] || fail "a statement FAILED"
exact_handover "$old" "$new" src_users
start_emulator

# --- item 12: timed out with the old one STOPPING and the new one PENDING on it
# (the old one is held STOPPING until the rerun has planned, as above)
old=$new
start_emulator --hold "^$old\$"
users_dml 2
run 1 apply --auto-approve --action-timeout 4s
[ "$(phase_of "$old")" = STOPPING ] || fail "old statement is $(phase_of "$old"), expected STOPPING"
new=$(statements | jq -r --arg o "$old" '.[] | select(.metadata.labels["user.confluent.io/pipectl-table-name"] == "int_users"
	and .metadata.labels["user.confluent.io/pipectl-kind"] == "dml" and .name != $o) | .name')
[ "$(phase_of "$new")" = PENDING ] || fail "new statement is $(phase_of "$new"), expected PENDING"
rerun_then_release "finishing an interrupted replacement"
exists "$old" && fail "old statement still there"
[ "$(dml_of int_users)" = "$new RUNNING" ] || fail "int_users DMLs after the rerun: $(dml_of int_users)"
[ "$(statements | jq '[.[] | select(.status.phase == "FAILED")] | length')" = 0 ] || fail "a statement FAILED"
exact_handover "$old" "$new" src_users
start_emulator
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "not converged after finishing the replacement"

# --- item 5: the new statement FAILS: the old one is resumed and the failed one deleted, each time
old=$new
start_emulator --fail-statement 'uid > 3'
users_dml 3
for attempt in 1 2; do
	run 1 apply --auto-approve
	grep -q "the pipeline keeps flowing: '$old' resumed, the failed '.*' deleted" "$T/out" ||
		fail "attempt $attempt: the undo is not reported"
	[ "$(dml_of int_users)" = "$old RUNNING" ] || fail "attempt $attempt: int_users DMLs: $(dml_of int_users)"
	[ "$(statements | jq '[.[] | select(.status.phase == "FAILED")] | length')" = 0 ] ||
		fail "attempt $attempt left a FAILED statement"
	assert_running fct_big_orders fct_totals v_totals
done
# the old statement resumed from its own offsets: its consumed ranges have no gap and no overlap
audit "$old" | jq -e '.consumed.src_users | length > 0' >/dev/null || fail "no audit of $old"
start_emulator
run 0 apply --auto-approve
new=$(dml_name int_users)
[ "$new" != "$old" ] || fail "the replacement did not happen without the fault"
exact_handover "$old" "$new" src_users
echo "ok"
