#!/usr/bin/env bash
# SIGTERM in the middle of a cycle: the actions already started finish, the
# lock is released, the exit status is 0, and no table is left half-applied
# (a table either exists with its DML running, or was not touched).
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

# Every DML is held PENDING (emulator_lib.sh, `hold`): the signal certainly comes while
# the first DML table's create is in flight, whatever the machine's speed.
start_emulator --ddl-ms 100 --pending-ms 150 --hold 'INSERT INTO'
write_project
start_loop --interval 1s --parallelism 1
wait_until 30 any_held || fail "no DML was ever created"
running=$(held_names)
tbl=$(statements | jq -r --arg n "$running" '.[] | select(.name == $n) | .metadata.labels["user.confluent.io/pipectl-table-name"]')
grep -q "table=$tbl action=create started" "$LOG" || fail "the held DML '$running' is not of a started create"
kill -TERM "$LOOP_PID"
# the started action may finish: its DML is released; the hold stays for any other, so a loop
# that went on after the signal would stall on its next DML and fail below
release "$running"
wait_until 60 exited "$LOOP_PID" || { kill -9 "$LOOP_PID" 2>/dev/null || true; fail "the loop went on after SIGTERM"; }
rc=0
wait "$LOOP_PID" || rc=$?
LOOP_PID=
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
grep -q "table=$tbl action=create done" "$LOG" || fail "the running action did not finish"
grep -q "stopping on signal" "$LOG" || fail "no shutdown line"
no_lock || fail "the lock statement was left behind"
tp=$(topics)
for t in $DML_TABLES; do
	d=$(live_dml "$t" | awk '{print $2}')
	if grep -qx "$t" <<<"$tp"; then
		[ "$d" = RUNNING ] || fail "table $t exists but its DML is '$d': half-applied"
	else
		[ -z "$d" ] || fail "table $t has a DML but no topic"
	fi
done
has_topic v_totals && fail "the loop went on after SIGTERM (v_totals created)"
# the next run converges
release
"$PIPECTL" -C "$P" reconcile --once >"$LOG" 2>&1 || fail "the next run failed"
all_running || fail "the next run did not converge"
echo ok
