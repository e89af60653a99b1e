#!/usr/bin/env bash
# plan shows what changes, on a real change against the local target: the
# unified diff of the SQL (running statement -> git), the compute pool and a
# property as old → new; --compact hides them; plan --json carries the old
# and new text; `show PLANFILE` prints a saved plan as plan did (text and
# JSON), and refuses a plan file of a newer format version. Colour: on a
# pseudo-terminal (script -qc) the actions are coloured by kind; not on a
# pipe, not with NO_COLOR, --no-color (before or after the command) or a
# colourless terminal (TERM=dumb).
. "$(dirname "$0")/lib.sh" || exit 1

P="$TMP/proj"
cp -r "$EXAMPLE" "$P"
rm -rf "$P/.pipectl"
pc -C "$P" apply --auto-approve
assert_rc 0
DML="$P/pipelines/intermediates/orders/int_payment_events/sql-scripts/dml.int_payment_events.sql"
old_sql=$(cat "$DML")
sed -i 's/  WHERE amount IS NOT NULL;/  WHERE amount IS NOT NULL AND amount <> 0;/' "$DML"
grep -q "amount <> 0" "$DML" || fail "the test could not edit $DML"

# ---- text: the diff under its action, nothing else changed
pc -C "$P" plan
assert_rc 0
assert_out_contains "~ replace-dml  int_payment_events"
assert_out_line "      -  WHERE amount IS NOT NULL;"
assert_out_line "      +  WHERE amount IS NOT NULL AND amount <> 0;"
assert_out_line "         FROM src_refunds"
grep -qE '^      @@ -[0-9]+,[0-9]+ \+[0-9]+,[0-9]+ @@' "$TMP/.out" || fail "no hunk header"
grep -qE '^      --- dev-pc-dml-int-payment-events-[0-9a-f]{8} DML \(running\)$' "$TMP/.out" || fail "no --- line naming the running statement"
assert_out_line "      +++ int_payment_events DML (git)"
[ "$(grep -c '^      [-+] ' "$TMP/.out")" = 2 ] || fail "the diff has other changed lines"
assert_out_not_contains $'\033['
cp "$TMP/.out" "$TMP/plan.txt"

pc -C "$P" plan --compact
assert_rc 0
assert_out_contains "~ replace-dml  int_payment_events"
assert_out_not_contains "@@"
assert_out_not_contains "WHERE"

# ---- JSON: old and new text of the change
pc -C "$P" plan --json
assert_rc 0
python3 - "$TMP/.out" "$DML" <<'PY' || fail "plan --json diff is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
a = [x for x in d["actions"] if x["table"] == "int_payment_events"][0]
assert [c["what"] for c in a["diff"]] == ["dml"], a["diff"]
c = a["diff"][0]
assert c["new"] == open(sys.argv[2]).read(), c["new"]
assert "AND amount <> 0" not in c["old"] and "WHERE amount IS NOT NULL;" in c["old"], c["old"]
assert c["statement"].startswith("dev-pc-dml-int-payment-events-"), c
assert all(x["diff"] == [] for x in d["actions"] if x["table"] != "int_payment_events")
PY
python3 -c "import json,sys; c=[x for x in json.load(open('$TMP/.out'))['actions'] if x['table']=='int_payment_events'][0]['diff'][0]; sys.exit(0 if c['old'].rstrip() == sys.argv[1].rstrip() else 1)" "$old_sql" ||
	fail "the old text is not the SQL the running statement was created with"

# ---- show: a saved plan as plan printed it
pc -C "$P" plan --out "$TMP/plan.json"
assert_rc 0
pc show "$TMP/plan.json"
assert_rc 0
assert_out_contains "Plan file $TMP/plan.json: made "
assert_out_contains "from the working tree, target local"
diff <(sed -n '/^  ~ replace-dml/,/^Plan: /p' "$TMP/plan.txt") <(sed -n '/^  ~ replace-dml/,/^Plan: /p' "$TMP/.out") >/dev/null ||
	fail "show does not print the plan as plan did"
pc show "$TMP/plan.json" --json
assert_rc 0
python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a == b else 1)" "$TMP/plan.json" "$TMP/.out" ||
	fail "show --json differs from the saved plan"
python3 - "$TMP/plan.json" "$TMP/newer.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["format_version"] = "2"; d["actions_v2"] = []
json.dump(d, open(sys.argv[2], "w"))
PY
pc show "$TMP/newer.json"
assert_rc 1
assert_err_line "error: $TMP/newer.json: plan file: format_version \"2\" is newer than this pipectl reads (\"1\"): use the pipectl that wrote it, or plan again"
pc -C "$P" apply "$TMP/newer.json" --auto-approve
assert_rc 1
assert_err_contains 'format_version "2" is newer'
pc show
assert_rc 64
pc show "$TMP/plan.json" --bogus
assert_rc 64

