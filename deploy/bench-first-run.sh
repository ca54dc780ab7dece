#!/usr/bin/env bash
# Times what a newcomer waits for: from a fresh clone to the page showing the seeded local
# workspace, with the README's one command (`make run`, no Slack tokens).
#
#   deploy/bench-first-run.sh [RUNS]        (COLD=1 also empties Go's build cache for each run)
#
# Each run clones this repository's HEAD into a temporary directory, gives it a database of its
# own, runs `make run` there and polls the page until #launch shows the demo company's third
# task card. It prints each run's seconds and the median. Go modules come from the module cache
# (a fresh machine downloads them once, first).
set -euo pipefail
runs=${1:-3}
case "$runs" in ''|*[!0-9]*|0) echo "bench-first-run: RUNS must be 1 or more, not '$runs'" >&2; exit 2 ;; esac
root=$(git rev-parse --show-toplevel)
bash "$root/deploy/services.sh" >/dev/null
port=18090
times=()
for i in $(seq 1 "$runs"); do
  tmp=$(mktemp -d)
  db="baton_first_run_$$_$i"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
  env=(DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable" REDIS_URL=redis://127.0.0.1:6379/8
       BATON_HTTP_ADDR=127.0.0.1:$port SLACK_APP_TOKEN= SLACK_BOT_TOKEN= BATON_POLICIES=)
  [ "${COLD:-}" = 1 ] && env+=(GOCACHE="$tmp/gocache")
  redis-cli -h 127.0.0.1 -n 8 flushdb >/dev/null
  start=$(date +%s.%N)
  git clone -q "$root" "$tmp/baton"
  (cd "$tmp/baton" && exec env "${env[@]}" make run >"$tmp/run.log" 2>&1) &
  pid=$!
  ready=
  for _ in $(seq 1 3000); do
    if curl -fs "http://127.0.0.1:$port/local/api/channel?as=UMAYA&id=CLAUNCH" 2>/dev/null | grep -q 'T-3 Write the launch announcement'; then
      ready=1; break
    fi
    sleep 0.1
  done
  end=$(date +%s.%N)
  pkill -INT -P "$pid" || true  # make runs baton; its Ctrl-C stops it
  wait "$pid" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db"
  if [ -z "$ready" ]; then
    echo "bench-first-run: run $i never showed the seeded workspace; its log:" >&2
    tail -20 "$tmp/run.log" >&2
    rm -rf "$tmp"
    exit 1
  fi
  rm -rf "$tmp"
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  times+=("$secs")
  echo "run $i: ${secs}s"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "median: %.1fs over %d runs (min %.1fs, max %.1fs)\n", m, NR, a[1], a[NR]}'
