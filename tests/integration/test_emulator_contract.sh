#!/usr/bin/env bash
# The emulator's HTTP contract: status codes, headers and body shapes of the
# sql/v1, fcpm/v2, kafka/v3 and /emulator/v1 paths (docs/emulator.md).
set -euo pipefail

PIPECTL=${PIPECTL:?PIPECTL must point at the pipectl binary}
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# start_emulator NAME ARGS...: sets URL_<NAME>
start_emulator() {
	local name=$1; shift
	"$PIPECTL" emulator --listen 127.0.0.1:0 --exit-after 300 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	PIDS+=($!)
	for _ in $(seq 1 100); do
		if grep -q '^listening on http://127.0.0.1:[0-9]*$' "$TMP/$name.out"; then
			printf -v "URL_$name" '%s' "$(sed -n 's/^listening on //p' "$TMP/$name.out")"
			return 0
		fi
		sleep 0.05
	done
	cat "$TMP/$name.err" >&2
	fail "emulator $name did not start"
}

# req METHOD URL [BODY] -> sets CODE, writes body to $TMP/body, headers to $TMP/hdr
req() {
	local method=$1 url=$2 body=${3-}
	local args=(-s -S -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' -X "$method" --max-time 10)
	[ -n "${AUTH-}" ] && args+=(-u "$AUTH")
	if [ -n "$body" ]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$body")
	fi
	CODE=$(curl "${args[@]}" "$url")
}

expect_code() { [ "$CODE" = "$1" ] || fail "$2: expected HTTP $1, got $CODE: $(cat "$TMP/body")"; }

# jcheck 'python expression over j (the body)' message
jcheck() {
	python3 - "$TMP/body" "$1" <<'EOF' || fail "$2: $(cat "$TMP/body")"
import json, sys
j = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)
EOF
}

header() { grep -i "^$1:" "$TMP/hdr" | head -1 | sed 's/^[^:]*: *//' | tr -d '\r'; }

wait_phase() { # wait_phase STMT_URL PHASE (a deadline in seconds, not a count: CI is loaded)
	local deadline=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$deadline" ]; do
		req GET "$1"
		if [ "$CODE" = 200 ] && python3 -c "import json,sys; sys.exit(0 if json.load(open('$TMP/body'))['status']['phase']=='$2' else 1)"; then
			return 0
		fi
		sleep 0.1
	done
	fail "statement $1 did not reach $2: $(cat "$TMP/body")"
}

# wait_gone URL: a deleted topic lingers (Kafka deletes asynchronously), then 404s
wait_gone() {
	local deadline=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$deadline" ]; do
		req GET "$1"
		[ "$CODE" = 404 ] && return 0
		sleep 0.1
	done
	fail "$1 is still there: $(cat "$TMP/body")"
}

start_emulator main --ddl-ms 100 --pending-ms 150 --produce-rate 100 --fail-statement 'FROM\s+boom'
B="$URL_main/sql/v1/organizations/org-1/environments/env-a1/statements"

# ---- create: 201 + Location, full statement shape
req POST "$B" '{"name":"ddl-orders","spec":{"statement":"CREATE TABLE orders (id INT) WITH ('"'"'kafka.partitions'"'"' = '"'"'3'"'"')","properties":{"sql.current-catalog":"dev"}}}'
expect_code 201 "create statement"
[ "$(header Location)" = "$B/ddl-orders" ] || fail "Location header is '$(header Location)'"
jcheck 'j["api_version"]=="sql/v1" and j["kind"]=="Statement" and j["organization_id"]=="org-1" and j["environment_id"]=="env-a1" and j["name"]=="ddl-orders"' "statement envelope"
jcheck 'j["metadata"]["self"].endswith("/statements/ddl-orders") and j["metadata"]["resource_version"]=="1" and j["metadata"]["labels"]=={} and j["metadata"]["uid"] and j["metadata"]["created_at"].endswith("Z")' "statement metadata"
jcheck 'j["spec"]["properties"]=={"sql.current-catalog":"dev"} and j["spec"]["compute_pool_id"]=="lfcp-local" and j["spec"]["stopped"] is False' "statement spec"
jcheck 'j["status"]["phase"]=="PENDING" and j["status"]["traits"]["sql_kind"]=="CREATE_TABLE" and j["status"]["traits"]["is_bounded"] is True' "statement status"
wait_phase "$B/ddl-orders" COMPLETED

