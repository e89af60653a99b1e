#!/usr/bin/env bash
# Randomized, seeded fault injection, bounded to about a minute (issue #9,
# exact_faults_lib.sh says what a trial does and checks). Replay one trial:
#   SEED=<seed> TRIALS=1 PIPECTL=build/pipectl bash tests/integration/test_exact_faults.sh
set -euo pipefail
source "$(dirname "$0")/exact_faults_lib.sh"

run_trials "${BUDGET_S:-50}" "${TRIALS:-1000}" "${SEED:-}"
[ "$TRIALS_RUN" -ge 1 ] || fail "no trial ran"
[ "$TRIALS_FAILED" = 0 ] || { cat "$FAULT_LOG" >&2; fail "$TRIALS_FAILED of $TRIALS_RUN trials failed"; }
echo "ok"
