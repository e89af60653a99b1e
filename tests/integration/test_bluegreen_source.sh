#!/usr/bin/env bash
# A source's schema changes (the seeds' second scenario, issue #13 item 6):
# src_orders is the processing of an external CDC topic (raw_orders, declared
# in externals:); its new column makes `apply --blue-green` version it and
# every table downstream of it, each green reading the green of its parent
# (src_orders_v2 the external topic) once from earliest, while the other
# pipeline (src_users -> int_users) and every blue keep running untouched;
# `promote src_orders+` then retires every blue.
set -euo pipefail
source "$(dirname "$0")/bluegreen_lib.sh"

IMPACTED="src_orders int_orders fct_big_orders fct_totals v_totals"
DML_IMPACTED=$IMPACTED

# the emulator makes the external topic (and feeds it, as nothing writes it)
mkdir -p "$T/ext"
printf 'externals:\n  - name: raw_orders\n    ddl: raw_orders.sql\n' >"$T/ext/pipectl.yaml"
printf 'CREATE TABLE raw_orders (id INT, amount INT, note STRING);\n' >"$T/ext/raw_orders.sql"
start_emulator --project "$T/ext"
write_project
printf 'externals:\n  - name: raw_orders\n' >>"$P/pipectl.yaml"
table sources orders src_orders "CREATE TABLE src_orders (id INT, amount INT);" \
	"INSERT INTO src_orders SELECT id, amount FROM raw_orders;"
run 0 apply --auto-approve
blues=$(for t in $DML_IMPACTED; do dml_name "$t"; done)
others=$( (dmls_of src_users; dmls_of int_users) )

table sources orders src_orders "CREATE TABLE src_orders (id INT, amount INT, note STRING);" \
	"INSERT INTO src_orders SELECT id, amount, note FROM raw_orders;"
run 2 plan --blue-green --detailed-exitcode
for t in $IMPACTED; do
	grep -q "+ green  ${t}_v2  *(blue $t keeps serving)" "$T/out" || fail "plan does not show the green $t"
done
run 0 apply --blue-green --auto-approve
for t in $IMPACTED; do
	[ "$(versions_of "$t")" = "$t:blue ${t}_v2:green" ] || fail "$t: $(versions_of "$t")"
done
assert_running src_orders_v2 int_orders_v2 fct_big_orders_v2 fct_totals_v2 v_totals_v2
sql_of "$(dml_name int_orders_v2)" | grep -q 'src_orders_v2' || fail "int_orders_v2 does not read src_orders_v2"
sql_of "$(dml_name fct_totals_v2)" | grep -q 'int_orders_v2' || fail "fct_totals_v2 does not read int_orders_v2"
wait_produces "$(dml_name int_orders_v2)" int_orders_v2 0
exact_from_earliest "$(dml_name src_orders_v2)" raw_orders
exact_from_earliest "$(dml_name int_orders_v2)" src_orders_v2
exact_from_earliest "$(dml_name fct_big_orders_v2)" int_orders_v2
exact_from_earliest "$(dml_name fct_totals_v2)" int_orders_v2
exact_from_earliest "$(dml_name v_totals_v2)" fct_totals_v2
[ "$(for t in $DML_IMPACTED; do dml_name "$t"; done)" = "$blues" ] || fail "a blue statement changed"
assert_running $DML_IMPACTED
[ "$( (dmls_of src_users; dmls_of int_users) )" = "$others" ] || fail "the other pipeline was touched"
has_topic src_users_v2 && fail "src_users got a version"
run 0 plan --blue-green --detailed-exitcode

run 0 promote src_orders+ --auto-approve
for t in $IMPACTED; do
	has_topic "$t" && fail "blue $t is still there"
	[ "$(versions_of "$t")" = "${t}_v2:current" ] || fail "$t after promote: $(versions_of "$t")"
done
assert_running src_orders_v2 int_orders_v2 fct_big_orders_v2 fct_totals_v2 v_totals_v2 int_users
run 0 plan --detailed-exitcode

echo "ok"
