#!/usr/bin/env bash
# destroy: shows its plan first, drops a table only once its readers are stopped, keeps tables that a
# table outside the selection still reads (and says who reads them), refuses
# protect: true, and needs --auto-approve without a terminal.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator
write_project
run 0 apply --auto-approve

# fct_totals alone: v_totals still reads it, so it is kept and nothing happens
run 0 destroy fct_totals --auto-approve
grep -q "kept 'fct_totals': still read by 'v_totals'" "$T/out" || fail "kept table not reported with its reader"
assert_running fct_totals v_totals

# no terminal, no --auto-approve
pc destroy fct_totals+ </dev/null >"$T/out" 2>&1 && fail "destroy without --auto-approve succeeded"
grep -q "refusing to apply without --auto-approve" "$T/out" || fail "missing refusal"

# protect
mkdir -p "$P/pipelines/views/orders/v_totals"
printf 'protect: true\n' >"$P/pipelines/views/orders/v_totals/table.yaml"
run 1 destroy fct_totals+ --auto-approve
grep -q "cannot destroy 'v_totals': protect: true" "$T/out" || fail "protect not refused"
has_topic v_totals || fail "a protected table was dropped"
rm "$P/pipelines/views/orders/v_totals/table.yaml"

# fct_totals and its reader: both dropped, the reader stopped first; int_orders (outside) untouched
keep=$(dml_name int_orders)
run 0 destroy fct_totals+ --auto-approve
expect_actions "drop fct_totals" "drop v_totals"
grep -q "Destroy complete: 2 done, 0 failed, 0 skipped." "$T/out" || fail "wrong summary"
has_topic fct_totals && fail "fct_totals still exists"
has_topic v_totals && fail "v_totals still exists"
[ -z "$(live_dmls fct_totals)$(live_dmls v_totals)" ] || fail "DMLs left running"
[ "$(dml_name int_orders)" = "$keep" ] || fail "destroy touched a table outside the selection"
# the parent's table dropped only once its reader was stopped (from the emulator's timeline; the
# reader's own drop may finish later: the drops run side by side, docs/reconcile.md "Ordering")
assert_wave_order
stopped=$(first_dml_seq v_totals STOPPED)
dropped=$(timeline | jq -r '[.marks[] | select(.topic == "fct_totals" and .event == "DROPPED")][0].seq // ""')
[ -n "$stopped" ] && [ -n "$dropped" ] && [ "$stopped" -lt "$dropped" ] || fail "parent dropped before its reader stopped"

# the pipeline of another product is untouched; a second destroy has nothing to do
assert_running int_users
run 0 destroy fct_totals+ --auto-approve
grep -q "No changes" "$T/out" || fail "second destroy was not a no-op"
echo "ok"
