# bluegreen_lib.sh - sourced by tests/integration/test_bluegreen_*.sh: the
# apply_lib.sh project on an emulator, and readers of blue/green state from
# the emulator's REST API and audit (issue #13, docs/blue-green.md).

source "$(dirname "${BASH_SOURCE[0]}")/apply_lib.sh"

# Every statement as sorted "name phase" lines: "nothing changed" compares two of these.
stmt_state() { statements | jq -r '.[] | "\(.name) \(.status.phase)"' | sort; }

# The managed DMLs writing physical TABLE, any phase: "name phase" lines.
dmls_of() {
	statements | jq -r --arg t "$1" '.[] | select(.metadata.labels["user.confluent.io/pipectl-kind"] == "dml"
		and .metadata.labels["user.confluent.io/pipectl-table-name"] == $t) | "\(.name) \(.status.phase)"' | sort
}

# The SQL of statement NAME.
sql_of() { statements | jq -r --arg n "$1" '.[] | select(.name == $n) | .spec.statement'; }

phase_of() { statements | jq -r --arg n "$1" '.[] | select(.name == $n) | .status.phase'; }

# produced STATEMENT TOPIC: records the statement wrote to TOPIC (0 when none).
produced() { audit "$1" | jq -r --arg t "$2" '.produced[$t] // 0'; }

# exact_from_earliest STATEMENT TOPIC: the statement read every partition of
# TOPIC once, from offset 0, in one range, and wrote as many records as it
# read: each record of TOPIC counted exactly once.
exact_from_earliest() {
	local a
	a=$(audit "$1")
	jq -e --arg t "$2" '(.consumed[$t] | length) > 0
		and all(.consumed[$t][]; .from == 0)
		and ([.consumed[$t][].partition] | length) == ([.consumed[$t][].partition] | unique | length)' \
		>/dev/null <<<"$a" || fail "$1 did not read $2 once from earliest: $(jq -c .consumed <<<"$a")"
	jq -e '([.consumed[][] | .to - .from] | add) == ([.produced[]] | add)' >/dev/null <<<"$a" ||
		fail "$1 wrote another count than it read: $(jq -c '{consumed, produced}' <<<"$a")"
}

# wait_running STATEMENT...: each reaches RUNNING (bounded).
wait_running() {
	local s
	for s in "$@"; do
		wait_until 30 bash -c "[ \"\$(curl -sf '$(API)/statements/$s' | jq -r .status.phase)\" = RUNNING ]" ||
			fail "statement $s never reached RUNNING ($(phase_of "$s"))"
	done
}

# wait_produces STATEMENT TOPIC N: it wrote more than N records to TOPIC (bounded).
wait_produces() {
	wait_until 30 bash -c "[ \"\$(curl -sf '$EMU_URL/emulator/v1/environments/$ENV_ID/statements/$1/audit' |
		jq -r --arg t '$2' '.produced[\$t] // 0')\" -gt $3 ]" || fail "$1 did not write more than $3 records to $2"
}

# status_json: `pipectl status --json` into $T/status.json.
status_json() { pc status --json >"$T/status.json" 2>"$T/status.err" || true; }
# versions_of TABLE: "physical:role" words of the table in status --json.
versions_of() {
	status_json
	jq -r --arg t "$1" '.tables[] | select(.name == $t) | [.versions[] | "\(.physical):\(.role)"] | join(" ")' \
		"$T/status.json"
}

# The stateful change of the scenario: fct_totals counts its rows too (a
# rebuild in place; a green version with blue/green). n selects the text.
change_totals() {
	table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
		"INSERT INTO fct_totals SELECT id, SUM(amount) + $1 FROM int_orders GROUP BY id;"
}