# ---- duplicate name: 409 with Confluent's body
req POST "$B" '{"name":"ddl-orders","spec":{"statement":"CREATE TABLE x (id INT)"}}'
expect_code 409 "duplicate name"
jcheck 'j["errors"][0]=={"status":"409","code":"resource_already_exists","title":"Conflict","detail":"Statement name '"'"'ddl-orders'"'"' already exists"}' "409 body"

# ---- bad names and bodies: 400
req POST "$B" '{"name":"Bad_Name","spec":{"statement":"CREATE TABLE x (id INT)"}}'
expect_code 400 "invalid name"
jcheck 'j["errors"][0]["status"]=="400" and "Bad_Name" in j["errors"][0]["detail"]' "400 body names the statement"
req POST "$B" "{\"name\":\"$(printf 'a%.0s' $(seq 1 101))\",\"spec\":{\"statement\":\"CREATE TABLE x (id INT)\"}}"
expect_code 400 "name longer than 100"
req POST "$B" '{"name":"x", "spec": {'
expect_code 400 "malformed JSON"
jcheck '"malformed JSON" in j["errors"][0]["detail"]' "malformed JSON detail"

# ---- unknown statement: 404
req GET "$B/nope"
expect_code 404 "get unknown"
jcheck 'j["errors"][0]["status"]=="404" and j["errors"][0]["detail"]=="Statement resource=nope does not exist"' "404 body"
req DELETE "$B/nope"
expect_code 404 "delete unknown"

# ---- Kafka: the DDL made a topic with 3 partitions
K="$URL_main/kafka/v3/clusters/lkc-local/topics"
req GET "$K/orders"
expect_code 200 "get topic"
jcheck 'j["kind"]=="KafkaTopic" and j["topic_name"]=="orders" and j["partitions_count"]==3 and j["cluster_id"]=="lkc-local"' "topic shape"
req GET "$K"
expect_code 200 "list topics"
jcheck 'j["kind"]=="KafkaTopicList" and [t["topic_name"] for t in j["data"]]==["orders"]' "topic list"
req GET "$K/missing"
expect_code 404 "missing topic"
jcheck 'j=={"error_code":40403,"message":"This server does not host this topic-partition."}' "kafka 404 body"
req POST "$K" '{"topic_name":"scratch","partitions_count":2}'
expect_code 201 "create topic"
req POST "$K" '{"topic_name":"scratch"}'
expect_code 400 "create existing topic"
jcheck 'j["error_code"]==40002' "kafka 40002"
req DELETE "$K/scratch"
expect_code 204 "delete topic"
wait_gone "$K/scratch"
req DELETE "$K/scratch"
expect_code 404 "delete missing topic"

