#!/usr/bin/env bash
# Parse throughput of orch beside Puppet 7.23's parser on the same corpus, run back to back
# ROUNDS times so that both see the same machine state; prints each pair and its ratio.
#
#   benches/compare_parse.sh CORPUS_DIR [ROUNDS]
#
# Puppet: `ruby benches/puppet_parse_throughput.rb` (best of 5 passes, one Ruby process).
# orch: `cargo bench -p orch-benches --bench parse` (fastest and median of 40 samples, one
# thread, then all cores). Both time the files that parse, read into memory beforehand.
set -euo pipefail
corpus=${1:?usage: compare_parse.sh CORPUS_DIR [ROUNDS]}
rounds=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
cargo bench -q -p orch-benches --bench parse --no-run
for _ in $(seq "$rounds"); do
  puppet=$(ruby benches/puppet_parse_throughput.rb "$corpus" 5 | sed -E 's/.* ([0-9.]+) MB\/s$/\1/')
  out=$(ORCH_BENCH_CORPUS=$corpus cargo bench -q -p orch-benches --bench parse -- parse_corpus --sample-count 40 2>&1)
  # The line after each bench name holds its MB/s: fastest, slowest, median, mean.
  rates() { echo "$out" | grep -A1 "$1" | tail -1 | grep -oE '[0-9.]+ MB/s' | awk '{print $1}'; }
  one=($(rates 'parse_corpus '))
  all=($(rates 'parse_corpus_all_cores'))
  fast=${one[0]} med=${one[2]} all=${all[0]}
  awk -v p="$puppet" -v f="$fast" -v m="$med" -v a="$all" 'BEGIN {
    printf "puppet %.2f MB/s | orch one thread %.1f MB/s fastest (%.0fx), %.1f median (%.0fx) | all cores %.1f MB/s (%.0fx)\n",
      p, f, f / p, m, m / p, a, a / p }'
done
