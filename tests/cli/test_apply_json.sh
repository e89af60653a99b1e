#!/usr/bin/env bash
# apply --json and destroy --json: stdout is one JSON event per line (the
# plan, each action's start, steps and end, the summary), nothing else; the
# counts agree with the plan; --json without --auto-approve is a usage error.
. "$(dirname "$0")/lib.sh" || exit 1
P="$TMP/proj"
cp -r "$EXAMPLE" "$P"
rm -rf "$P/.pipectl"

pc -C "$P" apply --json
assert_rc 64
assert_err_contains "--json needs --auto-approve"
pc -C "$P" apply --json --auto-approve
assert_rc 0
python3 - "$TMP/.out" 16 create <<'PY' || fail "apply --json events are wrong"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]  # every line is one JSON document
n, kind = int(sys.argv[2]), sys.argv[3]
assert all(e["format_version"] == "1" for e in ev)
assert ev[0]["event"] == "plan" and ev[0]["changes"] is True and ev[0]["summary"][kind] == n, ev[0]
planned = {a["table"] for a in ev[0]["actions"]}
assert len(planned) == n
starts = {e["table"] for e in ev if e["event"] == "start"}
ends = {e["table"]: e for e in ev if e["event"] == "end"}
assert starts == planned == set(ends), (starts, planned)
assert all(e["result"] == "ok" and e["action"] == kind and e["duration_ms"] >= 0 for e in ends.values())
for t in planned:  # per table: start, its steps, then end
    seq = [e["event"] for e in ev if e.get("table") == t]
    assert seq[0] == "start" and seq[-1] == "end" and set(seq[1:-1]) <= {"step"}, (t, seq)
assert ev[-1] == {"format_version": "1", "event": "summary", "result": "success", "done": n, "failed": 0,
                  "skipped": 0, "duration_ms": ev[-1]["duration_ms"], "error": None}, ev[-1]
PY
pc -C "$P" apply --json --auto-approve
assert_rc 0
python3 -c "
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert [e['event'] for e in ev] == ['plan', 'summary'] and ev[1]['result'] == 'no_changes', ev" "$TMP/.out" || fail "nothing to do is not two events"
pc -C "$P" destroy product:customers --json --auto-approve
assert_rc 0
python3 - "$TMP/.out" 4 drop <<'PY' || fail "destroy --json events are wrong"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[0]["event"] == "plan" and all(a["destructive"] for a in ev[0]["actions"]) and len(ev[0]["actions"]) == 4
assert ev[-1]["event"] == "summary" and ev[-1]["result"] == "success" and ev[-1]["done"] == 4, ev[-1]
PY
echo ok
