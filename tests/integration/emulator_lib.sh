# emulator_lib.sh - sourced by apply_lib.sh and reconcile_lib.sh: what both
# need around `pipectl emulator`. A temp dir $T with the project dir $P, the
# emulator on a free loopback port (start/stop, keeping its state file), and
# readers of its state over its REST API (curl + jq).
# The sourcing file sets ORG, ENV_ID, CFG_PREFIX (the project's prefix; the
# principal is sa-<prefix>) and CFG_FLINK_EXTRA (more lines of the flink
# section, or empty), and defines fail (message, exit 1) and its EXIT trap.

: "${PIPECTL:?PIPECTL must point at the pipectl binary}"
command -v jq >/dev/null || { echo "FAIL: jq is needed by this test" >&2; exit 1; }
command -v curl >/dev/null || { echo "FAIL: curl is needed by this test" >&2; exit 1; }

T=$(mktemp -d)
P="$T/proj"
EMU_PID=

# start_emulator [OPTIONS...]: (re)start on a fresh port, keeping the state file.
start_emulator() {
	stop_emulator
	: >"$T/emu.log"
	"$PIPECTL" emulator --listen 127.0.0.1:0 --state "$T/emu-state.json" "$@" >"$T/emu.log" 2>&1 &
	EMU_PID=$!
	for _ in $(seq 1 200); do
		grep -q "listening on" "$T/emu.log" && break
		kill -0 "$EMU_PID" 2>/dev/null || { cat "$T/emu.log" >&2; fail "emulator exited"; }
		sleep 0.05
	done
	EMU_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$T/emu.log" | head -1)
	[ -n "$EMU_URL" ] || { cat "$T/emu.log" >&2; fail "emulator did not print its address"; }
	write_config
}

stop_emulator() {
	if [ -n "$EMU_PID" ]; then
		kill "$EMU_PID" 2>/dev/null || true
		wait "$EMU_PID" 2>/dev/null || true
		EMU_PID=
	fi
}

# write_config: the project's pipectl.yaml, targeting the emulator at $EMU_URL.
write_config() {
	mkdir -p "$P"
	cat >"$P/pipectl.yaml" <<YAML
prefix: $CFG_PREFIX
target: confluent
confluent:
  organization_id: $ORG
  environment_id: $ENV_ID
  principal: sa-$CFG_PREFIX
  flink:
    endpoint: $EMU_URL
    api_key: FLINKKEY
    api_secret: flink-secret-value
${CFG_FLINK_EXTRA}  kafka:
    endpoint: $EMU_URL
    cluster_id: lkc-local
    api_key: KAFKAKEY
    api_secret: kafka-secret-value
YAML
}

API() { echo "$EMU_URL/sql/v1/organizations/$ORG/environments/$ENV_ID"; }

# Every statement (all pages) as a JSON array (gathered in a file: a large
# list does not fit one command line).
statements() {
	local url="$(API)/statements?page_size=100" page next acc
	acc=$(mktemp "$T/stmts.XXXXXX")
	while :; do
		page=$(curl -sf "$url") || fail "GET $url failed"
		jq -c '.data[]' <<<"$page" >>"$acc"
		next=$(jq -r '.metadata.next // ""' <<<"$page")
		[ -n "$next" ] || break
		url=$next
	done
	jq -cs '.' "$acc"
	rm -f "$acc"
}

# The live (not STOPPED/COMPLETED/FAILED) managed DMLs writing TABLE: "name phase" lines.
live_dmls() {
	statements | jq -r --arg t "$1" '.[] | select(.metadata.labels["user.confluent.io/pipectl-kind"] == "dml"
		and .metadata.labels["user.confluent.io/pipectl-table-name"] == $t
		and (.status.phase | IN("RUNNING","PENDING","DEGRADED","STOPPING"))) | "\(.name) \(.status.phase)"'
}

topics() { curl -sf "$EMU_URL/kafka/v3/clusters/lkc-local/topics" | jq -r '.data[].topic_name' | sort; }
has_topic() { topics | grep -qx "$1"; }

# The emulator's timeline (docs/emulator.md): its marks, oldest first.
timeline() { curl -sf "$EMU_URL/emulator/v1/environments/$ENV_ID/timeline" || fail "GET timeline failed"; }

