#!/usr/bin/env bash
# Compares the end-to-end benchmarks of a base commit with the working tree, on this machine.
#
#   deploy/bench-compare.sh BASE [RUNS]        (make bench-compare BASE=<commit> [RUNS=3])
#
# Both are built once; then each round runs the base's benchmarks and the working tree's, one after the
# other (the order alternates from round to round, so a machine that slows down during the comparison
# weighs on both), RUNS rounds in all. It prints a Markdown table: for every figure the benchmarks report,
# the median [min–max] of each side and the ratio of the medians (working tree / base), headed by the
# commits and the machine. BENCH (a -bench pattern) and BENCHTIME choose what runs. A figure only one
# side reports shows — on the other: before 99f2678, tasks/s and changes/s counted until the bot had
# settled, which is what tasks/s-settled and changes/s-settled count since.
set -euo pipefail

base=${1:?usage: $0 BASE [RUNS]}
runs=${2:-3}
case "$runs" in
  ''|*[!0-9]*|0) echo "bench-compare: RUNS must be a number of rounds, 1 or more, not '$runs'" >&2; exit 2 ;;
esac
bench=${BENCH:-Ack/baton/paced|QuickTask|StatusChange/max}
benchtime=${BENCHTIME:-3s}

root=$(git rev-parse --show-toplevel)
cd "$root"
base_sha=$(git rev-parse --verify --quiet "$base^{commit}") || { echo "bench-compare: $base is not a commit here" >&2; exit 2; }
head_sha=$(git rev-parse HEAD)
head_name=$(git rev-parse --short=7 HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  head_name="$head_name + uncommitted changes"
fi

tmp=$(mktemp -d)
cleanup() {
  git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
git worktree add --detach --quiet "$tmp/base" "$base_sha"

echo "bench-compare: building $base_sha and the working tree…" >&2
(cd "$tmp/base" && go test -c -o "$tmp/base.test" ./cmd/baton)
go test -c -o "$tmp/head.test" ./cmd/baton

run() { # side dir
  if ! (cd "$2/cmd/baton" && "$tmp/$1.test" -test.run '^$' -test.bench "$bench" -test.benchtime "$benchtime" \
    -test.count 1 -test.cpu 2 -test.timeout 30m) > "$tmp/$1.out" 2>&1; then
    echo "bench-compare: the $1 benchmarks failed:" >&2
    grep -v '^Benchmark' "$tmp/$1.out" | tail -n 40 >&2
    exit 1
  fi
  grep '^Benchmark' "$tmp/$1.out" | tee -a "$tmp/$1.txt" >&2
}
for round in $(seq 1 "$runs"); do
  echo "bench-compare: round $round of $runs" >&2
  if [ $((round % 2)) -eq 1 ]; then
    run base "$tmp/base"; run head "$root"
  else
    run head "$root"; run base "$tmp/base"
  fi
done

cpu=$( (grep -m1 'model name' /proc/cpuinfo 2>/dev/null || echo ': unknown CPU') | cut -d: -f2- | sed 's/^ *//')
echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($cpu), $(uname -sr), load average at the end $(cut -d' ' -f1-3 /proc/loadavg);"
echo "\`$bench\`, -benchtime $benchtime, $runs interleaved rounds. Base $(git rev-parse --short=7 "$base_sha"), now $head_name ($(git rev-parse --short=7 "$head_sha"))."
echo
awk '
  # Benchmark lines: name, iterations, then value/unit pairs.
  FNR == 1 { side = (FILENAME ~ /base\.txt$/) ? "base" : "head" }
  /^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
    for (i = 3; i < NF; i += 2) {
      unit = $(i + 1)
      if (unit == "ns/op") continue
      key = name " " unit
      if (!(key in seen)) { seen[key] = 1; order[++n] = key }
      vals[side, key] = vals[side, key] " " $i
    }
  }
  function sorted(s, a,    k, m, i, j, t) {
    m = split(s, a, " ")
    for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return m
  }
  function median(a, m) { return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  function fmt(v) { return v >= 100 ? sprintf("%.0f", v) : (v >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v)) }
  function cell(s,    a, m) {
    m = sorted(s, a)
    if (m == 0) return "—"
    return fmt(median(a, m)) " [" fmt(a[1]) "–" fmt(a[m]) "]"
  }
  function med(s,    a, m) { m = sorted(s, a); return m ? median(a, m) : "" }
  END {
    print "| benchmark | figure | base | now | now / base |"
    print "|---|---|---|---|---|"
    for (k = 1; k <= n; k++) {
      key = order[k]; split(key, p, " ")
      b = med(vals["base", key]); h = med(vals["head", key])
      ratio = (b != "" && h != "" && b + 0 != 0) ? sprintf("%.2f×", h / b) : "—"
      print "| " p[1] " | " p[2] " | " cell(vals["base", key]) " | " cell(vals["head", key]) " | " ratio " |"
    }
  }
' "$tmp/base.txt" "$tmp/head.txt"