# ---- a pool and a property: old → new. A pool change alone is a stop and a
# resume (start); a changed property is a new statement (Confluent cannot update
# properties), so it goes on a stateless table whose replacement carries offsets.
printf 'compute_pool: lfcp-other\n' >"$P/pipelines/intermediates/orders/int_orders_dedup/table.yaml"
printf 'properties:\n  sql.state-ttl: 1 d\n' >"$P/pipelines/views/orders/v_hourly_revenue_report/table.yaml"
pc -C "$P" plan
assert_rc 0
assert_out_contains "> start        int_orders_dedup"
assert_out_contains "~ replace-dml  v_hourly_revenue_report"
assert_out_line "      compute pool: 'lfcp-local' → 'lfcp-other'"
assert_out_line "      property sql.state-ttl: (none) → '1 d'"
pc -C "$P" plan --json
assert_json '[{k: c[k] for k in c if k != "statement"} for a in d["actions"] if a["table"] == "int_orders_dedup" for c in a["diff"]] == [{"what":"compute_pool","old":"lfcp-local","new":"lfcp-other"}]' "pool in plan --json"
assert_json '[{k: c[k] for k in c if k != "statement"} for a in d["actions"] if a["table"] == "v_hourly_revenue_report" for c in a["diff"]] == [{"what":"property","key":"sql.state-ttl","old":None,"new":"1 d"}]' "property in plan --json"
assert_json 'all(c["statement"].startswith("dev-pc-dml-") for a in d["actions"] for c in a["diff"])' "each change names its running statement"

# ---- colour on a terminal, and every way to turn it off
if ! command -v script >/dev/null; then
	echo "skip: script(1) not installed: colour on a pseudo-terminal not checked"
	echo ok
	exit 0
fi
tty() { # tty OUTFILE CMD...: run on a pseudo-terminal
	local out=$1
	shift
	script -qec "$(printf '%q ' "$@")" /dev/null >"$out" 2>&1 </dev/null || true
}
ESC=$'\033'
TERM=xterm tty "$TMP/c.txt" env -u NO_COLOR "$PIPECTL" -C "$P" plan
grep -qF "${ESC}[33m~ replace-dml" "$TMP/c.txt" || fail "replace-dml is not yellow on a terminal: $(head -3 "$TMP/c.txt" | cat -v)"
grep -qF "${ESC}[32m> start" "$TMP/c.txt" || fail "start is not green on a terminal"
grep -qF "${ESC}[31m-  WHERE amount IS NOT NULL;" "$TMP/c.txt" || fail "a removed line is not red"
grep -qF "${ESC}[32m+  WHERE amount IS NOT NULL AND amount <> 0;" "$TMP/c.txt" || fail "an added line is not green"
TERM=xterm tty "$TMP/c.txt" env -u NO_COLOR "$PIPECTL" -C "$P" status
grep -qF "${ESC}[33mout of sync" "$TMP/c.txt" || fail "status is not coloured on a terminal"
for how in "NO_COLOR=1 TERM=xterm" "TERM=dumb" "TERM=xterm --no-color-before" "TERM=xterm --no-color-after"; do
	envs=(env -u NO_COLOR TERM=xterm)
	args=("$PIPECTL" -C "$P" plan)
	case $how in
	NO_COLOR*) envs=(env NO_COLOR=1 TERM=xterm) ;;
	TERM=dumb) envs=(env -u NO_COLOR TERM=dumb) ;;
	*before) args=("$PIPECTL" --no-color -C "$P" plan) ;;
	*after) args=("$PIPECTL" -C "$P" plan --no-color) ;;
	esac
	tty "$TMP/c.txt" "${envs[@]}" "${args[@]}"
	grep -q "replace-dml  int_payment_events" "$TMP/c.txt" || fail "$how: no plan on the terminal: $(head -3 "$TMP/c.txt")"
	! grep -qF "$ESC[" "$TMP/c.txt" || fail "$how: colour although turned off: $(grep -F "$ESC[" "$TMP/c.txt" | head -2 | cat -v)"
done
# apply's progress on a terminal
TERM=xterm tty "$TMP/c.txt" env -u NO_COLOR "$PIPECTL" -C "$P" apply --auto-approve
grep -qF "${ESC}[32mok" "$TMP/c.txt" || fail "apply progress is not coloured on a terminal: $(tail -5 "$TMP/c.txt" | cat -v)"
grep -q "Apply complete: 3 done, 0 failed, 0 skipped." "$TMP/c.txt" || fail "apply on the terminal did not finish: $(tail -5 "$TMP/c.txt")"
echo ok
