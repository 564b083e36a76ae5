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

now() { date +%s.%N; }
run_orch() {
    rm -f "$work"/jobs.sqlite3*
    "$orch" job run --graph "$work/graph.json" --nodes "@$work/nodes.txt" \
        --inventory "$work/inventory.yaml" --concurrency "$p" \
        --store "$work/jobs.sqlite3" --format json > /dev/null
}
run_xargs() {
    xargs -P "$p" -I{} true < "$work/nodes.txt"
}

orch_times=()
xargs_times=()
for _ in $(seq "$rounds"); do
    t0=$(now); run_xargs; t1=$(now)
    xargs_times+=("$(echo "$t1 - $t0" | bc)")
    t0=$(now); run_orch; t1=$(now)
    orch_times+=("$(echo "$t1 - $t0" | bc)")
done

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f", a[1], a[int((NR+1)/2)]}'; }
read -r xb xm <<< "$(stats "${xargs_times[@]}")"
read -r ob om <<< "$(stats "${orch_times[@]}")"
echo "runs: $n of \`true\`, concurrency $p, $rounds rounds"
echo "xargs -P $p: best ${xb} s, median ${xm} s"
echo "orch job run: best ${ob} s, median ${om} s"
echo "ratio orch/xargs: best $(echo "scale=3; $ob / $xb" | bc), median $(echo "scale=3; $om / $xm" | bc)"
