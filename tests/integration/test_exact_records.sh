#!/usr/bin/env bash
# What the target records about a table (issue #9 item 3):
# - protect: true added after deployment is recorded in the target (the DDL
#   again as CREATE TABLE IF NOT EXISTS, labelled), so --prune refuses to
#   drop the table once its folder is gone;
# - protect: selectors in pipectl.yaml survive a folder's removal.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator
write_project
run 0 apply --auto-approve

# --- item 3: protect: true after deployment
printf 'protect: true\n' >"$P/pipelines/facts/orders/fct_big_orders/table.yaml"
run 2 plan --detailed-exitcode
grep -q "> start  fct_big_orders  (protect: true came after the table was made" "$T/out" || fail "no record planned"
run 0 apply --auto-approve
statements | jq -e '[.[] | select(.metadata.labels["user.confluent.io/pipectl-table-name"] == "fct_big_orders" and
	.metadata.labels["user.confluent.io/pipectl-protect"] == "true" and (.spec.statement | test("IF NOT EXISTS")))
	| .status.phase] == ["COMPLETED"]' >/dev/null || fail "the protection is not recorded in the target"
assert_running fct_big_orders
run 0 plan --detailed-exitcode
rm -rf "$P/pipelines/facts/orders/fct_big_orders"
run 1 plan --prune
grep -q "cannot drop 'fct_big_orders', gone from git: it was protected" "$T/out" || fail "plan --prune: $(cat "$T/out")"

# --- item 3: protect: selectors in pipectl.yaml, the folder gone
printf 'protect: [fct_big_orders, "layer:views"]\n' >>"$P/pipectl.yaml"
rm -rf "$P/pipelines/intermediates/users"
sed -i 's/protect: \[fct_big_orders, "layer:views"\]/protect: [fct_big_orders, int_users, "layer:views"]/' "$P/pipectl.yaml"
run 1 plan --prune
grep -q "cannot drop '.*', gone from git: it is protected (protect: .* in pipectl.yaml)" "$T/out" ||
	fail "plan --prune with protect selectors: $(cat "$T/out")"
has_topic int_users || fail "int_users is gone"
# a protected layer: a rebuild of its table is refused with the selector named
table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount) + 1 FROM int_orders GROUP BY id;"
run 1 plan
grep -q "table 'v_totals' is protected (protect: layer:views in pipectl.yaml) but would be rebuilt" "$T/out" ||
	fail "rebuild of a protected layer: $(cat "$T/out")"

echo "ok"
