#!/usr/bin/env bash
# The deploy manifests as they are shipped: the kustomization renders
# (`kubectl kustomize` when installed, else the listed files themselves), and
# the rendered objects fit together (namespace, no placeholder Secret, no
# service-account token, the Secret's keys cover every ${VAR} of the
# ConfigMap's pipectl.yaml, which pipectl itself accepts, Service and
# ServiceMonitor select the pod's port, the image's user and port match the
# Deployment). The loop's /metrics passes `promtool check metrics`.
# A missing optional tool (kubectl, promtool) skips that part with the reason.
set -euo pipefail
: "${PIPECTL:?PIPECTL must name the pipectl binary}"
: "${PC_SOURCE_DIR:?PC_SOURCE_DIR must name the source tree}"
K="$PC_SOURCE_DIR/manifests/deploy/kubernetes"
T=$(mktemp -d)
LOOP=
cleanup() { [ -z "$LOOP" ] || { kill "$LOOP" 2>/dev/null; wait "$LOOP" 2>/dev/null; }; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is needed (scripts/setup.sh installs it)"

# ---- render
if command -v kubectl >/dev/null && kubectl kustomize --help >/dev/null 2>&1; then
	kubectl kustomize "$K" >"$T/rendered.yaml" || fail "kubectl kustomize failed"
	rendered=kustomize
else
	echo "skip: kubectl not installed: checking the files listed in kustomization.yaml without kustomize"
	rendered=files
fi

python3 - "$K" "$T" "$rendered" <<'PY' || fail "manifests do not fit together"
import os, re, sys, yaml
k, t, how = sys.argv[1:4]
kust = yaml.safe_load(open(os.path.join(k, "kustomization.yaml")))
if how == "kustomize":
    docs = [d for d in yaml.safe_load_all(open(os.path.join(t, "rendered.yaml"))) if d]
else:
    docs = []
    for f in kust["resources"]:
        docs += [d for d in yaml.safe_load_all(open(os.path.join(k, f))) if d]
    for d in docs:  # what kustomize would do
        if d["kind"] != "Namespace":
            d["metadata"]["namespace"] = kust["namespace"]
        if d["kind"] == "Deployment":
            for c in d["spec"]["template"]["spec"]["containers"]:
                if c["image"] == kust["images"][0]["name"]:
                    c["image"] = "%s:%s" % (kust["images"][0]["newName"], kust["images"][0]["newTag"])
def err(msg):
    print("manifests: " + msg, file=sys.stderr); sys.exit(1)
by = {}
for d in docs:
    for key in ("apiVersion", "kind", "metadata"):
        if key not in d: err("an object without %s: %r" % (key, d))
    by.setdefault(d["kind"], []).append(d)
kinds = sorted(by)
if kinds != ["ConfigMap", "Deployment", "Namespace", "Service", "ServiceAccount"]:
    err("kinds are %s" % kinds)
if "Secret" in by: err("a Secret is applied: it would overwrite the real keys")
ns = kust["namespace"]
if [n["metadata"]["name"] for n in by["Namespace"]] != [ns]: err("the namespace %s is not created" % ns)
for d in docs:
    if d["kind"] != "Namespace" and d["metadata"].get("namespace") != ns:
        err("%s/%s not in namespace %s" % (d["kind"], d["metadata"]["name"], ns))
dep = by["Deployment"][0]
pod = dep["spec"]["template"]["spec"]
podlabels = dep["spec"]["template"]["metadata"]["labels"]
if dep["spec"]["replicas"] != 1 or dep["spec"]["strategy"]["type"] != "Recreate": err("not one replica, Recreate")
for sel_k, sel_v in dep["spec"]["selector"]["matchLabels"].items():
    if podlabels.get(sel_k) != sel_v: err("the Deployment's selector does not select its pods")
# no token
sa = by["ServiceAccount"][0]
if pod.get("serviceAccountName") != sa["metadata"]["name"]: err("the pod does not use the ServiceAccount %s" % sa["metadata"]["name"])
if sa.get("automountServiceAccountToken") is not False or pod.get("automountServiceAccountToken") is not False:
    err("a service-account token is mounted")
c = [c for c in pod["containers"] if c["name"] == "pipectl"][0]
if not c["image"].startswith(kust["images"][0]["newName"] + ":"): err("image not rewritten: " + c["image"])
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
    g = c[probe]["httpGet"]
    if g["port"] not in ports: err("%s uses port %s the container does not name" % (probe, g["port"]))
if c["readinessProbe"]["httpGet"]["path"] != "/readyz" or c["livenessProbe"]["httpGet"]["path"] != "/healthz":
    err("probes do not use /readyz and /healthz")
if "0.0.0.0:%d" % ports["http"] not in " ".join(c["args"]): err("the loop does not listen on the container port")
# the Secret (created outside) and the ConfigMap's ${VAR}s
secret_names = [e["secretRef"]["name"] for e in c.get("envFrom", []) if "secretRef" in e]
example = yaml.safe_load(open(os.path.join(k, "secret.example.yaml")))
if secret_names != [example["metadata"]["name"]]: err("the pod reads secrets %s, the example is %s" % (secret_names, example["metadata"]["name"]))
if example["metadata"].get("namespace") != ns: err("secret.example.yaml is not in namespace " + ns)
cm = by["ConfigMap"][0]
cfgname = [v for v in pod["volumes"] if v["name"] == "config"][0]["configMap"]["name"]
if cfgname != cm["metadata"]["name"]: err("the config volume names ConfigMap %s" % cfgname)
cfg = cm["data"]["pipectl.yaml"]
open(os.path.join(t, "pipectl.yaml"), "w").write(cfg)
wanted = set(re.findall(r"\$\{([A-Z0-9_]+)\}", cfg))
if not wanted or wanted != set(example["stringData"]): err("the ConfigMap uses %s, the Secret example has %s" % (sorted(wanted), sorted(example["stringData"])))
mount = [m for m in c["volumeMounts"] if m["name"] == "config"][0]["mountPath"]
if "%s/pipectl.yaml" % mount not in c["args"]: err("--config does not name the mounted pipectl.yaml")
open(os.path.join(t, "vars"), "w").write(" ".join(sorted(wanted)))
# Service, ServiceMonitor
svc = by["Service"][0]
if any(podlabels.get(a) != b for a, b in svc["spec"]["selector"].items()): err("the Service does not select the pod")
sp = svc["spec"]["ports"][0]
if sp["targetPort"] not in ports: err("the Service targets port %s the container does not name" % sp["targetPort"])
sm = yaml.safe_load(open(os.path.join(k, "servicemonitor.example.yaml")))
if sm["kind"] != "ServiceMonitor" or sm["metadata"].get("namespace") != ns: err("servicemonitor.example.yaml: kind or namespace")
svclabels = svc["metadata"].get("labels", {})
if any(svclabels.get(a) != b for a, b in sm["spec"]["selector"]["matchLabels"].items()):
    err("the ServiceMonitor does not select the Service (labels %s)" % svclabels)
if sm["spec"]["endpoints"][0]["port"] != sp["name"] or sm["spec"]["endpoints"][0]["path"] != "/metrics":
    err("the ServiceMonitor does not scrape the Service's %s port at /metrics" % sp["name"])
if "servicemonitor.example.yaml" in kust["resources"] or "secret.example.yaml" in kust["resources"]:
    err("an example is applied by the kustomization")
# the image
df = open(os.path.join(k, "..", "Dockerfile")).read()
user = re.findall(r"^USER (\d+):(\d+)", df, re.M)[-1]
sc = pod["securityContext"]
if (str(sc["runAsUser"]), str(sc["runAsGroup"])) != user: err("the Deployment runs as %s:%s, the image as %s:%s" % (sc["runAsUser"], sc["runAsGroup"], *user))
if "EXPOSE %d" % ports["http"] not in df: err("the image does not expose %d" % ports["http"])
PY
echo "manifests fit together ($rendered)"

# ---- the ConfigMap's pipectl.yaml is one pipectl accepts
mkdir -p "$T/proj/pipelines/sources/src/sql-scripts"
echo "CREATE TABLE src (id INT);" >"$T/proj/pipelines/sources/src/sql-scripts/ddl.src.sql"
envs=()
for v in $(cat "$T/vars"); do envs+=("$v=x"); done
env "${envs[@]}" "$PIPECTL" -C "$T/proj" --config "$T/pipectl.yaml" validate >"$T/validate.out" 2>&1 ||
	{ cat "$T/validate.out" >&2; fail "pipectl does not accept the ConfigMap's pipectl.yaml"; }
# and without the Secret's variables it names the one missing
"$PIPECTL" -C "$T/proj" --config "$T/pipectl.yaml" validate >"$T/validate.out" 2>&1 && fail "validate passed without the secret's variables"
grep -q "FLINK_API_KEY" "$T/validate.out" || fail "the unset variable is not named: $(cat "$T/validate.out")"

# ---- /metrics passes promtool
promtool=$(command -v promtool || true)
if [ -z "$promtool" ]; then
	# Debian ships promtool in the prometheus package: unpack it, do not install the service
	cache="${PC_BUILD_DIR:-$T}/tools"
	if [ ! -x "$cache/usr/bin/promtool" ]; then
		mkdir -p "$cache"
		(cd "$T" && apt-get download prometheus >"$T/apt.log" 2>&1 && dpkg-deb -x prometheus_*.deb "$cache") || true
	fi
	[ -x "$cache/usr/bin/promtool" ] && promtool="$cache/usr/bin/promtool"
fi
if [ -z "$promtool" ]; then
	echo "skip: promtool not available (no prometheus package reachable: $(tail -1 "$T/apt.log" 2>/dev/null)); /metrics not checked by promtool"
else
	mkdir -p "$T/local/pipelines/sources/src/sql-scripts" "$T/local/pipelines/intermediates/mid/sql-scripts"
	echo "CREATE TABLE src (id INT);" >"$T/local/pipelines/sources/src/sql-scripts/ddl.src.sql"
	echo "CREATE TABLE mid (id INT);" >"$T/local/pipelines/intermediates/mid/sql-scripts/ddl.mid.sql"
	echo "INSERT INTO mid SELECT id FROM src;" >"$T/local/pipelines/intermediates/mid/sql-scripts/dml.mid.sql"
	"$PIPECTL" -C "$T/local" reconcile --interval 1s --listen 127.0.0.1:0 >"$T/loop.log" 2>&1 &
	LOOP=$!
	url=
	for _ in $(seq 1 300); do
		port=$(grep -o 'port [0-9]*' "$T/loop.log" | head -1 | awk '{print $2}' || true)
		if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/metrics" >"$T/metrics.txt" &&
			awk '$1 == "pipectl_cycle_duration_seconds_count" && $2 >= 1 {f=1} END {exit !f}' "$T/metrics.txt"; then
			url=ok; break
		fi
		kill -0 "$LOOP" 2>/dev/null || { cat "$T/loop.log" >&2; fail "the loop exited"; }
		sleep 0.1
	done
	[ -n "$url" ] || { cat "$T/loop.log" >&2; fail "no cycle on /metrics within 30 s"; }
	"$promtool" check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 ||
		{ cat "$T/promtool.out" >&2; fail "promtool check metrics failed"; }
	grep -q '^pipectl_build_info{version="[^"]*"} 1$' "$T/metrics.txt" || fail "no pipectl_build_info"
	echo "promtool check metrics: ok ($("$promtool" --version 2>&1 | head -1))"
fi
echo ok
