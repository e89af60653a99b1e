#!/usr/bin/env bash
# Rules of docs/reconcile.md that decide what is exact (issue #9 items 4, 7, 9):
# - a new input (a parent *created*) read by a changed stateless,
#   append-only DML is a replace-dml, not a rebuild of its subtree;
# - formatting is not a change: backticks around plain names, IF NOT EXISTS;
# - a project with errors is never planned (a DML without a DDL).
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator
write_project
run 0 apply --auto-approve

# --- item 9: the same SQL, formatted otherwise
table intermediates users int_users "CREATE TABLE IF NOT EXISTS \`int_users\` (\`uid\` INT, name STRING);" \
	"INSERT INTO \`int_users\` SELECT \`uid\`, \`name\` FROM src_users;"
table sources orders src_orders "CREATE TABLE IF NOT EXISTS src_orders (id INT, amount INT);"
run 0 plan --detailed-exitcode
grep -q "No changes" "$T/out" || fail "formatting taken for a change"

# --- item 4: a new source and a branch reading it, in a stateless append-only DML
old=$(dml_name int_orders)
table sources orders src_refunds "CREATE TABLE src_refunds (id INT, amount INT);"
table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
	"INSERT INTO int_orders SELECT id, amount FROM src_orders WHERE amount > 0 UNION ALL SELECT id, -amount FROM src_refunds;"
run 2 plan --detailed-exitcode
expect_actions "create src_refunds" "replace-dml int_orders"
big=$(dml_name fct_big_orders)
totals=$(dml_name fct_totals)
run 0 apply --auto-approve
new=$(dml_name int_orders)
[ "$new" != "$old" ] || fail "int_orders was not replaced"
[ "$(dml_name fct_big_orders)" = "$big" ] && [ "$(dml_name fct_totals)" = "$totals" ] ||
	fail "the children of int_orders were touched"
old_to=$(audit "$old" | jq -c '[.consumed.src_orders[] | {p: .partition, o: .to}] | sort_by(.p)')
new_from=$(audit "$new" | jq -c '[.consumed.src_orders[] | {p: .partition, o: .from}] | sort_by(.p)')
[ "$old_to" = "$new_from" ] || fail "src_orders not continued exactly: $old_to vs $new_from"
audit "$new" | jq -e '(.consumed.src_refunds | length) > 0 and all(.consumed.src_refunds[]; .from == 0)' >/dev/null ||
	fail "the new input was not read from earliest"
assert_running int_orders fct_big_orders fct_totals v_totals

# --- item 10: a saved plan applied after the tree changed says so
table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
	"INSERT INTO int_users SELECT uid, name FROM src_users WHERE uid > 5;"
run 2 plan --detailed-exitcode --out "$T/saved.json"
jq -e '.tree_fingerprint | test("^[0-9a-f]{32}$")' "$T/saved.json" >/dev/null || fail "the saved plan does not record the tree"
table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
	"INSERT INTO int_users SELECT uid, name FROM src_users WHERE uid > 6;"
run 0 apply --auto-approve "$T/saved.json"
grep -q "warning: the saved plan was made from another tree" "$T/out" || fail "no warning for a changed tree"
run 2 plan --detailed-exitcode
expect_actions "replace-dml int_users"
run 0 apply --auto-approve
run 0 plan --out "$T/saved.json"
run 0 apply --auto-approve "$T/saved.json"
grep -q "another tree" "$T/out" && fail "a warning for an unchanged tree"

# --- item 7: a DML without a DDL is an error for every command that plans
d="$P/pipelines/facts/orders/fct_orphan_dml/sql-scripts"
mkdir -p "$d"
echo "INSERT INTO fct_orphan_dml SELECT id FROM int_orders;" >"$d/dml.fct_orphan_dml.sql"
run 1 validate
for cmd in plan "apply --auto-approve"; do
	run 1 $cmd
	# the file's own errors as validate prints them (for CI annotators), then one line saying why nothing was planned
	[ "$(grep -vc '^pipelines/[^:]*\.sql: error: ' "$T/out")" = 1 ] || fail "$cmd: not one error line besides the file's: $(cat "$T/out")"
	tail -1 "$T/out" | grep -q '^error: cannot plan' || fail "$cmd: the last line is not the one-line error: $(cat "$T/out")"
	grep -q "fct_orphan_dml" "$T/out" || fail "$cmd: the error does not name the table: $(cat "$T/out")"
	grep -q "see pipectl validate" "$T/out" || fail "$cmd: $(cat "$T/out")"
done
echo "ok"
