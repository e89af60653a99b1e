#!/usr/bin/env bash
# Request economy of apply against the emulator (docs/apply.md, "Requests"),
# counted by apply --verbose ("API requests: N (2xx …, 4xx …)"). The bounds
# follow from the design, not from a timing:
# - a fresh apply on a target whose statements reach their phase at once
#   sends one create per statement and reads none of them (no existence
#   check: the state was read once; every wait ends on the create's own
#   response): statements + the run's fixed requests (statement pages, topic
#   list, the lock's, the journal's create and delete);
# - with delays, and the first read of a wait (confluent.poll.ddl, .dml)
#   longer than the delays, each statement is read exactly once more;
# - a no-op apply sends the fixed requests only, none per table;
# - no 4xx but the lock's in any of them.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

STATEMENTS=12 # write_project: 7 DDLs, 5 DMLs
FIXED=12      # statement page, topic list, the lock (create, reads, delete), the journal (create, delete)
LOCK_4XX=3    # the lock's own 404s (its slots and its release), whatever the tables

# requests: total, then 4xx, of the last --verbose run
requests() { sed -n 's/^API requests: \([0-9]*\) .*/\1/p' "$T/out" | tail -1; }
requests_4xx() { sed -n 's/^API requests: .* 4xx \([0-9]*\),.*/\1/p' "$T/out" | tail -1; }

check() { # WHAT MAX_TOTAL
	local total n4
	total=$(requests)
	n4=$(requests_4xx)
	[ -n "$total" ] && [ -n "$n4" ] || fail "$1: no request count in the output"
	[ "$total" -le "$2" ] || fail "$1: $total requests, more than $2"
	[ "$n4" -le "$LOCK_4XX" ] || fail "$1: $n4 requests answered 4xx (existence checks?), at most $LOCK_4XX expected"
	echo "$1: $total requests ($n4 4xx), bound $2"
}

# --- statements that reach their phase at once
start_emulator --ddl-ms 0 --pending-ms 0
write_project
run 0 apply --auto-approve --verbose
grep -q "Apply complete: 7 done, 0 failed, 0 skipped." "$T/out" || fail "fresh apply did not complete"
assert_running int_orders fct_big_orders fct_totals v_totals int_users
check "fresh apply, no delays" $(( STATEMENTS + FIXED ))

run 0 apply --auto-approve --verbose
grep -q "No changes" "$T/out" || fail "the second apply was not a no-op"
check "no-op apply" "$FIXED"

# --- delays; each wait's first read comes after them: one read per statement
stop_emulator
rm -f "$T/emu-state.json" # a fresh target
start_emulator --ddl-ms 200 --pending-ms 300
printf '  poll: {ddl: 1s, dml: 1s}\n' >>"$P/pipectl.yaml"
run 0 apply --auto-approve --verbose
grep -q "Apply complete: 7 done, 0 failed, 0 skipped." "$T/out" || fail "fresh apply with delays did not complete"
assert_running int_orders fct_big_orders fct_totals v_totals int_users
check "fresh apply, delays" $(( 2 * STATEMENTS + FIXED ))
