#!/usr/bin/env bash
# The reconcile rules applied for real: a stateless DML change is a
# replace-dml (children untouched; the audit shows no offset gap or overlap);
# a stateful change rebuilds it and its descendants and nothing else; a DDL
# change rebuilds; --dml-only restarts; --force rebuilds; a pool change
# restarts on the new pool; removal with and without --prune; protect.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator
write_project
run 0 apply --auto-approve

# ---- stateless DML change: replace-dml only ----
old=$(dml_name int_orders)
kids_before="$(dml_name fct_big_orders) $(dml_name fct_totals) $(dml_name v_totals)"
# let records flow so the carry-over has offsets to carry
has_read() { consumed src_orders "$old" | awk '$3 > 0 {f=1} END {exit !f}'; }
wait_until 10 has_read || fail "$old read nothing from src_orders"
table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
	"INSERT INTO int_orders SELECT id, amount FROM src_orders WHERE amount > 1;"
run 0 apply --auto-approve
expect_actions "replace-dml int_orders"
new=$(dml_name int_orders)
[ -n "$new" ] && [ "$new" != "$old" ] || fail "int_orders was not replaced"
assert_running int_orders fct_big_orders fct_totals v_totals
kids_after="$(dml_name fct_big_orders) $(dml_name fct_totals) $(dml_name v_totals)"
[ "$kids_before" = "$kids_after" ] || fail "children were touched by a replace-dml"
statements | jq -e --arg o "$old" 'map(select(.name == $o)) | length == 0' >/dev/null || fail "old statement not deleted"
# no gap, no overlap: per partition the new statement starts where the old one stopped
old_c=$(consumed src_orders "$old")
new_c=$(consumed src_orders "$new")
[ -n "$old_c" ] || fail "no audit for $old"
while read -r part from to; do
	nfrom=$(awk -v p="$part" '$1 == p {print $2}' <<<"$new_c")
	[ "$nfrom" = "$to" ] || fail "partition $part: old statement read up to $to, new one started at '$nfrom'"
done <<<"$old_c"

# ---- stateful DML change: rebuild it and its descendants, nothing else ----
table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, MAX(amount) FROM int_orders GROUP BY id;"
keep="$(dml_name int_orders) $(dml_name fct_big_orders) $(dml_name int_users)"
run 0 apply --auto-approve
expect_actions "rebuild fct_totals" "rebuild v_totals"
assert_running fct_totals v_totals
[ "$keep" = "$(dml_name int_orders) $(dml_name fct_big_orders) $(dml_name int_users)" ] ||
	fail "a stateful change touched tables outside its descendants"

# ---- DDL change: rebuild ----
table facts orders fct_big_orders "CREATE TABLE fct_big_orders (id INT, amount INT, note STRING);" \
	"INSERT INTO fct_big_orders SELECT id, amount, 'big' FROM int_orders WHERE amount > 100;"
run 0 apply --auto-approve
expect_actions "rebuild fct_big_orders"
assert_running fct_big_orders

# ---- --dml-only: what would rebuild restarts, the table is kept ----
table facts orders fct_big_orders "CREATE TABLE fct_big_orders (id INT, amount INT, note STRING, x INT);" \
	"INSERT INTO fct_big_orders SELECT id, amount, 'big', 1 FROM int_orders WHERE amount > 100;"
run 0 apply --auto-approve --dml-only fct_big_orders
expect_actions "restart fct_big_orders"
assert_running fct_big_orders
# (put the DDL back as the table was made, so the next steps start clean)
run 0 apply --auto-approve

# ---- --force: rebuild although nothing changed ----
old=$(dml_name int_users)
run 0 apply --auto-approve --force int_users
expect_actions "rebuild int_users"
assert_running int_users
[ "$(dml_name int_users)" != "$old" ] || fail "--force did not make a new statement"

# ---- pool change: stop, resume on the new pool (same statement, state kept) ----
old=$(dml_name int_users)
printf 'compute_pool: lfcp-other\n' >"$P/pipelines/intermediates/users/int_users/table.yaml"
run 0 apply --auto-approve
expect_actions "start int_users"
[ "$(dml_name int_users)" = "$old" ] || fail "a pool change made a new statement"
pool=$(statements | jq -r --arg n "$old" '.[] | select(.name == $n) | .spec.compute_pool_id')
[ "$pool" = lfcp-other ] || fail "int_users runs on '$pool', expected lfcp-other"
assert_running int_users

# ---- removal: orphan without --prune, dropped with it ----
rm -rf "$P/pipelines/intermediates/users"
run 0 apply --auto-approve
grep -q "orphan: 'int_users'" "$T/out" || fail "orphan not reported"
has_topic int_users || fail "int_users dropped without --prune"
run 0 apply --auto-approve --prune
expect_actions "drop int_users"
has_topic int_users && fail "int_users still there after --prune"
[ -z "$(live_dmls int_users)" ] || fail "int_users still has a DML"

# ---- protect: a rebuild of a protected table is refused, nothing changes ----
mkdir -p "$P/pipelines/facts/orders/fct_totals"
printf 'protect: true\n' >"$P/pipelines/facts/orders/fct_totals/table.yaml"
table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, MIN(amount) FROM int_orders GROUP BY id;"
before=$(dml_name fct_totals)
run 1 apply --auto-approve
grep -q "fct_totals" "$T/out" || fail "protect error does not name the table"
[ "$(dml_name fct_totals)" = "$before" ] || fail "a protected table was touched"
echo "ok"
