# exact_faults_lib.sh - sourced by tests/integration/test_exact_faults.sh and
# bench/exact_faults.sh: randomized, seeded fault injection (issue #9).
#
# One trial: a fresh emulator with small delays, the small project deployed,
# then a change set holding every action kind at once (replace-dml, a rebuild
# cascade, a DDL change, a new table, a properties change, a prune) applied
# with one fault at a random moment: kill -9, SIGTERM, a short
# --action-timeout, or --fail-statement on one new statement. Then one rerun
# without the fault. A poller watches the emulator during the whole trial.
# Checks, from the emulator's own state and audit:
#   - the rerun converges (exit 0, then a plan with no changes);
#   - never two RUNNING writers of one table (the poller, and at the end);
#   - per table and input partition, consumed ranges across its successive
#     statements neither overlap nor leave a gap, except a restart from
#     earliest, allowed only once per DROP of the table (a fresh topic);
#   - no table dropped more than the plans require (once each for the
#     rebuilt and pruned ones, never for the others; once more for a table
#     made afresh whose DML FAILED: the rerun rebuilds it from earliest, and
#     for its child when the faulted run had made the child's table again);
#   - no stopped managed statement left beside a running one.
# Each failure is printed with the seed and the fault, so it replays:
#   SEED=<seed> TRIALS=1 bash tests/integration/test_exact_faults.sh

source "$(dirname "${BASH_SOURCE[0]}")/apply_lib.sh"

FAULT_LOG="$T/faults.log"
: >"$FAULT_LOG"
trial_fail() {
	echo "FAIL: seed $TRIAL_SEED fault '$TRIAL_FAULT': $*" | tee -a "$FAULT_LOG" >&2
	TRIAL_OK=0
}

baseline() {
	rm -rf "$P/pipelines"
	write_project
	table sources extra src_extra "CREATE TABLE src_extra (k INT);"
	rm -f "$P/pipelines/intermediates/orders/int_orders/table.yaml"
}

change_set() {
	# replace-dml (stateless)
	table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
		"INSERT INTO int_users SELECT uid, name FROM src_users WHERE uid > 7;"
	# rebuild cascade (stateful) fct_totals -> v_totals
	table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
		"INSERT INTO fct_totals SELECT id, SUM(amount) + 7 FROM int_orders GROUP BY id;"
	# DDL change
	table facts orders fct_big_orders "CREATE TABLE fct_big_orders (id INT, amount INT, note STRING);" \
		"INSERT INTO fct_big_orders SELECT id, amount, 'big' FROM int_orders WHERE amount > 100;"
	# new table
	table facts orders fct_new "CREATE TABLE fct_new (id INT, amount INT);" \
		"INSERT INTO fct_new SELECT id, amount FROM int_orders WHERE amount > 7;"
	# properties change
	printf 'properties:\n  sql.state-ttl: 1 h\n' >"$P/pipelines/intermediates/orders/int_orders/table.yaml"
	# prune
	rm -rf "$P/pipelines/sources/extra"
}

# Two RUNNING managed DMLs of one table: "table a b" lines.
double_writers() {
	statements | jq -r '[.[] | select(.metadata.labels["user.confluent.io/pipectl-kind"] == "dml" and .status.phase == "RUNNING")]
		| group_by(.metadata.labels["user.confluent.io/pipectl-table-name"]) | .[] | select(length > 1)
		| "\(.[0].metadata.labels["user.confluent.io/pipectl-table-name"]) \(map(.name) | join(" "))"'
}

poller() {
	while :; do
		double_writers >>"$T/poll.out" 2>/dev/null || true
		sleep 0.05
	done
}

ddls_of() { statements | jq --arg t "$1" '[.[] | select(.spec.statement | test("^CREATE TABLE `?" + $t + "`? "))] | length'; }
drops_of() { statements | jq --arg t "$1" '[.[] | select(.spec.statement | test("^DROP TABLE IF EXISTS `" + $t + "`"))] | length'; }

# Consumed ranges per (table, topic, partition) from the audit of every DML
# statement ever (deleted ones included): "table topic partition from to".
ranges() {
	curl -sf "$EMU_URL/emulator/v1/environments/$ENV_ID/audit" | jq -r '.statements[]
		| select(.name | test("^it-pc-dml-")) | (.name | sub("^it-pc-dml-"; "") | sub("-[0-9a-f]{8}$"; "")) as $t
		| .consumed | to_entries[] | .key as $topic | .value[] | select(.to > .from)
		| "\($t) \($topic) \(.partition) \(.from) \(.to)"'
}