# ---- DML: PENDING -> RUNNING, stop with resource_version, latest_offsets, resume
req POST "$B" '{"name":"ddl-big","spec":{"statement":"CREATE TABLE big (id INT)"}}'
expect_code 201 "create ddl-big"
wait_phase "$B/ddl-big" COMPLETED
req POST "$B" '{"name":"dml-big","spec":{"statement":"INSERT INTO big SELECT * FROM orders"}}'
expect_code 201 "create dml"
jcheck 'j["status"]["phase"]=="PENDING" and j["status"]["traits"]["sql_kind"]=="INSERT_INTO" and j["status"]["traits"]["is_bounded"] is False' "dml pending"
wait_phase "$B/dml-big" RUNNING
cp "$TMP/body" "$TMP/running.json"
STALE=$(python3 -c "import json; j=json.load(open('$TMP/running.json')); j['spec']['stopped']=True; j['metadata']['resource_version']=str(int(j['metadata']['resource_version'])-1); print(json.dumps(j))")
req PUT "$B/dml-big" "$STALE"
expect_code 409 "PUT with a stale resource_version"
STOP=$(python3 -c "import json; j=json.load(open('$TMP/running.json')); j['spec']['stopped']=True; print(json.dumps(j))")
req PUT "$B/dml-big" "$STOP"
expect_code 202 "stop"
wait_phase "$B/dml-big" STOPPED
jcheck 'j["spec"]["stopped"] is True and j["status"]["latest_offsets"]["orders"].startswith("partition:0,offset:") and j["status"]["latest_offsets"]["orders"].count(";")==2 and j["status"]["latest_offsets_timestamp"]' "latest_offsets when stopped"
req PATCH "$B/dml-big" '[{"op":"replace","path":"/spec/stopped","value":false}]'
expect_code 200 "PATCH resume"
jcheck 'j["spec"]["stopped"] is False and j["status"]["phase"]=="PENDING"' "PATCH answers the statement"
wait_phase "$B/dml-big" RUNNING

# ---- carry-over: the new statement waits, then starts exactly where the old stopped
req POST "$B" '{"name":"dml-big-v2","spec":{"statement":"INSERT INTO big SELECT id FROM orders","properties":{"sql.tables.initial-offset-from":"dml-big"}}}'
expect_code 201 "create carry-over statement"
sleep 0.4
req GET "$B/dml-big-v2"
jcheck 'j["status"]["phase"]=="PENDING" and j["status"]["detail"].startswith("Statement is currently pending until referenced statement dml-big is stopped")' "carry-over waits"
req PATCH "$B/dml-big" '[{"op":"replace","path":"/spec/stopped","value":true}]'
expect_code 200 "stop the old one"
wait_phase "$B/dml-big" STOPPED
wait_phase "$B/dml-big-v2" RUNNING
sleep 0.3
req GET "$URL_main/emulator/v1/environments/env-a1/statements/dml-big/audit"
expect_code 200 "audit old"
cp "$TMP/body" "$TMP/old_audit.json"
req GET "$URL_main/emulator/v1/environments/env-a1/statements/dml-big-v2/audit"
expect_code 200 "audit new"
python3 - "$TMP/old_audit.json" "$TMP/body" <<'EOF' || fail "carry-over is not exact"
import json, sys
old = json.load(open(sys.argv[1])); new = json.load(open(sys.argv[2]))
o = {p["partition"]: p for p in old["consumed"]["orders"]}
n = {p["partition"]: p for p in new["consumed"]["orders"]}
assert sorted(o) == sorted(n) == [0, 1, 2]
for p in o:
    assert o[p]["from"] == 0, o[p]
    assert n[p]["from"] == o[p]["to"], (o[p], n[p])  # no gap, no overlap
    assert n[p]["to"] >= n[p]["from"]
assert old["produced"]["big"] == sum(o[p]["to"] - o[p]["from"] for p in o)
EOF
req DELETE "$B/dml-big"
expect_code 202 "delete"
req GET "$B/dml-big"
expect_code 404 "deleted statement is gone"
req GET "$URL_main/emulator/v1/environments/env-a1/statements/dml-big/audit"
expect_code 200 "audit survives the delete"
jcheck 'j["deleted"] is True' "audit of a deleted statement"

# ---- drop under a running statement: FAILED with an exception
req POST "$B" '{"name":"drop-orders","spec":{"statement":"DROP TABLE orders"}}'
expect_code 201 "drop table"
wait_phase "$B/drop-orders" COMPLETED
wait_phase "$B/dml-big-v2" FAILED
jcheck '"orders" in j["status"]["detail"]' "failure names the table"
req GET "$B/dml-big-v2/exceptions"
expect_code 200 "exceptions"
jcheck 'j["kind"]=="StatementExceptionList" and len(j["data"])==1 and j["data"][0]["kind"]=="StatementException" and j["data"][0]["name"] and "orders" in j["data"][0]["message"] and j["data"][0]["timestamp"].endswith("Z")' "exception shape"
wait_gone "$K/orders"

