#!/usr/bin/env bash
# Dispatch speed of `orch job run` with the local transport, side by side with `xargs -P`:
# N runs of `true` at concurrency P (default 2000 at 50), each tool timed ROUNDS times
# (default 5), alternating, best and median reported, with the ratio orch / xargs.
#
#   benches/compare_local.sh [N] [P] [ROUNDS]
#
# orch does the whole job: plans the node list, records the job and every event in a fresh
# SQLite store, runs `true` once per node (argv, own process group, output captured), prints
# NDJSON (to /dev/null). xargs only forks and execs. Target: ratio <= 1.2.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
p=${2:-50}
rounds=${3:-5}

cargo build -q --release -p orch-cli
orch=$PWD/target/release/orch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo '{"environment":"production","applications":{}}' > "$work/graph.json"
seq -f 'node%05g.bench' 1 "$n" > "$work/nodes.txt"
cat > "$work/inventory.yaml" <<YAML
config:
  transport: local
  orch:
    command: ["true"]
    append-flags: false
YAML

run_orch() {
    rm -f "$work"/jobs.sqlite3*
    "$orch" job run --graph "$work/graph.json" --nodes "@$work/nodes.txt" \
        --inventory "$work/inventory.yaml" --concurrency "$p" \
        --store "$work/jobs.sqlite3" --format json > /dev/null
}
run_xargs() {
    xargs -P "$p" -I{} true < "$work/nodes.txt"
}

. benches/compare_lib.sh
compare "$rounds" "xargs -P $p" "orch job run" "runs: $n of \`true\`, concurrency $p"
