#!/usr/bin/env bash
# Two concurrent applies on one environment: the second fails at once with
# exit 3 and "locked by ... since ..." under --lock-timeout 0, or waits for
# the first and then applies. The lock statement is gone afterwards.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --ddl-ms 400 --pending-ms 1500
write_project

"$PIPECTL" -C "$P" apply --auto-approve >"$T/first.out" 2>&1 &
first=$!
BG_PIDS+=("$first")
wait_until 10 bash -c "curl -sf '$(API)/statements/it-pipectl-lock' >/dev/null" || fail "first apply never took the lock"
holder=$(curl -sf "$(API)/statements/it-pipectl-lock" | jq -r '.metadata.labels["user.confluent.io/pipectl-lock-holder"]')
[ -n "$holder" ] && [ "$holder" != null ] || fail "lock statement has no holder label"

# fail fast
run 3 apply --auto-approve --lock-timeout 0
grep -q "error: locked by $holder since 20" "$T/out" || fail "exit 3 without the holder and time"

# wait for it: the second one starts once the first is done
run 0 apply --auto-approve --lock-timeout 60s
grep -q "waiting up to 1m00s" "$T/out" || fail "the waiting apply did not say it waits"
wait "$first" || fail "first apply failed: $(tail -5 "$T/first.out")"
grep -q "Apply complete: 7 done" "$T/first.out" || fail "first apply did not complete"
grep -q "No changes" "$T/out" || fail "second apply did not see the first one's work"
statements | jq -e 'map(select(.name == "it-pipectl-lock")) | length == 0' >/dev/null || fail "lock left behind"
echo "ok"
