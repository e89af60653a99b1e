#!/usr/bin/env bash
# The main job: installs what is missing, builds pipectl, and runs it on the
# example project in manifests/examples: validate, inventory, graph, then plan
# and apply on the embedded `local` target (state in manifests/examples/.pipectl/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
P=$PWD/build/pipectl
EX=manifests/examples
echo "== pipectl validate"
"$P" -C "$EX" validate
echo "== pipectl inventory"
"$P" -C "$EX" inventory
echo "== pipectl graph fct_order_revenue"
"$P" -C "$EX" graph fct_order_revenue
echo "== pipectl plan (target: local, state in $EX/.pipectl/)"
"$P" -C "$EX" plan
echo "== pipectl apply --auto-approve"
"$P" -C "$EX" apply --auto-approve
echo "== pipectl status"
"$P" -C "$EX" status
