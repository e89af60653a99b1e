#!/usr/bin/env bash
# apply against the emulator: a fresh apply runs everything; a re-plan and a
# formatting-only edit change nothing; no terminal without --auto-approve is
# refused; secrets never appear in the output.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator
write_project

# no terminal, no --auto-approve: refused before anything happens
pc apply </dev/null >"$T/out" 2>&1 && fail "apply without a terminal and without --auto-approve succeeded"
grep -q "error: refusing to apply without --auto-approve when stdin is not a terminal" "$T/out" ||
	fail "missing refusal message"
[ "$(statements | jq length)" = 0 ] || fail "a refused apply created statements"

# fresh apply
run 0 apply --auto-approve
grep -q "Apply complete: 7 done, 0 failed, 0 skipped." "$T/out" || fail "wrong summary"
if grep -q -e flink-secret-value -e kafka-secret-value "$T/out"; then fail "a secret was printed"; fi
assert_running int_orders fct_big_orders fct_totals v_totals int_users
has_topic src_orders || fail "src_orders topic missing"
has_topic src_users || fail "src_users topic missing"
# the lock is released
statements | jq -e 'map(select(.name == "it-pipectl-lock")) | length == 0' >/dev/null || fail "lock left behind"
for t in int_orders fct_big_orders fct_totals v_totals int_users; do
	[ "$(live_dmls "$t" | wc -l)" = 1 ] || fail "table $t has more than one live DML"
done

# nothing changed: no changes, exit 0
run 0 plan --detailed-exitcode
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "second apply was not a no-op"

# formatting only: comments, blank lines, keyword case
d="$P/pipelines/intermediates/orders/int_orders/sql-scripts"
cat >"$d/dml.int_orders.sql" <<'SQL'
-- keep only real orders
insert   into int_orders
  select id,
         amount   /* the amount */
  from src_orders
  where amount > 0;
SQL
run 0 plan --detailed-exitcode
before=$(dml_name int_orders)
run 0 apply --auto-approve
[ "$(dml_name int_orders)" = "$before" ] || fail "a formatting-only edit replaced the statement"
echo "ok"
