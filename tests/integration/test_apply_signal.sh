#!/usr/bin/env bash
# SIGTERM during apply: the running steps finish, nothing new starts, the
# lock is released at once, the exit status is 1, and a rerun converges.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --ddl-ms 300 --pending-ms 1000
write_project
"$PIPECTL" -C "$P" apply --auto-approve --parallelism 1 >"$T/bg.out" 2>&1 &
pid=$!
BG_PIDS+=("$pid")
wait_until 10 bash -c "curl -sf '$(API)/statements/it-pipectl-lock' >/dev/null" || fail "apply never took the lock"
# mid-apply: some statement besides the lock has been created
created() { statements | jq -e 'map(select(.name != "it-pipectl-lock")) | length >= 1' >/dev/null; }
wait_until 10 created || fail "apply created nothing"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 1 ] || fail "apply exited $rc after SIGTERM, expected 1"
grep -q "Interrupted: interrupted by a signal" "$T/bg.out" || fail "no interruption notice: $(tail -3 "$T/bg.out")"
grep -q "skipped: interrupted by a signal" "$T/bg.out" || fail "nothing reported skipped"
statements | jq -e 'map(select(.name == "it-pipectl-lock")) | length == 0' >/dev/null || fail "lock not released"
# what was started finished: no statement is left PENDING by the interrupted run
# (a DML created last may still be starting in the emulator: wait for its pending time to pass)
none_pending() { statements | jq -e 'map(select(.status.phase == "PENDING")) | length == 0' >/dev/null; }
wait_until 10 none_pending || fail "a statement stays PENDING after the interrupted run"
run 0 apply --auto-approve --lock-timeout 0
assert_running int_orders fct_big_orders fct_totals v_totals int_users
echo "ok"