# ---- missing table and --fail-statement: FAILED
req POST "$B" '{"name":"dml-missing","spec":{"statement":"INSERT INTO big SELECT * FROM ghost"}}'
wait_phase "$B/dml-missing" FAILED
jcheck 'j["status"]["detail"]=="Table '"'"'ghost'"'"' does not exist"' "missing table detail"
req POST "$B" '{"name":"ddl-boom","spec":{"statement":"CREATE TABLE boom (id INT)"}}'
wait_phase "$B/ddl-boom" COMPLETED
req POST "$B" '{"name":"dml-boom","spec":{"statement":"INSERT INTO big SELECT * FROM boom"}}'
wait_phase "$B/dml-boom" FAILED
req GET "$B/dml-boom/exceptions"
jcheck 'len(j["data"])==1 and "fail-statement" in j["data"][0]["message"]' "fail-statement exception"

# ---- pagination: 25 statements in another environment, 3 pages of 10
B2="$URL_main/sql/v1/organizations/org-1/environments/env-pages/statements"
for i in $(seq -w 1 25); do
	req POST "$B2" "{\"name\":\"p-$i\",\"spec\":{\"statement\":\"CREATE TABLE IF NOT EXISTS pt (id INT)\"}}"
	expect_code 201 "create p-$i"
done
URL="$B2"; PAGES=0; : >"$TMP/names"
while [ -n "$URL" ]; do
	req GET "$URL"
	expect_code 200 "list page"
	jcheck 'j["kind"]=="StatementList" and j["api_version"]=="sql/v1" and len(j["data"])<=10 and "self" in j["metadata"]' "list shape"
	python3 -c "import json; [print(s['name']) for s in json.load(open('$TMP/body'))['data']]" >>"$TMP/names"
	URL=$(python3 -c "import json; print(json.load(open('$TMP/body'))['metadata'].get('next') or '')")
	PAGES=$((PAGES + 1))
	[ $PAGES -le 5 ] || fail "pagination does not end"
done
[ $PAGES = 3 ] || fail "expected 3 pages, got $PAGES"
[ "$(cat "$TMP/names")" = "$(for i in $(seq -w 1 25); do echo "p-$i"; done)" ] || fail "pages are not complete and ordered: $(cat "$TMP/names" | tr '\n' ' ')"
req GET "$B2?page_size=101"
expect_code 400 "page_size above 100"

# ---- compute pools
P="$URL_main/fcpm/v2/compute-pools"
req GET "$P"
expect_code 400 "pools without environment"
req GET "$P?environment=env-a1"
expect_code 200 "list pools"
jcheck 'j["kind"]=="ComputePoolList" and [p["id"] for p in j["data"]]==["lfcp-local"] and j["data"][0]["status"]["phase"]=="PROVISIONED"' "default pool"
req POST "$P" '{"spec":{"display_name":"pool-a","cloud":"AWS","region":"us-east-1","max_cfu":10,"environment":{"id":"env-a1"}}}'
expect_code 202 "create pool"
POOL=$(python3 -c "import json; print(json.load(open('$TMP/body'))['id'])")
[ "$(header Location)" = "$P/$POOL?environment=env-a1" ] || fail "pool Location is '$(header Location)'"
jcheck 'j["kind"]=="ComputePool" and j["status"]["phase"]=="PROVISIONING" and j["spec"]["environment"]["id"]=="env-a1"' "new pool provisions"
sleep 0.3
req GET "$P/$POOL?environment=env-a1"
expect_code 200 "get pool"
jcheck 'j["status"]["phase"]=="PROVISIONED" and j["spec"]["display_name"]=="pool-a"' "pool provisioned"
req GET "$P/lfcp-nope?environment=env-a1"
expect_code 404 "unknown pool"