# assert_wave_order: from the emulator's own timeline, the orders that protect
# data held (design.md §4): no DML was created before every table it reads
# existed, and no table was dropped while a statement reading it was not
# yet stopped. Prints every violation and fails.
assert_wave_order() {
	local bad
	bad=$(timeline | jq -r '
		.marks as $m
		| [$m[] | select(.topic)] as $tm
		| [$m[] | select(.statement and .kind == "dml")] as $dmls
		| ([$dmls[] as $d | ($d.reads | split(",") | map(select(. != "")))[] as $r
			| [$tm[] | select(.topic == $r)] as $rt
			| ([$rt[] | select(.seq < $d.seq)] | last) as $before
			| select(($before != null and $before.event != "CREATED")
				or ($before == null and ($rt | length) > 0 and $rt[0].event == "CREATED"))
			| "DML \($d.statement) was created (mark \($d.seq)) before table \($r) existed"]
		+ [$tm[] | select(.event == "DROPPED") as $x
			| $dmls[] | select(.seq < $x.seq and ((.reads | split(",")) | index($x.topic)))
			| .statement as $n
			| ([$m[] | select(.statement == $n and .seq < $x.seq)] | last) as $st
			| select(($st.event | IN("STOPPED", "FAILED", "COMPLETED", "DELETED")) | not)
			| "table \($x.topic) was dropped (mark \($x.seq)) while its reader \($n) was \($st.event)"])
		| .[]') || fail "the timeline could not be read"
	[ -z "$bad" ] || fail "order violated: $bad"
}

# mark_seq STATEMENT EVENT: the timeline's first mark of STATEMENT entering EVENT ("" when none).
mark_seq() {
	timeline | jq -r --arg s "$1" --arg e "$2" '[.marks[] | select(.statement == $s and .event == $e)][0].seq // ""'
}

# first_dml_seq TABLE EVENT: the first mark EVENT of a DML writing TABLE ("" when none).
first_dml_seq() {
	timeline | jq -r --arg t "$1" --arg e "$2" '
		.marks as $m
		| [$m[] | select(.kind == "dml" and ((.writes | split(",")) | index($t))) | .statement] as $names
		| [$m[] | select(.statement and (.statement | IN($names[])) and .event == $e)][0].seq // ""'
}

# Holds (docs/emulator.md, "Holds"): a statement whose name or SQL matches a hold stays PENDING
# or STOPPING, whatever the clock, until released. A test interrupts pipectl in that phase
# (a kill, a signal, a short --action-timeout) and lets it go on when it chooses: no time window.
# `start_emulator --hold REGEX` holds from the start; these act on the running emulator.
EMU_ADMIN() { echo "$EMU_URL/emulator/v1/environments/$ENV_ID"; }
# hold REGEX
hold() {
	curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$(jq -nc --arg r "$1" '{regex: $r}')" \
		"$(EMU_ADMIN)/hold" >/dev/null || fail "hold '$1' failed"
}
# release [NAME]: that statement goes on (and is never held again); without NAME every hold goes
release() {
	local body='{}'
	[ -z "${1-}" ] || body=$(jq -nc --arg n "$1" '{name: $n}')
	curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$body" "$(EMU_ADMIN)/release" >/dev/null ||
		fail "release ${1:-of every hold} failed"
}
# held_names: the statements whose transition came due and waits for a release, one a line
held_names() { curl -sf "$(EMU_ADMIN)/hold" | jq -r '.held[]'; }
# is_held NAME / any_held
is_held() { held_names | grep -qx -- "$1"; }
any_held() { [ -n "$(held_names)" ]; }

# exited PID: the process is gone (or a zombie not yet waited for)
exited() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null || true)
	[ -z "$st" ] || [ "${st:0:1}" = Z ]
}

planned_or_gone() { grep -q -- "$1" "$T/out" || exited "$2"; }

# rerun_then_release TEXT [APPLY OPTIONS...]: a rerun that must plan while the held statements
# are still held: apply in the background; once its output shows TEXT (the plan is printed, and
# flushed with the first step, before it acts) every hold is released; it must then exit 0.
rerun_then_release() {
	local want=$1 pid rc=0
	shift
	"$PIPECTL" -C "$P" apply --auto-approve "$@" >"$T/out" 2>&1 &
	pid=$!
	wait_until 60 planned_or_gone "$want" "$pid" || true
	grep -q -- "$want" "$T/out" || {
		kill "$pid" 2>/dev/null || true
		fail "the rerun did not plan '$want': $(cat "$T/out")"
	}
	release
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "the rerun exited $rc: $(tail -5 "$T/out")"
}
