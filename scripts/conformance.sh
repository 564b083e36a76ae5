#!/usr/bin/env bash
# Measure how closely `orch parser dump --format pn` matches Puppet 7.23's
# `puppet parser dump --format pn` over a corpus of real manifests.
#
# Usage: scripts/conformance.sh CORPUS_SRC EXPECTED_DIR [ORCH_BIN]
#
#   CORPUS_SRC    directory tree of *.pp files (searched recursively)
#   EXPECTED_DIR  Puppet's results, as written by scripts/conformance-expected.sh:
#                 EXPECTED_DIR/<rel>.pn   Puppet's dump (+ "\n") when Puppet accepts <rel>
#                 EXPECTED_DIR/<rel>.err  Puppet's error lines when Puppet rejects <rel>
#   ORCH_BIN      orch binary (default: target/release/orch)
#
# Each file is dumped with `ORCH_BIN parser dump --format pn FILE` (one process
# per file, JOBS in parallel) and orch's stdout is compared byte for byte with
# the .pn file. A non-zero exit status counts as "orch rejects".
#
# Environment:
#   CONFORMANCE_OUT  output directory (default: target/conformance); it receives
#                    report.txt (summary and file lists) and, under actual/,
#                    orch's stdout/stderr for every file that is not identical.
#   JOBS             parallel orch processes (default: number of CPUs)
#   ORCH_TIMEOUT     per-file time limit in seconds (default: 20)
#
# Always exits 0 after measuring (it is a measuring tool); exits 2 only when
# invoked wrongly (missing arguments or directories, no orch binary).
set -uo pipefail

usage() {
    echo "usage: $0 CORPUS_SRC EXPECTED_DIR [ORCH_BIN]" >&2
    exit 2
}

# Worker: classifies each relative path given as an argument and prints one
# line "STATUS<TAB>rel<TAB>detail" per file. Statuses:
#   same      Puppet accepts, orch output identical
#   differ    Puppet accepts, orch exits 0 with different output
#   orch-rej  Puppet accepts, orch exits non-zero
#   both-rej  Puppet rejects, orch rejects too
#   orch-acc  Puppet rejects, orch exits 0
#   no-exp    no .pn nor .err for this file
worker() {
    local rel rc tmp_out tmp_err detail
    local timeout_cmd=()
    if command -v timeout >/dev/null 2>&1; then
        timeout_cmd=(timeout "$limit")
    fi
    tmp_out=$(mktemp)
    tmp_err=$(mktemp)
    for rel in "$@"; do
        "${timeout_cmd[@]}" "$orch" parser dump --format pn "$src/$rel" >"$tmp_out" 2>"$tmp_err" </dev/null
        rc=$?
        if [ -f "$expected/$rel.pn" ]; then
            if [ "$rc" -ne 0 ]; then
                detail="exit $rc"
                [ "$rc" -eq 124 ] && detail="timeout after ${limit}s"
                printf 'orch-rej\t%s\t%s\n' "$rel" "$detail"
                keep "$rel" "$tmp_out" "$tmp_err"
            elif cmp -s "$tmp_out" "$expected/$rel.pn"; then
                printf 'same\t%s\t\n' "$rel"
            else
                detail=$(cmp "$tmp_out" "$expected/$rel.pn" 2>&1 | head -n 1)
                case $detail in
                    *"differ: "*) detail=${detail##*differ: } ;;
                    *"EOF on $tmp_out"*) detail="orch output is a prefix of Puppet's" ;;
                    *) detail="Puppet's output is a prefix of orch's" ;;
                esac
                printf 'differ\t%s\t%s\n' "$rel" "$detail"
                keep "$rel" "$tmp_out" "$tmp_err"
            fi
        elif [ -f "$expected/$rel.err" ]; then
            if [ "$rc" -ne 0 ]; then
                printf 'both-rej\t%s\texit %s\n' "$rel" "$rc"
            else
                printf 'orch-acc\t%s\t\n' "$rel"
                keep "$rel" "$tmp_out" "$tmp_err"
            fi
        else
            printf 'no-exp\t%s\t\n' "$rel"
        fi
    done
    rm -f "$tmp_out" "$tmp_err"
}

