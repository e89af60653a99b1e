#!/usr/bin/env bash
# Help, version, and usage errors of the tool and of the read-only commands.
. "$(dirname "$0")/lib.sh" || exit 1

pc --help
assert_rc 0
assert_out_contains "usage: pipectl"
for c in validate inventory graph analyze; do
	assert_out_contains "  $c "
done

pc --version
assert_rc 0
[[ "$OUT" =~ ^pipectl\ [0-9] ]] || fail "--version prints 'pipectl <version>'"

# Every listed command has a help that exits 0 and starts with its usage.
cmds=$("$PIPECTL" --help | awk '/^Commands:/{on=1; next} /^$/{on=0} on {print $1}')
[ -n "$cmds" ] || fail "no command listed in --help"
for c in $cmds; do
	pc "$c" --help
	assert_rc 0
	assert_out_contains "usage: pipectl"
	assert_out_contains "$c"
	pc help "$c"
	assert_rc 0
	assert_out_contains "usage: pipectl"
done

pc no-such-command
assert_rc 64
assert_err_line "error: unknown command 'no-such-command'"

pc --no-such-flag validate
assert_rc 64
assert_err_line "error: unknown option '--no-such-flag'"

pc -C "$EXAMPLE" validate --bogus
assert_rc 64
assert_err_line "error: unknown option '--bogus'"

pc -C "$EXAMPLE" inventory --yaml
assert_rc 64
assert_err_line "error: unknown option '--yaml'"
assert_err_line "usage: pipectl [-C DIR] inventory [--json]"

# (graph without TABLE draws the whole project: tests/cli/test_graph_project.sh)
pc -C "$EXAMPLE" graph --down
assert_rc 64
assert_err_line "error: --up and --down need a TABLE"

pc -C "$EXAMPLE" graph fct_orders --sideways
assert_rc 64
assert_err_line "error: unknown option '--sideways'"

pc -C "$EXAMPLE" graph fct_orders --format png
assert_rc 64
assert_err_line "error: unknown format 'png' (text, json, yaml, dot, mermaid; html for the whole project)"

pc -C "$EXAMPLE" graph fct_orders --format
assert_rc 64
assert_err_line "error: --format needs a value"

pc -C "$EXAMPLE" graph fct_orders v_customer_360
assert_rc 64
assert_err_line "error: unexpected argument 'v_customer_360'"

pc analyze
assert_rc 64
assert_err_line "error: missing FILE.sql"

pc analyze --xml x.sql
assert_rc 64
assert_err_line "error: unknown option '--xml'"

pc -C "$TMP/does-not-exist" validate
assert_rc 1
[[ "$ERR" == error:* ]] || fail "a missing project root is an error"
echo ok
