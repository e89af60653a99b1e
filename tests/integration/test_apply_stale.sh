#!/usr/bin/env bash
# Saved plans: `apply PLANFILE` applies exactly what the plan shows while the
# target is as it was; once the target changed it refuses the stale plan.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator
write_project

# a fresh saved plan applies
run 2 plan --detailed-exitcode --out "$T/first.json"
run 0 apply "$T/first.json" --auto-approve
grep -q "Apply complete: 7 done, 0 failed, 0 skipped." "$T/out" || fail "saved plan not applied"
assert_running int_orders fct_big_orders fct_totals v_totals int_users

# plan a change, then let the target change before applying it
table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
	"INSERT INTO int_orders SELECT id, amount FROM src_orders WHERE amount > 5;"
run 2 plan --detailed-exitcode --out "$T/second.json"
old=$(dml_name int_orders)
run 0 apply --auto-approve   # someone else applies first
run 1 apply "$T/second.json" --auto-approve
grep -q "error: saved plan is stale: the target changed since it was made; run plan again" "$T/out" ||
	fail "stale plan not refused with the expected message"
# nothing was done by the refused plan
[ "$(live_dmls int_orders | wc -l)" = 1 ] || fail "a stale plan created a second writer"
[ "$(dml_name int_orders)" != "$old" ] || fail "setup: the other apply did not replace int_orders"

# plan options cannot be given next to a plan file
run 64 apply "$T/second.json" --force --auto-approve
echo "ok"