# ---- strict: what Confluent Cloud refuses or ignores (docs/emulator.md)
BX="$URL_main/sql/v1/organizations/org-1/environments/env-strict/statements"
req POST "$BX" '{"name":"lab","spec":{"statement":"CREATE TABLE lab (id INT)"},"metadata":{"labels":{"owner":"me"}}}'
expect_code 400 "a label without the user.confluent.io/ prefix"
jcheck '"owner" in j["errors"][0]["detail"] and "user.confluent.io/" in j["errors"][0]["detail"]' "label detail"
req POST "$BX" '{"name":"lab","spec":{"statement":"CREATE TABLE lab (id INT)"},"metadata":{"labels":{"user.confluent.io/owner":"me"}}}'
expect_code 201 "a prefixed label"
req POST "$BX" '{"name":"show","spec":{"statement":"SHOW TABLES","stopped":true}}'
expect_code 201 "created stopped"
jcheck 'j["spec"]["stopped"] is False' "spec.stopped on create is ignored"
wait_phase "$BX/show" COMPLETED
req PATCH "$BX/show" '[{"op":"replace","path":"/spec/stopped","value":true}]'
expect_code 400 "stopping a DDL"
jcheck '"can not be stopped" in j["errors"][0]["detail"]' "stop detail"
wait_phase "$BX/lab" COMPLETED
req POST "$BX" '{"name":"ins","spec":{"statement":"INSERT INTO lab SELECT * FROM lab","properties":{"sql.current-catalog":"a"}}}'
wait_phase "$BX/ins" RUNNING
req PATCH "$BX/ins" '[{"op":"replace","path":"/spec/stopped","value":true}]'
expect_code 200 "stopping an INSERT"
wait_phase "$BX/ins" STOPPED
cp "$TMP/body" "$TMP/stopped.json"
PUTP=$(python3 -c "import json; j=json.load(open('$TMP/stopped.json')); j['spec']['properties']['sql.current-catalog']='b'; print(json.dumps(j))")
req PUT "$BX/ins" "$PUTP"
expect_code 400 "a PUT changing properties, even stopped"
PUTL=$(python3 -c "import json; j=json.load(open('$TMP/stopped.json')); j['metadata']['labels']={'user.confluent.io/x':'y'}; print(json.dumps(j))")
req PUT "$BX/ins" "$PUTL"
expect_code 202 "a PUT changing labels is accepted"
req GET "$BX/ins"
jcheck 'j["metadata"]["labels"]=={} and j["metadata"]["resource_version"]==json.load(open("'"$TMP"'/stopped.json"))["metadata"]["resource_version"]' "and changes nothing"
req POST "$URL_main/fcpm/v2/compute-pools" '{"spec":{"display_name":"pool-b","region":"us-east-1","max_cfu":10,"environment":{"id":"env-a1"}}}'
expect_code 400 "a pool without cloud"
jcheck '"spec.cloud" in j["errors"][0]["detail"]' "pool detail"
req POST "$URL_main/fcpm/v2/compute-pools" '{"spec":{"display_name":"pool-b","cloud":"AWS","region":"us-east-1","max_cfu":15,"environment":{"id":"env-a1"}}}'
expect_code 400 "max_cfu 15"

