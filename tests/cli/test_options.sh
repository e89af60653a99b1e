#!/usr/bin/env bash
# One option parser for every command: "--name VALUE" and "--name=VALUE" alike,
# "--" ends the options, a missing value is named; and one way to fail: a usage
# error (also a selector that names no table) is exit 64 with the usage line,
# any other error one line in the compiler's format, exit 1.
. "$(dirname "$0")/lib.sh" || exit 1

cp -r "$EXAMPLE" "$TMP/p"
rm -rf "$TMP/p/.pipectl"
P=(-C "$TMP/p")

# --name=VALUE is --name VALUE
pc "${P[@]}" graph fct_orders --format json
assert_rc 0
want=$OUT
pc "${P[@]}" graph fct_orders --format=json
assert_rc 0
[ "$OUT" = "$want" ] || fail "graph --format=json differs from --format json"

pc "${P[@]}" plan --out="$TMP/plan.json"
assert_rc 0
[ -s "$TMP/plan.json" ] || fail "plan --out=FILE saved no plan"
pc "${P[@]}" plan --out
assert_rc 64
assert_err_line "error: --out needs a value"
assert_err_contains "usage: pipectl [-C DIR] plan"

pc "${P[@]}" history --limit=2
assert_rc 0
pc "${P[@]}" history --limit
assert_rc 64
assert_err_line "error: --limit needs a number"

pc "${P[@]}" reconcile --interval
assert_rc 64
assert_err_line "error: --interval needs a duration such as 30s or 5m"
pc "${P[@]}" reconcile --jitter=51
assert_rc 64
assert_err_line "error: --jitter needs a percentage from 0 to 50"

pc emulator --seed=x
assert_rc 64
assert_err_line "error: --seed needs a non-negative integer, not 'x'"
pc emulator --listen
assert_rc 64
assert_err_line "error: option '--listen' needs a value"

pc "${P[@]}" apply --parallelism=0 --auto-approve
assert_rc 64
assert_err_line "error: --parallelism needs a number from 1 to 1024, not '0'"
assert_err_contains "usage: pipectl [-C DIR] apply"

# -- ends the options: what follows is an argument, even with a leading '-'
printf 'CREATE TABLE t (id INT);\n' >"$TMP/-t.sql"
cd "$TMP"
pc analyze -- -t.sql
cd - >/dev/null
assert_rc 0
assert_out_contains "CREATE_TABLE"
pc "${P[@]}" plan -- --json
assert_rc 64
assert_err_line "error: selector '--json': no table '--json' in the project"

# a selector that names no table is a usage error the same way in every command
for c in plan apply destroy; do
	extra=()
	[ "$c" = plan ] || extra=(--auto-approve)
	pc "${P[@]}" "$c" no_such_table "${extra[@]}"
	assert_rc 64
	assert_err_line "error: selector 'no_such_table': no table 'no_such_table' in the project"
	assert_err_contains "usage: pipectl [-C DIR] $c"
done
# one way to fail: a bad pipectl.yaml reads the same, in the compiler's format, in every command
cp -r "$TMP/p" "$TMP/bad"
printf 'prefx: x\n' >>"$TMP/bad/pipectl.yaml"
line=$(grep -n '^prefx:' "$TMP/bad/pipectl.yaml" | cut -d: -f1)
for c in validate inventory plan status apply; do
	extra=()
	[ "$c" = apply ] && extra=(--auto-approve)
	pc -C "$TMP/bad" "$c" "${extra[@]+"${extra[@]}"}"
	assert_rc 1
	assert_err_line "$TMP/bad/pipectl.yaml:$line: error: unknown key 'prefx'"
done
echo ok