# Saves orch's stdout/stderr for a file that needs a look.
keep() {
    mkdir -p "$(dirname "$out/actual/$1")"
    cp "$2" "$out/actual/$1.orch.pn"
    cp "$3" "$out/actual/$1.orch.err"
}

# Internal: `conformance.sh --worker REL...` classifies files (run via xargs).
if [ "${1:-}" = "--worker" ]; then
    shift
    worker "$@"
    exit 0
fi

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    usage
fi
src=$1
expected=$2
orch=${3:-target/release/orch}
out=${CONFORMANCE_OUT:-target/conformance}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
limit=${ORCH_TIMEOUT:-20}

[ -d "$src" ] || { echo "$0: no such directory: $src" >&2; usage; }
[ -d "$expected" ] || { echo "$0: no such directory: $expected" >&2; usage; }
[ -x "$orch" ] || { echo "$0: orch binary not found or not executable: $orch" >&2; usage; }

# Absolute paths, so workers do not depend on the current directory.
src=$(cd "$src" && pwd)
expected=$(cd "$expected" && pwd)
case $orch in /*) ;; *) orch=$(pwd)/$orch ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/actual"
mkdir -p "$out/actual"

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

export src expected orch out limit

results=$(mktemp)
trap 'rm -f "$results"' EXIT

start=$(date +%s)
(cd "$src" && find . -type f -name '*.pp' -print0) |
    sed -z 's|^\./||' |
    sort -z |
    xargs -0 -r -n 64 -P "$jobs" bash "$self" --worker |
    LC_ALL=C sort -t "$(printf '\t')" -k2,2 >"$results"
elapsed=$(($(date +%s) - start))

count() { awk -F '\t' -v s="$1" '$1 == s' "$results" | wc -l | tr -d ' '; }
same=$(count same)
differ=$(count differ)
orch_rej=$(count orch-rej)
both_rej=$(count both-rej)
orch_acc=$(count orch-acc)
no_exp=$(count no-exp)
accepted=$((same + differ + orch_rej))
rejected=$((both_rej + orch_acc))
total=$((accepted + rejected + no_exp))
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f%%\n", 100 * a / b }'; }

summary() {
    echo "orch conformance: $orch"
    echo "corpus: $src ($total files, ${elapsed}s)"
    echo "expected: $expected"
    echo
    echo "Puppet accepts:         $accepted"
    echo "  orch identical:       $same"
    echo "  orch differs:         $differ"
    echo "  orch rejects:         $orch_rej"
    echo "Puppet rejects:         $rejected"
    echo "  orch rejects too:     $both_rej"
    echo "  orch accepts:         $orch_acc"
    if [ "$no_exp" -ne 0 ]; then
        echo "no expected output:     $no_exp"
    fi
    echo
    echo "identical: $(pct "$same" "$accepted") of the files Puppet accepts"
    echo "agreement on rejection: $(pct "$both_rej" "$rejected") of the files Puppet rejects"
}

report=$out/report.txt
{
    summary
    echo
    echo "== differing files (Puppet accepts, orch output differs; first difference) =="
    awk -F '\t' '$1 == "differ" { print $2 "\t" $3 }' "$results"
    echo
    echo "== orch rejects (Puppet accepts) =="
    awk -F '\t' '$1 == "orch-rej" { print $2 "\t" $3 }' "$results"
    echo
    echo "== orch accepts (Puppet rejects) =="
    awk -F '\t' '$1 == "orch-acc" { print $2 }' "$results"
    if [ "$no_exp" -ne 0 ]; then
        echo
        echo "== no expected output =="
        awk -F '\t' '$1 == "no-exp" { print $2 }' "$results"
    fi
} >"$report"

summary
echo
echo "report: $report"
echo "orch output for non-identical files: $out/actual/<file>.orch.pn / .orch.err"
exit 0
