#!/usr/bin/env bash
# SIGTERM during apply: the running steps finish, nothing new starts, the
# lock is released at once, the exit status is 1, and a rerun converges.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

# Every DML is held PENDING (emulator_lib.sh, `hold`): the signal certainly comes in the
# middle of an action, with actions left to skip, whatever the machine's speed.
start_emulator --ddl-ms 100 --pending-ms 150 --hold 'INSERT INTO'
write_project
"$PIPECTL" -C "$P" apply --auto-approve --parallelism 1 >"$T/bg.out" 2>&1 &
pid=$!
BG_PIDS+=("$pid")
wait_until 10 bash -c "curl -sf '$(API)/statements/it-pipectl-lock' >/dev/null" || fail "apply never took the lock"
# mid-apply: the first action's DML is held
wait_until 30 any_held || fail "apply created no DML"
running=$(held_names)
kill -TERM "$pid"
# the running step may finish: its DML is released; the hold stays for any other, so a run
# that went on after the signal would stall on its next DML and fail below
release "$running"
wait_until 60 exited "$pid" || { kill -9 "$pid" 2>/dev/null || true; fail "apply went on after SIGTERM: $(tail -3 "$T/bg.out")"; }
rc=0
wait "$pid" || rc=$?
[ "$rc" = 1 ] || fail "apply exited $rc after SIGTERM, expected 1"
grep -q "Interrupted: interrupted by a signal" "$T/bg.out" || fail "no interruption notice: $(tail -3 "$T/bg.out")"
grep -q "skipped: interrupted by a signal" "$T/bg.out" || fail "nothing reported skipped"
statements | jq -e 'map(select(.name == "it-pipectl-lock")) | length == 0' >/dev/null || fail "lock not released"
# what was started finished: no statement is left PENDING by the interrupted run
statements | jq -e 'map(select(.status.phase == "PENDING")) | length == 0' >/dev/null ||
	fail "a statement stays PENDING after the interrupted run: $(statements | jq -c '[.[] | select(.status.phase == "PENDING") | .name]')"
[ "$(statements | jq -r --arg n "$running" '.[] | select(.name == $n) | .status.phase')" = RUNNING ] ||
	fail "the running step's DML '$running' did not finish"
release
run 0 apply --auto-approve --lock-timeout 0
assert_running int_orders fct_big_orders fct_totals v_totals int_users
echo "ok"
