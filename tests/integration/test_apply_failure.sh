#!/usr/bin/env bash
# A statement that FAILs mid-apply: its descendants are skipped, the
# independent branch goes on, the exception is shown, exit 1; once the fault
# is gone a rerun converges.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --fail-statement 'INSERT INTO int_orders'
write_project
run 1 apply --auto-approve
grep -q "Apply complete: 3 done, 1 failed, 3 skipped." "$T/out" || fail "wrong summary"
grep -q "skipped: 'int_orders' failed" "$T/out" || fail "skip reason missing"
grep -q "latest exception:" "$T/out" || fail "the statement's exception is not shown"
assert_running int_users
for t in fct_big_orders fct_totals v_totals; do
	has_topic "$t" && fail "$t was created although its parent failed"
done

start_emulator # same state, no fault
run 0 apply --auto-approve
grep -q "Apply complete: 4 done, 0 failed, 0 skipped." "$T/out" || fail "rerun did not converge"
assert_running int_orders fct_big_orders fct_totals v_totals int_users
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "not converged after the rerun"
echo "ok"
