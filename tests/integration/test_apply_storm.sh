#!/usr/bin/env bash
# 429 and 5xx storms during apply: the provider's retries and the executor's
# tolerant waits make one apply converge; a rerun finds nothing to do.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --throttle-rate 0.3 --fail-rate 0.2 --seed 11
write_project
run 0 apply --auto-approve
grep -q "Apply complete: 7 done, 0 failed, 0 skipped." "$T/out" || fail "apply under a storm did not complete"
start_emulator # calm again: check the result exactly
assert_running int_orders fct_big_orders fct_totals v_totals int_users
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "not converged"
echo "ok"
