#!/usr/bin/env bash
# A statement that FAILs mid-apply (issue 12, "Bad input"), in the waves of
# design.md §4 (a DML waits only for the tables it reads to exist):
# 1. one table's DDL fails while the others succeed: its descendants are
#    skipped exactly as before (no DML of theirs is created; their DDL may
#    have run in the DDL wave), the independent tables are done, exit 1, and
#    once the fault is gone a rerun converges (it adopts those DDLs);
# 2. one table's DML fails: a child whose DML was created before the failure
#    (it needed only the parent's table) is done, one created after it would
#    be skipped; the rerun rebuilds the parent and, its topic new, the
#    children; it converges.
# Every order is checked from the emulator's own timeline, never from timings.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

# ---- 1. a DDL fails
start_emulator --fail-statement 'CREATE TABLE int_orders' --ddl-ms 150 --pending-ms 400
write_project
run 1 apply --auto-approve
grep -q "Apply complete: 3 done, 1 failed, 3 skipped." "$T/out" || fail "wrong summary"
grep -q "skipped: 'int_orders' failed" "$T/out" || fail "skip reason missing"
grep -q "latest exception:" "$T/out" || fail "the statement's exception is not shown"
assert_running int_users
for t in int_orders fct_big_orders fct_totals v_totals; do
	[ -z "$(first_dml_seq "$t" PENDING)" ] || fail "a DML of $t was created although its DDL or an ancestor's failed"
done
assert_wave_order

start_emulator # same state, no fault
run 0 apply --auto-approve
grep -q "Apply complete: 4 done, 0 failed, 0 skipped." "$T/out" || fail "rerun did not converge"
assert_running int_orders fct_big_orders fct_totals v_totals int_users
assert_wave_order
# a child whose DDL ran is finished (its DDL adopted), never dropped: no DML of it ever read anything
grep -qE "^  -/\+ rebuild" "$T/out" && fail "the rerun rebuilds what the failed run skipped"
[ "$(timeline | jq '[.marks[] | select(.event == "DROPPED")] | length')" = 0 ] || fail "the rerun dropped a table"
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "not converged after the rerun"

# ---- 2. a DML fails
stop_emulator
rm -f "$T/emu-state.json"
start_emulator --fail-statement 'INSERT INTO int_orders' --ddl-ms 150 --pending-ms 400
run 1 apply --auto-approve
grep -q "FAILED create      int_orders" "$T/out" || fail "int_orders did not fail"
grep -q "latest exception:" "$T/out" || fail "the statement's exception is not shown"
failed=$(first_dml_seq int_orders FAILED)
[ -n "$failed" ] || fail "the timeline has no FAILED DML of int_orders"
done_n=3 skipped_n=0 # src_orders has no DML; int_users, fct_* and v_totals
for t in fct_big_orders fct_totals; do
	created=$(first_dml_seq "$t" PENDING)
	if [ -n "$created" ] && [ "$created" -lt "$failed" ]; then
		# created before its parent's DML failed: it reads the parent's table, which exists: done
		done_n=$((done_n + 1))
		grep -Eq "^  done +create +$t" "$T/out" || grep -q "create      $t" "$T/out" || fail "$t is not reported"
		assert_running "$t"
	else
		[ -z "$created" ] || fail "$t's DML was created after its parent's DML failed"
		skipped_n=$((skipped_n + 1))
		grep -q "skip   create      $t: skipped: 'int_orders' failed" "$T/out" || fail "$t is not skipped"
	fi
done
# v_totals reads fct_totals: done when its DML was created, else skipped
created=$(first_dml_seq v_totals PENDING)
if [ -n "$created" ]; then done_n=$((done_n + 1)); else skipped_n=$((skipped_n + 1)); fi
grep -q "Apply complete: $done_n done, 1 failed, $skipped_n skipped." "$T/out" ||
	fail "wrong summary (expected $done_n done, $skipped_n skipped): $(grep 'Apply complete' "$T/out")"
# the point of the waves: int_orders' children did not wait for its DML to run
assert_wave_order

start_emulator # same state, no fault
run 0 apply --auto-approve
grep -q "Apply complete: 4 done, 0 failed, 0 skipped." "$T/out" || fail "rerun did not converge"
assert_running int_orders fct_big_orders fct_totals v_totals int_users
assert_wave_order
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "not converged after the rerun"
echo "ok"
