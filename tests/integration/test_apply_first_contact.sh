#!/usr/bin/env bash
# First contact with the real service (issue 10, "Bad input"): a DROP whose
# topic outlives confluent.topic_delete_timeout, a compute pool that fails to
# provision, a 307 to a host outside Confluent's, credentials in an endpoint
# URL. Each: one clear line naming the table, pool or call and the API's
# detail, no secret printed, and a rerun that finishes once the cause is gone.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

# no_secret: nothing pipectl printed holds a secret of the config.
no_secret() {
	if grep -qE 'secret-value|pw-in-url' "$T/out"; then fail "a secret was printed"; fi
}

# ---- 1. the topic of a dropped table lingers past the timeout
# (v_totals' topic is held: it lingers until the test releases it, however slow the machine)
start_emulator --ddl-ms 100 --pending-ms 150 --hold '^v_totals$'
printf '  topic_delete_timeout: 1s\n' >>"$P/pipectl.yaml"
write_project
run 0 apply --auto-approve
# a DDL change of the stateful fct_totals: rebuild (drop, create) of it and its reader
table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, n INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount), COUNT(*) FROM int_orders GROUP BY id;"
run 1 apply --auto-approve
# the reader is dropped first: its topic is the one that outlives the timeout
grep -q "^  FAILED rebuild     v_totals .*: table 'v_totals': its topic still exists 1 s after 'it-pc-drop-v-totals-[0-9a-f]*' completed (Kafka deletes topics asynchronously; confluent.topic_delete_timeout)" "$T/out" ||
	fail "the lingering topic is not named with its drop statement"
grep -q "skip   rebuild     fct_totals: skipped: 'v_totals' failed" "$T/out" || fail "fct_totals was not skipped"
no_secret
# with a timeout that covers the deletion, the rerun finishes the rebuild
release
sed -i 's/topic_delete_timeout: 1s/topic_delete_timeout: 20s/' "$P/pipectl.yaml"
run 0 apply --auto-approve
assert_running fct_totals v_totals int_orders
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "the rerun after the lingering topic did not converge"

# ---- 1b. Kafka already 404s the topic while its name is still taken (KAFKA-6098):
# the CREATE TABLE meets "already exists" and is run again within the timeout
stop_emulator
rm -f "$T/emu-state.json"
start_emulator --topic-linger-ms 1500 --topic-linger-hidden --ddl-ms 100 --pending-ms 150
printf '  topic_delete_timeout: 20s\n' >>"$P/pipectl.yaml"
write_project
run 0 apply --auto-approve
table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, m INT, PRIMARY KEY (id) NOT ENFORCED);" \
	"INSERT INTO fct_totals SELECT id, SUM(amount), MAX(amount) FROM int_orders GROUP BY id;"
# without the retry the new DDL would end FAILED "already exists" and apply exit 1
run 0 apply --auto-approve
grep -q "Apply complete: 2 done, 0 failed" "$T/out" || fail "the rebuild did not finish"
assert_running fct_totals v_totals
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "the rebuild over a hidden lingering topic did not converge"

# ---- 2. a compute pool that fails to provision
stop_emulator
rm -f "$T/emu-state.json"
start_emulator --fail-pool 'pipectl$' --ddl-ms 100 --pending-ms 150
cat >>"$P/pipectl.yaml" <<YAML
  cloud:
    endpoint: $EMU_URL
    api_key: CLOUDKEY
    api_secret: cloud-secret-value
  compute_pools: {create: true, cloud: AWS, region: us-east-2, max_cfu: 10}
YAML
run 1 apply --auto-approve
grep -q "compute pool 'it-pipectl' (lfcp-[0-9a-f]*) FAILED to provision: delete it in Confluent Cloud, then apply again" "$T/out" ||
	fail "the failed pool is not named"
no_secret
[ "$(statements | jq 'length')" = 0 ] || fail "statements were created without their pool"
# the rerun reports the same pool at once, creates no second one
run 1 apply --auto-approve
grep -q "FAILED to provision" "$T/out" || fail "the rerun does not report the failed pool"
[ "$(curl -sf "$EMU_URL/fcpm/v2/compute-pools?environment=$ENV_ID" -u CLOUDKEY:x | jq '[.data[] | select(.spec.display_name == "it-pipectl")] | length')" = 1 ] ||
	fail "a second pool was created"

# ---- 3. the gateway redirects to a host outside Confluent's
stop_emulator
rm -f "$T/emu-state.json"
start_emulator --redirect-first evil.example:80
run 1 plan
grep -q "redirected (HTTP 307) to http://evil.example, outside Confluent's hosts" "$T/out" ||
	fail "the foreign redirect is not reported"
grep -q "not followed, credentials not sent" "$T/out" || fail "the redirect message does not say it was not followed"
no_secret
# a 307 to 127.0.0.1 (its own host) is followed: plan works
start_emulator --redirect-first self
run 0 plan

# ---- 4. credentials inside an endpoint URL never appear
sed -i "s#endpoint: $EMU_URL#endpoint: http://someone:pw-in-url-123@127.0.0.1:1#" "$P/pipectl.yaml"
run 1 plan
grep -q "127.0.0.1:1" "$T/out" || fail "the unreachable endpoint is not named"
no_secret
grep -q someone "$T/out" && fail "the user name of the endpoint URL was printed"
echo "ok"
