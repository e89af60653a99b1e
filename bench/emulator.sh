#!/usr/bin/env bash
# Emulator listing speed: create N statements (default 10000) over one
# keep-alive HTTP connection, then list them all with page_size 100 and print
# the time per page. Target: well under 1 ms per page.
#   bench/emulator.sh [N]      (PIPECTL=path/to/pipectl, default build/pipectl)
set -euo pipefail

N=${1:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PIPECTL=${PIPECTL:-$ROOT/build/pipectl}
TMP=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

"$PIPECTL" emulator --listen 127.0.0.1:0 --exit-after 900 --ddl-ms 100 --pending-ms 100 >"$TMP/out" 2>"$TMP/err" &
PID=$!
for _ in $(seq 1 100); do
	grep -q '^listening on ' "$TMP/out" && break
	sleep 0.05
done
URL=$(sed -n 's/^listening on //p' "$TMP/out")
[ -n "$URL" ] || { cat "$TMP/err" >&2; echo "emulator did not start" >&2; exit 1; }

python3 - "$URL" "$N" <<'PY'
import http.client, json, sys, time, urllib.parse
url, n = sys.argv[1], int(sys.argv[2])
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
base = "/sql/v1/organizations/org-bench/environments/env-bench/statements"
t0 = time.perf_counter()
for i in range(n):
    sql = ("CREATE TABLE IF NOT EXISTS t%d (id INT)" % i) if i % 2 == 0 else \
          ("INSERT INTO t%d SELECT * FROM t%d" % (i - 1, i - 1))
    body = json.dumps({"name": "bench-%05d" % i, "spec": {"statement": sql}})
    conn.request("POST", base, body, {"Content-Type": "application/json"})
    r = conn.getresponse(); r.read()
    if r.status != 201:
        sys.exit("create %d: HTTP %d" % (i, r.status))
t1 = time.perf_counter()
print("created %d statements in %.2f s (%.3f ms each)" % (n, t1 - t0, (t1 - t0) * 1000 / n))
time.sleep(0.3)  # let them start
for rnd in range(2):
    path, pages, seen, times, server = base + "?page_size=100", 0, 0, [], []
    while path:
        s = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse(); data = r.read()
        times.append(time.perf_counter() - s)
        st = r.getheader("Server-Timing") or ""
        if "dur=" in st:
            server.append(float(st.split("dur=")[1]))
        if r.status != 200:
            sys.exit("list: HTTP %d" % r.status)
        j = json.loads(data)
        seen += len(j["data"]); pages += 1
        nxt = j["metadata"].get("next") or ""
        path = urllib.parse.urlparse(nxt)._replace(scheme="", netloc="").geturl() if nxt else None
    if seen != n:
        sys.exit("listed %d statements, expected %d" % (seen, n))
    times.sort(); server.sort()
    if server:
        print("round %d: server time per page of 100 (Server-Timing): median %.3f ms, max %.3f ms"
              % (rnd + 1, server[len(server) // 2], server[-1]))
    print("round %d: %d pages of 100: mean %.3f ms, median %.3f ms, max %.3f ms per page (client-side, includes HTTP)"
          % (rnd + 1, pages, sum(times) * 1000 / pages, times[pages // 2] * 1000, times[-1] * 1000))
PY
