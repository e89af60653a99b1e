#!/usr/bin/env bash
# The loop's endpoint: /healthz, /readyz (503 once the APIs cannot be
# reached), /metrics parsed as Prometheus text (names, types, values,
# histogram), /status JSON.
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

start_emulator
write_project
start_loop --interval 1s
wait_until 30 all_running || fail "the first cycles did not bring everything up"
# all_running can hold while the first cycle is still finishing (not yet
# counted): wait on the count itself, never on "one more than now"
wait_until 30 metric_ge 'pipectl_cycles_total{result="success"}' 2 || fail "no second successful cycle"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$LOOP_URL/healthz")" = 200 ] || fail "/healthz not 200"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$LOOP_URL/readyz")" = 200 ] || fail "/readyz not 200"
curl -sf "$LOOP_URL/metrics" >"$T/metrics.txt"
python3 - "$T/metrics.txt" "$("$PIPECTL" --version | awk '{print $2}')" <<'PY'
import re, sys, time
types, samples = {}, {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        _, _, name, typ = line.split(" ")
        assert name not in types, "family declared twice: " + name
        types[name] = typ
        continue
    if line.startswith("#"):
        continue
    m = re.fullmatch(r'([a-z_][a-z0-9_]*)(\{[^}]*\})? (\S+)', line)
    assert m, "bad sample line: " + line
    name = m.group(1)
    fam = name
    for sfx in ("_bucket", "_sum", "_count"):
        if name.endswith(sfx) and types.get(name[:-len(sfx)]) == "histogram":
            fam = name[:-len(sfx)]
    assert fam in types, "sample before its # TYPE: " + line
    assert name.startswith("pipectl_"), name
    key = name + (m.group(2) or "")
    assert key not in samples, "duplicate series " + key
    samples[key] = float(m.group(3))
want = {"pipectl_build_info": "gauge", "pipectl_cycles_total": "counter", "pipectl_cycle_duration_seconds": "histogram",
        "pipectl_actions_total": "counter", "pipectl_tables": "gauge",
        "pipectl_held_destructive_actions": "gauge", "pipectl_statements": "gauge",
        "pipectl_last_success_timestamp_seconds": "gauge", "pipectl_api_requests_total": "counter"}
for k, v in want.items():
    assert types.get(k) == v, "%s: %s" % (k, types.get(k))
s = samples
assert s['pipectl_build_info{version="%s"}' % sys.argv[2]] == 1, s
assert s['pipectl_cycles_total{result="success"}'] >= 2, s
assert s['pipectl_actions_total{action="create",result="ok"}'] == 4, s
assert s['pipectl_tables{state="in_sync"}'] == 4, s
assert s['pipectl_tables{state="out_of_sync"}'] == 0, s
assert s['pipectl_held_destructive_actions'] == 0, s
assert s['pipectl_statements{phase="RUNNING"}'] == 3, s
assert s['pipectl_api_requests_total{code="2xx"}'] > 0, s
assert abs(s['pipectl_last_success_timestamp_seconds'] - time.time()) < 120, s
buckets = sorted((float(k.split('"')[1]), v) for k, v in s.items()
                 if k.startswith("pipectl_cycle_duration_seconds_bucket") and "+Inf" not in k)
assert buckets and all(b[1] <= c[1] for b, c in zip(buckets, buckets[1:])), buckets
assert s['pipectl_cycle_duration_seconds_bucket{le="+Inf"}'] == s['pipectl_cycle_duration_seconds_count'], s
assert s['pipectl_cycle_duration_seconds_count'] == s['pipectl_cycles_total{result="success"}'], s
PY
curl -sf "$LOOP_URL/status" | jq -e '.format_version == "1" and .result == "success" and .tables.in_sync == 4 and (.plan.actions | length) == 4' >/dev/null ||
	fail "/status wrong"

# the APIs go away: not ready, error cycles counted, still alive
stop_emulator
wait_until 30 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $LOOP_URL/readyz)\" = 503 ]" || fail "/readyz stayed 200"
curl -s "$LOOP_URL/readyz" | grep -q "not ready: " || fail "/readyz gives no reason"
metric_ge 'pipectl_cycles_total{result="error"}' 1 || fail "error cycles not counted"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$LOOP_URL/healthz")" = 200 ] || fail "/healthz not 200 while the APIs are down"
metric_ge 'pipectl_api_requests_total{code="network_error"}' 1 || fail "network errors not counted"
stop_loop
echo ok
