#!/usr/bin/env bash
# Under a 5xx storm (every request answers 500 or 503) the loop keeps a
# bounded request rate: one cycle per interval, the provider's bounded
# retries, no hot loop. Counted on both sides: the emulator stops serving
# (and the test fails) past --max-requests, and pipectl's own counters.
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

start_emulator
write_project
start_loop --interval 1s
wait_until 30 all_running || fail "the first cycles did not bring everything up"
stop_loop

# the storm: every request answers 500 or 503. The provider retries each
# request a bounded number of times with backoff; the loop then waits for
# the next interval: no hot loop.
start_emulator --fail-rate 1 --seed 7 --max-requests 300
start_loop --interval 1s
t0=$(date +%s)
wait_cycles_total 2 90 || fail "two cycles did not end within 90 s"
elapsed=$(( $(date +%s) - t0 ))
kill -0 "$EMU_PID" 2>/dev/null || fail "the loop made more than 300 requests (emulator --max-requests reached)"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$LOOP_URL/readyz")" = 503 ] || fail "/readyz is not 503 in the storm"
n5=$(metric 'pipectl_api_requests_total{code="5xx"}')
cycles=$(cycles_done)
[ "${n5%.*}" -ge 2 ] || fail "no 5xx counted: '$n5'"
# a cycle fails at its first list request: at most 6 attempts each
[ "${n5%.*}" -le $(( 6 * 2 * ${cycles%.*} )) ] || fail "$n5 requests for $cycles cycles"
[ $(( ${n5%.*} / (elapsed + 1) )) -le 5 ] || fail "$n5 requests in $elapsed s: not bounded"
metric_ge 'pipectl_cycles_total{result="error"}' 2 || fail "error cycles not counted"
stop_loop
# nothing was applied in the storm, and the loop recovers once it ends
start_emulator
start_loop --interval 1s
wait_until 20 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $LOOP_URL/readyz)\" = 200 ]" || fail "not ready after the storm"
all_running || fail "not everything runs after the storm"
stop_loop
echo ok