# ---- a dropped table's topic lingers (Kafka deletes it asynchronously)
start_emulator linger --topic-linger-ms 600000 --ddl-ms 50
BL="$URL_linger/sql/v1/organizations/o/environments/env-l/statements"
KL="$URL_linger/kafka/v3/clusters/lkc-local/topics"
req POST "$BL" '{"name":"ddl-t","spec":{"statement":"CREATE TABLE t (id INT)"}}'
wait_phase "$BL/ddl-t" COMPLETED
req POST "$BL" '{"name":"drop-t","spec":{"statement":"DROP TABLE t"}}'
wait_phase "$BL/drop-t" COMPLETED
req GET "$KL/t"
expect_code 200 "a dropped table's topic lingers"
req POST "$BL" '{"name":"ddl-t-again","spec":{"statement":"CREATE TABLE IF NOT EXISTS t (id INT)"}}'
wait_phase "$BL/ddl-t-again" FAILED
jcheck '"already exists" in j["status"]["detail"]' "CREATE TABLE while the dropped topic lingers"
req POST "$KL" '{"topic_name":"k","partitions_count":1}'
expect_code 201 "create topic k"
req DELETE "$KL/k"
expect_code 204 "delete topic k"
req GET "$KL/k"
expect_code 200 "a deleted topic lingers"

# ---- holds (not Confluent's API): a matching statement stays PENDING or STOPPING, whatever
# the clock, until released; then its transition happens at once
start_emulator hold --ddl-ms 50 --pending-ms 50 --hold 'DROP TABLE'
BH="$URL_hold/sql/v1/organizations/o/environments/env-h/statements"
EH="$URL_hold/emulator/v1/environments/env-h"
# wait_held NAME: its transition came due and is held (a deadline, not a count)
wait_held() {
	local deadline=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$deadline" ]; do
		req GET "$EH/hold"
		[ "$CODE" = 200 ] && python3 -c "import json,sys; sys.exit(0 if '$1' in json.load(open('$TMP/body'))['held'] else 1)" && return 0
		sleep 0.1
	done
	fail "$1 was never held: $(cat "$TMP/body")"
}
for t in hs hd hx; do
	req POST "$BH" '{"name":"ddl-'$t'","spec":{"statement":"CREATE TABLE '$t' (id INT)"}}'
	wait_phase "$BH/ddl-$t" COMPLETED
done
req POST "$BH" '{"name":"drop-hx","spec":{"statement":"DROP TABLE hx"}}'
wait_held drop-hx
req GET "$BH/drop-hx"
jcheck 'j["status"]["phase"]=="PENDING"' "a DDL held by --hold"
req GET "$URL_hold/kafka/v3/clusters/lkc-local/topics/hx"
expect_code 200 "the held DROP has not dropped its topic"
req POST "$EH/hold" '{"regex":"WHERE id > 1"}'
expect_code 200 "hold at run time"
jcheck 'j=={"holds":["DROP TABLE","WHERE id > 1"],"held":["drop-hx"],"held_topics":[]}' "the holds of the environment"
req POST "$BH" '{"name":"dml-h","spec":{"statement":"INSERT INTO hd SELECT id FROM hs WHERE id > 1"}}'
wait_held dml-h
req GET "$BH/dml-h"
jcheck 'j["status"]["phase"]=="PENDING"' "a DML held by a run-time hold"
req POST "$EH/release" '{"name":"dml-h"}'
expect_code 200 "release one statement"
req GET "$BH/dml-h"
jcheck 'j["status"]["phase"]=="RUNNING"' "a released statement goes on at once"
req POST "$BH" '{"name":"dml-h2","spec":{"statement":"INSERT INTO hd SELECT id FROM hs WHERE id > 1"}}'
wait_held dml-h2
req PATCH "$BH/dml-h" '[{"op":"replace","path":"/spec/stopped","value":true}]'
expect_code 200 "stop dml-h"
wait_phase "$BH/dml-h" STOPPED # released by name: for good
req PATCH "$BH/dml-h2" '[{"op":"replace","path":"/spec/stopped","value":true}]'
expect_code 200 "stop the held dml-h2"
req GET "$BH/dml-h2"
jcheck 'j["status"]["phase"]=="STOPPED"' "a held DML that never started stops at once"
req POST "$EH/release" '{"regex":"WHERE id > 1"}'
expect_code 200 "release a run-time hold"
jcheck 'j=={"holds":["DROP TABLE"],"held":["drop-hx"],"held_topics":[]}' "one hold left"
req POST "$BH" '{"name":"dml-h3","spec":{"statement":"INSERT INTO hd SELECT id FROM hs WHERE id > 3"}}'
wait_phase "$BH/dml-h3" RUNNING
req POST "$EH/hold" '{"regex":"dml-h3"}'
req PATCH "$BH/dml-h3" '[{"op":"replace","path":"/spec/stopped","value":true}]'
wait_held dml-h3
req GET "$BH/dml-h3"
jcheck 'j["status"]["phase"]=="STOPPING"' "a stop held"
req POST "$EH/release" ''
expect_code 200 "release everything"
jcheck 'j=={"holds":[],"held":[],"held_topics":[]}' "nothing held"
req GET "$BH/dml-h3"
jcheck 'j["status"]["phase"]=="STOPPED" and j["status"]["latest_offsets"]' "the held stop completes at once"
req GET "$BH/drop-hx"
jcheck 'j["status"]["phase"]=="COMPLETED"' "the held DROP completes at once"
req POST "$EH/hold" '{}'
expect_code 400 "a hold without a regex"
req POST "$EH/hold" '{"regex":"("}'
expect_code 400 "a bad regex"
jcheck '"invalid hold regex" in j["errors"][0]["detail"]' "the bad regex is named"
req POST "$EH/release" '{"name":"nope"}'
expect_code 404 "release of an unknown statement"
req POST "$EH/release" '{"regex":"nope"}'
expect_code 404 "release of an unknown hold"
req DELETE "$EH/hold"
expect_code 405 "DELETE hold"
if "$PIPECTL" emulator --listen 127.0.0.1:0 --hold '(' >"$TMP/hold.out" 2>"$TMP/hold.err"; then
	fail "a bad --hold was accepted"
