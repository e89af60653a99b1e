#!/usr/bin/env bash
# reconcile repairs drift made behind its back, each within a cycle or two of
# a 1 s interval: a DML deleted, a DML stopped, a DML FAILED (its source
# topic deleted), a topic deleted. Then SIGTERM: exit 0 and no lock left.
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

# --topic-linger-ms 0: step 3 deletes a topic behind pipectl's back and checks the
# repair within 20 s; with Kafka's asynchronous deletion a cycle may see the topic
# for a moment, fail its reader and back off for 30 s (first_contact covers lingering)
start_emulator --topic-linger-ms 0
write_project
# --backoff 2s: the snapshot lists topics and statements one after the other,
# so a cycle can see the src_orders topic still there and int_orders already
# FAILED (step 3); its restart then fails once and backs off (30 s by default,
# and the plan defers src_orders' create behind the backing-off child), which
# on a loaded machine outlasts the 20 s wait below. Repair within a few short
# backoffs is what this test checks.
start_loop --interval 1s --allow-destructive --backoff 2s --max-backoff 4s
wait_until 30 all_running || fail "the first cycles did not bring everything up"
grep -q '"msg"' "$LOG" && fail "text logs expected by default"
grep -q 'cycle=1 commit=worktree plan:' "$LOG" || fail "the plan line names no cycle/commit"

# 1. a DML deleted
old=$(dml_name int_orders)
delete_statement "$old"
wait_until 20 all_running || fail "deleted DML of int_orders not repaired"

# 2. a DML stopped
name=$(dml_name v_totals)
stop_statement "$name"
wait_until 20 grep -q "table=v_totals action=start started" "$LOG" || fail "the stopped DML was not started again"
wait_until 20 all_running || fail "stopped DML of v_totals not repaired"
[ "$(dml_name v_totals)" = "$name" ] || fail "a stopped DML is resumed, not replaced"

# 3. a DML FAILED: the topic it reads is deleted
delete_topic src_orders
wait_until 20 all_running || fail "src_orders topic / FAILED int_orders not repaired"

# 4. a topic deleted (and the stateful reader of it fails)
delete_topic fct_totals
wait_until 30 all_running || fail "deleted topic fct_totals not repaired"
for t in $DML_TABLES; do live_dml "$t" >/dev/null; done # no duplicates

stop_loop
no_lock || fail "the lock statement was left behind"
grep -q "stopping on signal" "$LOG" || fail "no shutdown line in the log"
if grep -q -e flink-secret-value -e kafka-secret-value "$LOG"; then fail "a secret was logged"; fi
echo ok
