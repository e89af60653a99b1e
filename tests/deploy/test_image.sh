#!/usr/bin/env bash
# Builds the container image (manifests/deploy/Dockerfile) and runs it.
# Without a registry: `debootstrap --variant=minbase bookworm` makes the root
# file system that `podman import` tags as the Dockerfile's base
# (debian:12-slim), `podman build --isolation=chroot --network=host` builds
# it, and since containers cannot be started everywhere, the image is
# exported (`podman create` + `podman export`) and its pipectl run with
# `chroot --userspec=10001:10001` (the image's user): `--version`, then
# `reconcile --once` of the example project against the emulator, whose
# state must then hold every table and a RUNNING DML per table with one.
#
# Skipped (exit 77, with the reason) when not root, under the sanitizer
# build (the image does not depend on it), when podman or debootstrap are
# missing and cannot be installed, or when the Debian mirror cannot be
# reached. Takes about 2-3 minutes; cached in $PC_BUILD_DIR/image-cache.
set -euo pipefail
: "${PIPECTL:?PIPECTL must name the pipectl binary}"
: "${PC_SOURCE_DIR:?PC_SOURCE_DIR must name the source tree}"
skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
MIRROR=${PC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
TAG=localhost/pipectl:test-$$

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
[ "${PC_SANITIZE:-OFF}" != ON ] || skip "the image is built once, by the non-sanitizer test run"
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing ${missing[*]}"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
		>/tmp/pipectl-image-apt.log 2>&1 || skip "${missing[*]} not installed and not installable: $(tail -1 /tmp/pipectl-image-apt.log)"
fi

CACHE="${PC_BUILD_DIR:-/tmp}/image-cache"
T=$(mktemp -d)
EMU=
cleanup() {
	[ -z "$EMU" ] || { kill "$EMU" 2>/dev/null; wait "$EMU" 2>/dev/null; }
	podman rm -f "pipectl-test-$$" >/dev/null 2>&1 || true
	podman rmi -f "$TAG" >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$CACHE"

# ---- the base image: bookworm minbase, as debian:12-slim
t0=$(date +%s)
if ! podman image exists localhost/debian:12-slim; then
	if [ ! -f "$CACHE/rootfs.ok" ]; then
		rm -rf "$CACHE/rootfs"
		debootstrap --variant=minbase bookworm "$CACHE/rootfs" "$MIRROR" >"$T/debootstrap.log" 2>&1 || {
			tail -5 "$T/debootstrap.log"
			grep -Eqi "Failed getting release file|Could not resolve|Temporary failure|Connection (refused|timed out)|unable to fetch|Couldn't download" "$T/debootstrap.log" &&
				skip "the Debian mirror $MIRROR cannot be reached"
			fail "debootstrap failed"
		}
		touch "$CACHE/rootfs.ok"
	fi
	tar -C "$CACHE/rootfs" -c . | podman import - localhost/debian:12-slim >/dev/null || fail "podman import failed"
fi
echo "base image ready in $(( $(date +%s) - t0 )) s"

# ---- build from the tracked files (what a clone has), as the Dockerfile says
t0=$(date +%s)
mkdir "$T/ctx"
if git -C "$PC_SOURCE_DIR" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$PC_SOURCE_DIR" ls-files -z | (cd "$PC_SOURCE_DIR" && tar --null -T - -cf -) | tar -xf - -C "$T/ctx"
else
	tar -C "$PC_SOURCE_DIR" --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$T/ctx"
fi
if ! podman build --isolation=chroot --network=host --pull=never --layers=false -f "$T/ctx/manifests/deploy/Dockerfile" -t "$TAG" "$T/ctx" \
	>"$T/build.log" 2>&1; then
	tail -15 "$T/build.log"
	grep -Eqi "Failed to fetch|Temporary failure resolving|Could not resolve|Unable to fetch some archives|Unable to locate package" "$T/build.log" &&
		skip "the Debian mirror cannot be reached from the build"
	fail "podman build failed"
fi
echo "image built in $(( $(date +%s) - t0 )) s"

# ---- export and run as the image's user
podman create --name "pipectl-test-$$" "$TAG" >/dev/null || fail "podman create failed"
podman export "pipectl-test-$$" -o "$T/image.tar" || fail "podman export failed"
R="$T/root"
mkdir "$R"
tar -xf "$T/image.tar" -C "$R"
[ "$(stat -c %u:%g "$R/project")" = 10001:10001 ] || fail "/project is not owned by 10001:10001"
[ ! -e "$R/usr/bin/gcc" ] || fail "the runtime image carries the compiler"
# as podman would: resolv.conf and hosts are not needed, 127.0.0.1 is
version=$(chroot --userspec=10001:10001 "$R" /usr/local/bin/pipectl --version) || fail "pipectl --version failed in the image"
[ "$version" = "$("$PIPECTL" --version)" ] || fail "the image says '$version', the build '$("$PIPECTL" --version)'"
echo "in the image: $version"

# the emulator, outside; the example project inside, owned by the image's user
"$PIPECTL" emulator --listen 127.0.0.1:0 --state "$T/emu.json" >"$T/emu.log" 2>&1 &
EMU=$!
for _ in $(seq 1 200); do grep -q "listening on" "$T/emu.log" && break; sleep 0.05; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$T/emu.log" | head -1)
[ -n "$url" ] || fail "the emulator did not start: $(cat "$T/emu.log")"
cp -r "$PC_SOURCE_DIR/manifests/examples/pipelines" "$R/project/"
ORG=00000000-0000-4000-8000-000000000009
cat >"$R/project/pipectl.yaml" <<YAML
prefix: img
target: confluent
confluent:
  organization_id: $ORG
  environment_id: env-img
  principal: sa-img
  flink:
    endpoint: $url
    api_key: \${FLINK_API_KEY}
    api_secret: \${FLINK_API_SECRET}
    catalog: img-env
    database: lkc-local
  kafka:
    endpoint: $url
    cluster_id: lkc-local
    api_key: \${KAFKA_API_KEY}
    api_secret: \${KAFKA_API_SECRET}
YAML
chown -R 10001:10001 "$R/project"
chroot --userspec=10001:10001 "$R" /usr/bin/env -i HOME=/project PATH=/usr/local/bin:/usr/bin:/bin \
	FLINK_API_KEY=FKEY FLINK_API_SECRET=flink-secret-7f3a KAFKA_API_KEY=KKEY KAFKA_API_SECRET=kafka-secret-9c1d \
	/bin/sh -c 'cd /project && exec pipectl reconcile --once' >"$T/once.log" 2>&1 ||
	{ tail -20 "$T/once.log"; fail "reconcile --once failed in the image"; }
api="$url/sql/v1/organizations/$ORG/environments/env-img"
tables=$(python3 - "$PIPECTL" "$PC_SOURCE_DIR/manifests/examples" <<'PY'
import json, subprocess, sys
inv = json.loads(subprocess.run([sys.argv[1], "-C", sys.argv[2], "inventory", "--json"], check=True, capture_output=True).stdout)
print(" ".join("%s:%d" % (t["name"], t["dml"] is not None) for t in inv["tables"]))
PY
)
curl -sf "$url/kafka/v3/clusters/lkc-local/topics" >"$T/topics.json" || fail "topics not readable"
curl -sf "$api/statements?page_size=100" >"$T/statements.json" || fail "statements not readable"
python3 - "$T/topics.json" "$T/statements.json" $tables <<'PY' || fail "the image's reconcile --once did not bring the example up"
import json, sys
topics = {t["topic_name"] for t in json.load(open(sys.argv[1]))["data"]}
sts = json.load(open(sys.argv[2]))
assert not sts["metadata"].get("next"), "more than one page"
running = {s["metadata"]["labels"].get("user.confluent.io/pipectl-table-name") for s in sts["data"]
           if s["metadata"]["labels"].get("user.confluent.io/pipectl-kind") == "dml" and s["status"]["phase"] in ("RUNNING", "PENDING")}
for spec in sys.argv[3:]:
    name, has_dml = spec.rsplit(":", 1)
    assert name in topics, "no topic " + name
    assert has_dml == "0" or name in running, "no DML for " + name
print("%d tables, %d DMLs live" % (len(sys.argv) - 3, len(running)))
PY
! grep -q "flink-secret-7f3a\|kafka-secret-9c1d" "$T/once.log" || fail "a secret in the output"
echo ok
