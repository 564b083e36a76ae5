#!/usr/bin/env bash
# Dispatch speed of `orch job run` over ssh, side by side with the same ssh invocations through
# `xargs -P`: N runs of `true` at concurrency P (default 200 at 50) against a real sshd on
# 127.0.0.1 (started here, keys made per run, stopped at the end), each tool timed ROUNDS times
# (default 5), alternating, best and median reported, with the ratio orch / xargs.
#
#   benches/compare_ssh.sh [N] [P] [ROUNDS]
#
# orch does the whole job: plans the node list, records the job and its events in a fresh
# SQLite store, and per node opens a control master, runs `true` as a session over it, reads
# the run summary over it, and closes it. xargs runs `ssh HOST true` (one connection each).
# Both log in as the unprivileged test user (`.ci/run` makes it). Target: ratio <= 1.1.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
p=${2:-50}
rounds=${3:-5}

cargo build -q --release -p orch-cli -p orch-test-sshd
orch=$PWD/target/release/orch
work=$(mktemp -d)
mkfifo "$work/hold"
# The server lives while the fifo is held open.
target/release/orch-test-sshd < "$work/hold" > "$work/sshd.txt" &
exec 3> "$work/hold"
trap 'exec 3>&-; wait; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/sshd.txt" ] && break; sleep 0.1; done
read -r port config key < "$work/sshd.txt"

echo '{"environment":"production","applications":{}}' > "$work/graph.json"
seq -f 'node%05g.bench' 1 "$n" > "$work/nodes.txt"
cat > "$work/inventory.yaml" <<YAML
config:
  transport: ssh
  ssh:
    private-key: $key
  orch:
    command: ["true"]
    append-flags: false
YAML

run_orch() {
    rm -f "$work"/jobs.sqlite3*
    ORCH_SSH_CONFIG=$config "$orch" job run --graph "$work/graph.json" --nodes "@$work/nodes.txt" \
        --inventory "$work/inventory.yaml" --concurrency "$p" \
        --store "$work/jobs.sqlite3" --format json > "$work/orch.ndjson" || {
        echo "orch job run failed:"; tail -3 "$work/orch.ndjson"; exit 1; }
}
run_xargs() {
    xargs -P "$p" -I{} ssh -F "$config" -i "$key" -o BatchMode=yes -- {} true < "$work/nodes.txt"
}

. benches/compare_lib.sh
compare "$rounds" "xargs -P $p ssh" "orch job run" "runs: $n of \`true\` over ssh to 127.0.0.1, concurrency $p"
