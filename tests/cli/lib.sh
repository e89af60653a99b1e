# lib.sh - helpers for the CLI tests (sourced, not run).
#
# Environment: PIPECTL (the binary), PC_SOURCE_DIR (the source tree).
# Provides a temp dir $TMP removed on exit, `run CMD…` that records the exit
# status, stdout and stderr, and assertions that stop the test on failure
# with a message saying what was expected and what came.
set -euo pipefail

: "${PIPECTL:?PIPECTL must name the pipectl binary}"
: "${PC_SOURCE_DIR:?PC_SOURCE_DIR must name the source tree}"
EXAMPLE="$PC_SOURCE_DIR/manifests/examples"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pipectl-cli.XXXXXX")
cleanup_hooks=()
lib_cleanup() {
	local h
	for h in "${cleanup_hooks[@]+"${cleanup_hooks[@]}"}"; do eval "$h" || true; done
	rm -rf "$TMP"
}
trap lib_cleanup EXIT

RC=0
OUT=""
ERR=""
LAST=""

fail() {
	echo "FAIL: $*" >&2
	echo "  command: $LAST" >&2
	echo "  exit status: $RC" >&2
	echo "  --- stdout (first 40 lines)" >&2
	printf '%s\n' "$OUT" | head -40 >&2
	echo "  --- stderr (first 40 lines)" >&2
	printf '%s\n' "$ERR" | head -40 >&2
	exit 1
}

# run CMD ARGS…: run without stopping on failure; sets RC, OUT, ERR.
run() {
	LAST="$*"
	set +e
	"$@" >"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	set -e
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
}

# pc ARGS…: run pipectl.
pc() { run "$PIPECTL" "$@"; }

assert_rc() {
	[ "$RC" -eq "$1" ] || fail "expected exit status $1, got $RC"
}

assert_out_contains() {
	grep -qF -- "$1" "$TMP/.out" || fail "stdout does not contain: $1"
}

assert_err_contains() {
	grep -qF -- "$1" "$TMP/.err" || fail "stderr does not contain: $1"
}

assert_out_not_contains() {
	! grep -qF -- "$1" "$TMP/.out" || fail "stdout contains: $1"
}

# assert_out_line LINE / assert_err_line LINE: one line is exactly LINE.
assert_out_line() {
	grep -qxF -- "$1" "$TMP/.out" || fail "no stdout line is exactly: $1"
}

assert_err_line() {
	grep -qxF -- "$1" "$TMP/.err" || fail "no stderr line is exactly: $1"
}

# assert_err_lines N: stderr has exactly N lines.
assert_err_lines() {
	local n
	n=$(grep -c '' "$TMP/.err" || true)
	[ "$n" -eq "$1" ] || fail "expected $1 stderr line(s), got $n"
}

assert_err_empty() {
	[ ! -s "$TMP/.err" ] || fail "stderr is not empty"
}

# assert_json 'PYTHON EXPRESSION' [DESCRIPTION]: stdout is JSON and the
# expression (over `d`, the document, and `t(name)`, the inventory entry of
# a table, `node(name)` and `edges`) is true.
assert_json() {
	local expr=$1 what=${2:-$1}
	python3 - "$TMP/.out" "$expr" <<'PY' || fail "JSON check failed: $what"
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
def t(name):
    for x in d.get("tables", []):
        if x["name"] == name:
            return x
    raise SystemExit("no table %r in the output" % name)
def node(name):
    for x in d.get("nodes", []):
        if x["name"] == name:
            return x
    return None
edges = {(e["from"], e["to"]) for e in d.get("edges", [])}
try:
    ok = eval(sys.argv[2])
except Exception as e:
    raise SystemExit("error evaluating %s: %r" % (sys.argv[2], e))
if not ok:
    raise SystemExit("false: %s" % sys.argv[2])
PY
}

# snapshot DIR: a listing of every path with its size and mtime.
snapshot() {
	(cd "$1" && find . -printf '%p %y %s %T@\n' | LC_ALL=C sort)
}
