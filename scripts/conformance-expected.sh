#!/usr/bin/env bash
# Regenerate Puppet's expected parser dumps for scripts/conformance.sh.
#
# Usage: scripts/conformance-expected.sh CORPUS_SRC EXPECTED_DIR
#
# For every *.pp under CORPUS_SRC (relative path REL) it writes what the
# installed Puppet (7.23) prints for `puppet parser dump --format pn FILE`:
#   EXPECTED_DIR/REL.pn    the dump after the "--- FILE" header, with the final
#                          "\n" (only when Puppet reports no error)
#   EXPECTED_DIR/REL.err   Puppet's "Error: ..." lines when it rejects the file
#                          (ANSI colours stripped, "Error: --- FILE" line dropped)
#   EXPECTED_DIR/REL.warn  warnings printed for a file that does dump (rare)
#
# Puppet is loaded once (scripts/puppet_dump_many.rb calls the same face action
# as the command line), so 3000 files take seconds instead of half an hour.
# Expected files whose .pp no longer exists are removed.
#
# Environment:
#   VERIFY=1      afterwards, run the real `puppet parser dump --format pn f1 f2 ...`
#                 command line in batches over the whole corpus and check that
#                 its stdout/stderr equal what EXPECTED_DIR predicts, byte for byte.
#   PUPPET_RUBY   Ruby interpreter to load Puppet with (default: the one in the
#                 `puppet` executable's #! line).
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 CORPUS_SRC EXPECTED_DIR" >&2
    exit 2
fi
[ -d "$1" ] || { echo "$0: no such directory: $1" >&2; exit 2; }
command -v puppet >/dev/null 2>&1 || { echo "$0: puppet is not installed" >&2; exit 2; }

src=$(cd "$1" && pwd)
mkdir -p "$2"
expected=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

version=$(puppet --version)
case $version in
    7.23.*) ;;
    *) echo "$0: warning: expected Puppet 7.23, found $version" >&2 ;;
esac

ruby=${PUPPET_RUBY:-}
if [ -z "$ruby" ]; then
    shebang=$(head -n 1 "$(command -v puppet)")
    case $shebang in
        '#!'*ruby*) ruby=${shebang#\#!} ;;
        *) ruby=ruby ;;
    esac
fi

list=$(mktemp)
trap 'rm -f "$list" "$list".*' EXIT
(cd "$src" && find . -type f -name '*.pp' | sed 's|^\./||' | LC_ALL=C sort) >"$list"
echo "corpus: $(wc -l <"$list") files under $src (Puppet $version)"

# Drop expectations whose source disappeared.
(cd "$expected" && find . -type f \( -name '*.pp.pn' -o -name '*.pp.err' -o -name '*.pp.warn' \)) |
    sed 's|^\./||' | while IFS= read -r f; do
        [ -f "$src/${f%.*}" ] || rm -f "$expected/$f"
    done

# $ruby may carry interpreter flags from the #! line.
# shellcheck disable=SC2086
$ruby "$here/puppet_dump_many.rb" "$src" "$expected" <"$list"

accepted=$(cd "$expected" && find . -type f -name '*.pp.pn' | wc -l)
rejected=$(cd "$expected" && find . -type f -name '*.pp.err' | wc -l)
echo "Puppet accepts $accepted files, rejects $rejected; results in $expected"

if [ "${VERIFY:-0}" = 1 ]; then
    # One real command line per batch of files. Its stdout is "--- FILE" + dump
    # for every accepted file, then the "\n" that `puts` adds; rejected files
    # print "Error: --- FILE" and their error lines on stderr.
    batch=500
    (cd "$src" && xargs -d '\n' -n "$batch" -a "$list" puppet parser dump --format pn \
        >"$list.out" 2>"$list.rawerr") || true
    sed 's/\x1b\[[0-9;]*m//g' "$list.rawerr" >"$list.err"
    : >"$list.predout"
    : >"$list.prederr"
    i=0
    while IFS= read -r f; do
        if [ -f "$expected/$f.pn" ]; then
            printf -- '--- %s' "$f" >>"$list.predout"
            head -c -1 "$expected/$f.pn" >>"$list.predout"
            if [ -f "$expected/$f.warn" ]; then cat "$expected/$f.warn" >>"$list.prederr"; fi
        else
            printf 'Error: --- %s\n' "$f" >>"$list.prederr"
            cat "$expected/$f.err" >>"$list.prederr"
        fi
        i=$((i + 1))
        if [ $((i % batch)) -eq 0 ]; then printf '\n' >>"$list.predout"; fi
    done <"$list"
    if [ $((i % batch)) -ne 0 ]; then printf '\n' >>"$list.predout"; fi
    if cmp "$list.out" "$list.predout" && cmp "$list.err" "$list.prederr"; then
        echo "verified: the puppet command line prints exactly what $expected predicts"
    else
        echo "$0: VERIFY FAILED: puppet command line output differs from $expected" >&2
        exit 1
    fi
fi
