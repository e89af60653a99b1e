#!/usr/bin/env bash
# A table that keeps failing backs off exponentially and is reported
# degraded (log, metrics, /status); its descendants wait while it backs off
# (they run only beside an attempt of it); independent tables go on; it is
# not retried in a hot loop.
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

start_emulator --fail-statement 'SUM\(amount\)'
write_project
# --allow-destructive: after the failed create, the FAILED stateful DML means a rebuild
start_loop --interval 1s --backoff 2s --max-backoff 4s --degraded-after 2 --allow-destructive
int_orders_running() { [ "$(live_dml int_orders | awk '{print $2}')" = RUNNING ]; }
wait_until 30 int_orders_running ||
	fail "int_orders (independent of the failure) does not run"
wait_until 40 grep -Eq "table=fct_totals action=[a-z-]+ degraded: 2 failures in a row" "$LOG" ||
	fail "fct_totals was not reported degraded"
[ "$(metric 'pipectl_tables{state="degraded"}')" = 1 ] || fail "degraded gauge is $(metric 'pipectl_tables{state="degraded"}')"
curl -sf "$LOOP_URL/status" | jq -e '.actions[] | select(.table == "fct_totals") | .degraded == true and .failures >= 2 and (.last_error | length) > 0' >/dev/null ||
	fail "/status does not show fct_totals degraded"
grep -Eq "table=v_totals action=[a-z-]+ deferred: depends on 'fct_totals'" "$LOG" || fail "the descendant v_totals was not deferred"
# the descendant runs only beside an attempt of its parent, never on its own while the parent backs
# off (in an attempt its DML may start once fct_totals' new table exists, before that DML fails:
# docs/reconcile.md "Ordering")
alone=$(awk '/table=v_totals action=[a-z-]+ started/ { match($0, /cycle=[0-9]+/); v[substr($0, RSTART, RLENGTH)] = 1 }
	/table=fct_totals action=[a-z-]+ started/ { match($0, /cycle=[0-9]+/); f[substr($0, RSTART, RLENGTH)] = 1 }
	END { for (c in v) if (!(c in f)) print c }' "$LOG")
[ -z "$alone" ] || fail "v_totals ran without an attempt of its failing parent in $alone"
assert_wave_order
# bounded retries: with a 2 s, 4 s, 4 s… backoff, at most ~1 attempt per 2 s
n1=$(grep -Ec "table=fct_totals action=[a-z-]+ started" "$LOG")
sleep 8
n2=$(grep -Ec "table=fct_totals action=[a-z-]+ started" "$LOG")
[ $(( n2 - n1 )) -le 3 ] || fail "$(( n2 - n1 )) attempts in 8 s: hot loop"
# (the upper bound needs a window; the lower one waits on the retry itself)
retried() { [ "$(grep -Ec "table=fct_totals action=[a-z-]+ started" "$LOG")" -gt "$n1" ]; }
wait_until 30 retried || fail "no retry"
stop_loop
echo ok
