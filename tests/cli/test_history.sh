#!/usr/bin/env bash
# pipectl history: reads .pipectl/history.jsonl, newest first, text and JSON, --limit.
set -euo pipefail
PIPECTL=${PIPECTL:?path of the pipectl binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# no history yet
out=$("$PIPECTL" -C "$tmp" history)
[[ "$out" == "no executions recorded yet" ]] || fail "empty history: $out"
out=$("$PIPECTL" -C "$tmp" history --json)
[[ "$out" == '{"format_version":"1","executions":[]}' ]] || fail "empty json: $out"

mkdir -p "$tmp/.pipectl"
cat > "$tmp/.pipectl/history.jsonl" <<'J'
{"format_version":"1","id":"apply-1","kind":"apply","cycle":0,"commit":null,"started_at":"2026-01-01T00:00:00.000Z","ended_at":"2026-01-01T00:00:02.500Z","duration_ms":2500,"result":"success","error":null,"actions_omitted":0,"actions":[{"table":"int_orders","action":"create","started_at":"2026-01-01T00:00:00.000Z","ended_at":"2026-01-01T00:00:01.000Z","duration_ms":1000,"result":"ok","error":null}]}
garbage line
{"format_version":"1","id":"reconcile-2","kind":"reconcile","cycle":4,"commit":"0123456789abcdef0123456789abcdef01234567","started_at":"2026-01-01T00:01:00.000Z","ended_at":"2026-01-01T00:01:01.000Z","duration_ms":1000,"result":"failed","error":"1 action failed","actions_omitted":0,"actions":[{"table":"fct_sales","action":"rebuild","started_at":"2026-01-01T00:01:00.000Z","ended_at":"2026-01-01T00:01:01.000Z","duration_ms":1000,"result":"failed","error":"statement 'dev-fct-sales' failed: boom"}]}
J

out=$("$PIPECTL" -C "$tmp" history 2>"$tmp/err")
grep -q "1 unreadable line skipped" "$tmp/err" || fail "no warning about the bad line: $(cat "$tmp/err")"
first=$(echo "$out" | head -1)
[[ "$first" == *"reconcile"*"cycle 4"*"commit 0123456789ab"*"failed"* ]] || fail "newest first: $first"
echo "$out" | grep -q "error: 1 action failed" || fail "execution error missing"
echo "$out" | grep -Eq "rebuild +fct_sales +failed +1.0s +statement 'dev-fct-sales' failed: boom" || fail "action line: $out"
echo "$out" | grep -Eq "create +int_orders +ok +1.0s" || fail "apply action line: $out"

out=$("$PIPECTL" -C "$tmp" history --json --limit 1 2>/dev/null)
python3 - "$out" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["format_version"] == "1", d
ex = d["executions"]
assert len(ex) == 1 and ex[0]["id"] == "reconcile-2", ex
a = ex[0]["actions"][0]
assert a["table"] == "fct_sales" and a["result"] == "failed" and a["duration_ms"] == 1000, a
PY

# usage errors
set +e
"$PIPECTL" -C "$tmp" history --limit abc 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 64 ]] || fail "bad --limit exit $rc"
grep -q "bad --limit 'abc'" "$tmp/err" || fail "bad --limit message: $(cat "$tmp/err")"
set +e
"$PIPECTL" -C "$tmp" history --nope 2>/dev/null; rc=$?
set -e
[[ $rc -eq 64 ]] || fail "unknown option exit $rc"
echo ok