fi
grep -q -- "--hold: invalid hold regex" "$TMP/hold.err" || fail "unclear --hold error: $(cat "$TMP/hold.err")"

# ---- options: 403 for deleted statements, 307 on first contact, lenient names
start_emulator strictopts --ddl-ms 50 --forbid-deleted --redirect-first self
BO="$URL_strictopts/sql/v1/organizations/o/environments/env-o/statements"
CODE=$(curl -s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' --max-time 10 "$BO")
expect_code 307 "first request of a connection"
[ "$(header Location)" = "$BO" ] || fail "307 Location is '$(header Location)'"
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' --max-time 10 -L -X POST -H 'Content-Type: application/json' \
	--data-binary '{"name":"gone","spec":{"statement":"CREATE TABLE g (id INT)"}}' "$BO")
expect_code 201 "a followed redirect keeps the method and body"
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' --max-time 10 -L -X DELETE "$BO/gone")
expect_code 202 "delete"
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' --max-time 10 -L "$BO/gone")
expect_code 403 "a deleted statement with --forbid-deleted"
if "$PIPECTL" emulator --listen 127.0.0.1:0 --lenient labels-update,nope >"$TMP/len.out" 2>"$TMP/len.err"; then
	fail "an unknown --lenient name was accepted"
fi
grep -q "unknown lenient behaviour 'nope'" "$TMP/len.err" || fail "unclear --lenient error: $(cat "$TMP/len.err")"

# ---- basic auth
start_emulator auth --api-key KEY1 --api-secret SECRET1
BA="$URL_auth/sql/v1/organizations/o/environments/env-x/statements"
req GET "$BA"
expect_code 401 "no credentials"
[ "$(header WWW-Authenticate)" = 'Basic error="invalid_key"' ] || fail "WWW-Authenticate is '$(header WWW-Authenticate)'"
jcheck 'j["errors"][0]["status"]=="401"' "401 body"
AUTH=KEY1:wrong req GET "$BA"
expect_code 401 "wrong secret"
AUTH=KEY1:SECRET1 req GET "$BA"
expect_code 200 "right credentials"
AUTH=KEY1:wrong req GET "$URL_auth/kafka/v3/clusters/lkc-local/topics"
expect_code 401 "kafka without credentials"
jcheck 'j["error_code"]==40101' "kafka 401 body"
if grep -q SECRET1 "$TMP/auth.out" "$TMP/auth.err"; then fail "the secret was printed"; fi

# ---- throttling: 429 with Retry-After
start_emulator throttle --throttle-rate 1 --seed 7
req GET "$URL_throttle/sql/v1/organizations/o/environments/env-x/statements"
expect_code 429 "throttled"
[ "$(header Retry-After)" = 1 ] || fail "Retry-After is '$(header Retry-After)'"
jcheck 'j["errors"][0]["status"]=="429"' "429 body"

# ---- failures: 500 or 503
start_emulator failing --fail-rate 1 --seed 3
req GET "$URL_failing/sql/v1/organizations/o/environments/env-x/statements"
[ "$CODE" = 500 ] || [ "$CODE" = 503 ] || fail "fail-rate 1 answered $CODE"

# ---- latency and hanging paths
start_emulator slow --latency-ms 300 --hang-path '/statements/stuck$'
SB="$URL_slow/sql/v1/organizations/o/environments/env-x/statements"
T0=$(date +%s%N)
req GET "$SB"
expect_code 200 "slow list"
[ $(( ($(date +%s%N) - T0) / 1000000 )) -ge 300 ] || fail "--latency-ms 300 answered sooner"
set +e
curl -s -o /dev/null --max-time 1 "$SB/stuck"
RC=$?
set -e
[ $RC = 28 ] || fail "a --hang-path request was answered (curl exit $RC)"
set +e
curl -s -o /dev/null --max-time 1 -X POST -H 'Content-Type: application/json' \
	-d '{"name":"stuck","spec":{"statement":"CREATE TABLE stuck (id INT)"}}' "$SB"
RC=$?
set -e
[ $RC = 28 ] || fail "the create of a --hang-path statement was answered (curl exit $RC)"
req GET "$SB/other"
expect_code 404 "other paths still answer"
req POST "$SB" '{"name":"other","spec":{"statement":"CREATE TABLE other (id INT)"}}'
expect_code 201 "other creates still answer"

# ---- state file: saved on SIGTERM, loaded at start
start_emulator saved --state "$TMP/state.json" --ddl-ms 50
BS="$URL_saved/sql/v1/organizations/o/environments/env-s/statements"
req POST "$BS" '{"name":"keep-me","spec":{"statement":"CREATE TABLE kept (id INT)"}}'
expect_code 201 "create in saved"
wait_phase "$BS/keep-me" COMPLETED
SAVED_PID=${PIDS[-1]}
kill -TERM "$SAVED_PID"
wait "$SAVED_PID" || fail "emulator did not exit 0 on SIGTERM"
[ -s "$TMP/state.json" ] || fail "no state file"
start_emulator reloaded --state "$TMP/state.json"
req GET "$URL_reloaded/sql/v1/organizations/o/environments/env-s/statements/keep-me"
expect_code 200 "statement survives a restart"
jcheck 'j["status"]["phase"]=="COMPLETED"' "phase survives a restart"
req GET "$URL_reloaded/kafka/v3/clusters/lkc-local/topics/kept"
expect_code 200 "topic survives a restart"

# ---- a corrupt state file is an error, and is left as it is
echo '{"format":1,' >"$TMP/bad.json"
if "$PIPECTL" emulator --listen 127.0.0.1:0 --state "$TMP/bad.json" >"$TMP/bad.out" 2>"$TMP/bad.err"; then
	fail "a corrupt state file was accepted"
fi
grep -q "could not load '$TMP/bad.json'" "$TMP/bad.err" || fail "unclear error: $(cat "$TMP/bad.err")"
[ "$(cat "$TMP/bad.json")" = '{"format":1,' ] || fail "the corrupt state file was changed"

echo "ok"
