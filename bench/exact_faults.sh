#!/usr/bin/env bash
# bench/exact_faults.sh - the long run of the fault-injection test (issue #9;
# tests/integration/exact_faults_lib.sh says what one trial does and checks).
#   TRIALS=300 SEED=1 PIPECTL=build/pipectl bench/exact_faults.sh
# Prints one line per trial and a summary; a failed trial is printed with its
# seed and fault, and replays with SEED=<seed> TRIALS=1. docs/reconcile.md
# quotes a measured run.
set -euo pipefail
PIPECTL=${PIPECTL:-build/pipectl}
PIPECTL=$(cd "$(dirname "$PIPECTL")" && pwd)/$(basename "$PIPECTL")
export PIPECTL
source "$(dirname "$0")/../tests/integration/exact_faults_lib.sh"

run_trials "${BUDGET_S:-86400}" "${TRIALS:-300}" "${SEED:-1}"
if [ "$TRIALS_FAILED" != 0 ]; then
	cat "$FAULT_LOG" >&2
	exit 1
fi
