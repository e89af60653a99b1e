#!/usr/bin/env bash
# The waves of design.md §4 (issue 12): create, a rebuild cascade, a restart
# (--dml-only) and a destroy, each checked from the emulator's own timeline:
# no DML created before the tables it reads exist, no table dropped while a
# statement reading it is not stopped, and (the point) a child's DML created
# before its parent's DML reached RUNNING; a destroy stops every reader before
# any drop waits for a deeper one. DML PENDING 3 s as on Confluent Cloud, so
# an executor that waits for a parent's DML to run could not pass.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --ddl-ms 300 --pending-ms 3000
write_project

# before PARENT CHILD: the child's DML was created before the parent's current DML ran.
before() {
	local running created
	running=$(first_dml_seq "$1" RUNNING)
	created=$(first_dml_seq "$2" PENDING)
	[ -n "$running" ] && [ -n "$created" ] || fail "no DML marks for $1 or $2"
	[ "$created" -lt "$running" ] || fail "$2's DML (mark $created) waited for $1's DML to run (mark $running)"
}

# ---- create: four layers (src_orders, int_orders, fct_totals, v_totals)
run 0 apply --auto-approve
assert_running int_orders fct_big_orders fct_totals v_totals int_users
assert_wave_order
before int_orders fct_big_orders
before int_orders fct_totals
before fct_totals v_totals

# ---- a rebuild cascade: int_orders' DDL changes; its children rebuild with it
stop_emulator
start_emulator --ddl-ms 300 --pending-ms 3000 # a fresh timeline, the same state
table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT, note STRING);" \
	"INSERT INTO int_orders SELECT id, amount, 'x' FROM src_orders WHERE amount > 0;"
run 0 apply --auto-approve
grep -q "Apply complete: 4 done, 0 failed, 0 skipped." "$T/out" || fail "the cascade did not rebuild 4 tables"
assert_running int_orders fct_big_orders fct_totals v_totals
assert_wave_order
before int_orders fct_totals
before fct_totals v_totals

# ---- a restart cascade (--dml-only): fct_totals' stateful DML changes
stop_emulator
start_emulator --ddl-ms 300 --pending-ms 3000
table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount) + 1 FROM int_orders GROUP BY id;"
run 0 apply --auto-approve --dml-only
grep -q "Apply complete: 2 done, 0 failed, 0 skipped." "$T/out" || fail "the restart cascade did not run"
assert_running fct_totals v_totals
assert_wave_order
before fct_totals v_totals

# ---- destroy: every stop side by side, each drop once its readers are stopped
stop_emulator
start_emulator --ddl-ms 300 --pending-ms 3000
run 0 destroy product:orders --auto-approve
for t in src_orders int_orders fct_big_orders fct_totals v_totals; do
	has_topic "$t" && fail "$t was not dropped"
done
assert_wave_order
# int_orders' DML (two layers above v_totals) stopped before v_totals' topic was dropped
stopping=$(first_dml_seq int_orders STOPPING)
dropped=$(timeline | jq -r '[.marks[] | select(.topic == "v_totals" and .event == "DROPPED")][0].seq // ""')
[ -n "$stopping" ] && [ -n "$dropped" ] || fail "no stop of int_orders or drop of v_totals on the timeline"
[ "$stopping" -lt "$dropped" ] || fail "int_orders' stop waited for v_totals' drop"
assert_running int_users
echo "ok"
