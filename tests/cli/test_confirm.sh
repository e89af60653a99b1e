#!/usr/bin/env bash
# What deletes data is previewed and confirmed as Terraform does: destroy
# --plan-only and plan --destroy show the drops without a terminal, a lock or
# any change; on a terminal a destructive plan accepts only "yes" ("y" cancels),
# a plan without drops still takes "y"; history records a destroy as
# "destroy". On the local target.
. "$(dirname "$0")/lib.sh" || exit 1

P="$TMP/proj"
cp -r "$EXAMPLE" "$P"
rm -rf "$P/.pipectl"
pc -C "$P" apply --auto-approve
assert_rc 0
# the tables, their statements and phases (the lock of a cancelled run leaves traces in the state file)
state() { "$PIPECTL" -C "$P" status --json | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['tables'], sort_keys=True))"; }
before=$(state)

# ---- previews: no terminal, nothing changed
pc -C "$P" destroy product:customers --plan-only </dev/null
assert_rc 0
for t in v_customer_360 dim_customers int_customers_latest src_customers; do
	grep -qE "^  - drop +$t " "$TMP/.out" || fail "destroy --plan-only does not show the drop of $t"
done
assert_out_line "Plan: 0 to create, 0 to start, 0 to replace, 0 to rebuild, 0 to restart, 4 to drop; 0 unchanged."
cp "$TMP/.out" "$TMP/preview.txt"
pc -C "$P" plan --destroy product:customers
assert_rc 0
diff "$TMP/preview.txt" "$TMP/.out" >/dev/null || fail "plan --destroy differs from destroy --plan-only"
pc -C "$P" plan --destroy product:customers --json
assert_rc 0
assert_json 'sorted(a["table"] for a in d["actions"] if a["action"] == "drop") == ["dim_customers","int_customers_latest","src_customers","v_customer_360"]'
pc -C "$P" plan --destroy
assert_rc 64
assert_err_contains "--destroy needs at least one selector"
pc -C "$P" plan --destroy product:customers --prune
assert_rc 64
[ "$(state)" = "$before" ] || fail "a preview changed the target"
pc -C "$P" history --json
assert_json 'len(d["executions"]) == 1' "a preview was recorded in the history"

if ! command -v script >/dev/null; then
	echo "skip: script(1) not installed: the question on a terminal not checked"
	echo ok
	exit 0
fi
# answer ANSWER CMD...: run CMD on a pseudo-terminal with ANSWER typed
answer() {
	local a=$1
	shift
	LAST="$* <<< $a"
	set +e
	printf '%s\n' "$a" | script -qec "$(printf '%q ' "$@")" /dev/null >"$TMP/.out" 2>&1
	RC=$?
	set -e
	OUT=$(cat "$TMP/.out")
	ERR=""
}
answer y "$PIPECTL" --no-color -C "$P" destroy product:customers
assert_rc 1
assert_out_contains "4 actions drop a table and their data."
assert_out_contains "Only 'yes' will be accepted:"
assert_out_contains "Destroy cancelled: nothing was changed."
[ "$(state)" = "$before" ] || fail "'y' destroyed"
answer yes "$PIPECTL" --no-color -C "$P" destroy product:customers
assert_rc 0
assert_out_contains "Destroy complete: 4 done, 0 failed, 0 skipped."
pc -C "$P" history --json --limit 1
assert_json 'd["executions"][0]["kind"] == "destroy" and len(d["executions"][0]["actions"]) == 4' "the destroy is recorded as destroy"
# creates only: "y" is enough
answer y "$PIPECTL" --no-color -C "$P" apply
assert_rc 0
assert_out_contains "[y/N]"
assert_out_contains "Apply complete: 4 done, 0 failed, 0 skipped."
pc -C "$P" history --json --limit 1
assert_json 'd["executions"][0]["kind"] == "apply"'
echo ok