check_ranges() {
	local bad
	bad=$(ranges | sort -k1,1 -k2,2 -k3,3n -k4,4n -k5,5n | awk '
		{ k = $1 " " $2 " " $3 }
		k != key { key = k; end = -1 }
		{
			if ($4 == 0 && end != -1) { restarts[$1 " " $2 " " $3]++ }
			else if (end != -1 && $4 != end) { print "gap or overlap: " k " [" $4 "," $5 ") after end " end }
			if ($5 > end) end = $5
		}
		END { for (r in restarts) print "restart " r " " restarts[r] }')
	while read -r kind rest; do
		[ -n "$kind" ] || continue
		if [ "$kind" = restart ]; then
			set -- $rest
			local table=${1//-/_} n=$4
			[ "$n" -le "$(drops_of "$table")" ] ||
				trial_fail "$table re-read $2 partition $3 from earliest $n time(s) without a fresh topic"
		else
			trial_fail "offsets: $kind $rest"
		fi
	done <<<"$bad"
}

# run_trial SEED: one trial; sets TRIAL_OK.
run_trial() {
	TRIAL_SEED=$1
	TRIAL_OK=1
	RANDOM=$TRIAL_SEED
	local kinds=(kill9 sigterm timeout fail) fails=('uid > 7' 'SUM\(amount\) \+ 7' "'big'" 'amount > 7')
	local fail_tables=(int_users fct_totals fct_big_orders fct_new) failed_table=
	local kind=${kinds[$((RANDOM % 4))]} delay_ms=$((100 + RANDOM % 2400)) pid poll rc=0 extra=()
	local emu=(--ddl-ms 150 --pending-ms 250)
	TRIAL_FAULT="$kind"

	stop_emulator
	rm -f "$T/emu-state.json" "$T/poll.out"
	start_emulator "${emu[@]}"
	baseline
	pc apply --auto-approve >"$T/out" 2>&1 || { trial_fail "baseline apply failed: $(tail -3 "$T/out")"; return; }
	change_set
	case $kind in
	fail)
		local i=$((RANDOM % 4)) re
		re=${fails[$i]}
		failed_table=${fail_tables[$i]}
		TRIAL_FAULT="fail-statement $re"
		start_emulator "${emu[@]}" --fail-statement "$re"
		;;
	timeout)
		delay_ms=$((100 + delay_ms % 700)) # the windows of one action part are shorter than the whole run
		extra=(--action-timeout "${delay_ms}ms")
		TRIAL_FAULT="action-timeout ${delay_ms}ms"
		;;
	*) TRIAL_FAULT="$kind after ${delay_ms}ms" ;;
	esac
	poller &
	poll=$!
	"$PIPECTL" -C "$P" apply --auto-approve --prune --lock-ttl 2s "${extra[@]}" >"$T/faulted.out" 2>&1 &
	pid=$!
	if [ "$kind" = kill9 ] || [ "$kind" = sigterm ]; then
		sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
		kill "-$([ "$kind" = kill9 ] && echo KILL || echo TERM)" "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	[ "$kind" = fail ] && start_emulator "${emu[@]}"
	pc apply --auto-approve --prune --lock-timeout 30s >"$T/out" 2>&1 || rc=$?
	kill "$poll" 2>/dev/null || true
	wait "$poll" 2>/dev/null || true
	[ "$rc" = 0 ] || trial_fail "the rerun exited $rc: $(grep -m3 -i 'fail\|error' "$T/out" | tr '\n' ' ')"
	rc=0
	pc plan --prune --detailed-exitcode >"$T/out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || trial_fail "not converged after one rerun: $(grep -E '^  [-+~>]' "$T/out" | tr '\n' ' ')"
	[ -s "$T/poll.out" ] && trial_fail "two RUNNING writers seen: $(sort -u "$T/poll.out" | head -3 | tr '\n' ';')"
	[ -z "$(double_writers)" ] || trial_fail "two RUNNING writers at the end: $(double_writers)"
	check_ranges
	local t want
	for t in src_orders src_users int_orders int_users fct_new fct_totals v_totals fct_big_orders src_extra; do
		case $t in fct_totals | v_totals | fct_big_orders | src_extra) want=1 ;; *) want=0 ;; esac
		# a DML that FAILED in a table made afresh: rebuilding it again from earliest is the exact way
		[ "$t" = "$failed_table" ] && [ "$t" != int_users ] && want=$((want + 1))
		# and its child rebuilt with it, when the faulted run made the child's table again (the DDLs
		# run side by side, before the parent's DML fails): the parent's topic is new once more
		# (docs/reconcile.md "Ordering"); its CREATE TABLEs are the baseline's, the rerun's and that one
		[ "$failed_table" = fct_totals ] && [ "$t" = v_totals ] && want=$((want + $(ddls_of v_totals) - 2))
		[ "$(drops_of "$t")" = "$want" ] || trial_fail "$t dropped $(drops_of "$t") time(s), the plan requires $want"
	done
	local stale
	stale=$(statements | jq -r '[.[] | select(.metadata.labels["user.confluent.io/pipectl-kind"] == "dml")]
		| group_by(.metadata.labels["user.confluent.io/pipectl-table-name"]) | .[]
		| select(any(.[]; .status.phase == "RUNNING")) | .[] | select(.status.phase == "STOPPED") | .name')
	[ -z "$stale" ] || trial_fail "stopped statements left beside a running one: $stale"
	statements | jq -e 'any(.[]; .name | test("-pc-journal-")) | not' >/dev/null ||
		trial_fail "a journal was left after the rerun converged"
}

# run_trials BUDGET_S MAX_TRIALS [SEED]: trials until the budget or the count is spent. Prints a summary.
run_trials() {
	local budget=$1 max=$2 seed=${3:-} start=$SECONDS n=0 failed=0 s
	[ -n "$seed" ] || seed=$(( $(date +%s) % 100000 ))
	while [ "$n" -lt "$max" ] && [ $((SECONDS - start)) -lt "$budget" ]; do
		s=$((seed + n))
		run_trial "$s"
		n=$((n + 1))
		[ "$TRIAL_OK" = 1 ] || failed=$((failed + 1))
		echo "trial $n seed $s fault '$TRIAL_FAULT': $([ "$TRIAL_OK" = 1 ] && echo ok || echo FAILED)"
	done
	echo "fault injection: $n trials from seed $seed, $failed failed, in $((SECONDS - start)) s"
	TRIALS_RUN=$n
	TRIALS_FAILED=$failed
}
