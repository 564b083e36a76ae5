# Shared by compare_local.sh and compare_ssh.sh: times run_xargs and run_orch (defined by the
# caller) ROUNDS times, alternating, and prints best and median of each and their ratio.
# Usage: compare ROUNDS "LABEL FOR XARGS" "LABEL FOR ORCH" "HEADLINE"
now() { date +%s.%N; }
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f", a[1], a[int((NR+1)/2)]}'; }
compare() {
    local rounds=$1 xlabel=$2 olabel=$3 headline=$4 t0 t1 xb xm ob om
    local orch_times=() xargs_times=()
    for _ in $(seq "$rounds"); do
        t0=$(now); run_xargs; t1=$(now)
        xargs_times+=("$(echo "$t1 - $t0" | bc)")
        t0=$(now); run_orch; t1=$(now)
        orch_times+=("$(echo "$t1 - $t0" | bc)")
    done
    read -r xb xm <<< "$(stats "${xargs_times[@]}")"
    read -r ob om <<< "$(stats "${orch_times[@]}")"
    echo "$headline, $rounds rounds"
    echo "$xlabel: best ${xb} s, median ${xm} s"
    echo "$olabel: best ${ob} s, median ${om} s"
    echo "ratio orch/xargs: best $(echo "scale=3; $ob / $xb" | bc), median $(echo "scale=3; $om / $xm" | bc)"
}
