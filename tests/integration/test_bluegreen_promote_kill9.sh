#!/usr/bin/env bash
# kill -9 in the middle of `promote` (issue #13 item 6; a killed blue/green
# apply is test_bluegreen_kill9.sh), then the same command again converges,
# checked from the emulator's state and audit: killed after the reader's
# blue was retired and the parent's DML deleted, before the parent's DROP,
# the rerun drops the parent once; green is untouched; nothing is left for a
# later plan to finish (the killed run's journal goes with the rerun).
set -euo pipefail
source "$(dirname "$0")/bluegreen_lib.sh"

drops_of() { statements | jq --arg t "$1" '[.[] | select(.spec.statement | test("^DROP TABLE IF EXISTS `" + $t + "`"))] | length'; }
# step_statement FILE TABLE STEP: the statement a plan file gives that step of that action
step_statement() { jq -r --arg t "$2" --arg s "$3" '.actions[] | select(.table == $t) | .steps[] | select(.step == $s) | .statement' "$1"; }

# killed_when CONDITION_CMD ARGS...: run pipectl ARGS in the background and kill -9 it once CONDITION_CMD holds
killed_when() {
	local cond=$1 pid
	shift
	"$PIPECTL" -C "$P" "$@" --auto-approve --lock-ttl 1s >"$T/bg.out" 2>&1 &
	pid=$!
	wait_until 30 bash -c "$cond" || { kill -9 "$pid"; cat "$T/bg.out" >&2; fail "never reached: $cond"; }
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

start_emulator
write_project
run 0 apply --auto-approve
blue_totals=$(dml_name fct_totals)

change_totals 1
run 0 apply --blue-green --auto-approve
assert_running fct_totals_v2 v_totals_v2

# --- kill -9 during promote
pc promote fct_totals+ --out "$T/promote.json" >/dev/null
drop=$(step_statement "$T/promote.json" fct_totals drop_table)
[ -n "$drop" ] || fail "no drop of blue fct_totals planned"
green_totals=$(dml_name fct_totals_v2)
green_view=$(dml_name v_totals_v2)
start_emulator --hang-path "/statements/$drop\$"
killed_when "! curl -sf '$EMU_URL/kafka/v3/clusters/lkc-local/topics' | jq -e 'any(.data[]; .topic_name == \"v_totals\")' >/dev/null &&
	[ -z \"\$(curl -sf '$(API)/statements?page_size=100' | jq -r '.data[] | select(.name == \"$blue_totals\") | .name')\" ]" \
	promote fct_totals+
start_emulator
has_topic v_totals && fail "the killed promote did not retire v_totals first"
has_topic fct_totals || fail "the kill came too late: fct_totals is already gone"
run 0 promote fct_totals+ --auto-approve --lock-timeout 30s
has_topic fct_totals && fail "the rerun did not retire fct_totals"
[ "$(drops_of fct_totals)" = 1 ] || fail "fct_totals was dropped $(drops_of fct_totals) times"
[ "$(drops_of v_totals)" = 1 ] || fail "v_totals was dropped $(drops_of v_totals) times"
[ "$(dml_name fct_totals_v2)" = "$green_totals" ] && [ "$(dml_name v_totals_v2)" = "$green_view" ] || fail "green changed"
assert_running fct_totals_v2 v_totals_v2
run 0 plan --detailed-exitcode
run 0 plan --blue-green --detailed-exitcode
statements | jq -e 'all(.[]; .name | test("-pc-journal-") | not)' >/dev/null || fail "a journal is left behind"

echo "ok"
