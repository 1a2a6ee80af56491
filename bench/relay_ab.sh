#!/usr/bin/env bash
# Two shadowproxy binaries side by side in one run, for "unchanged against the last release":
# bench/relay_ab.sh OLD_BIN NEW_BIN. Both proxies get the same config (no follow_ddl, no
# shadow_routing rule) in front of one MariaDB; sysbench oltp_point_select (text) and
# oltp_read_write (prepared), 8 threads, targets alternating every round. Prints every round,
# then the medians and new/old.
# Env: ROUNDS (3), SECONDS_PER_RUN (10), THREADS (8), TABLE_SIZE (10000).
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 OLD_BIN NEW_BIN" >&2; exit 2; }
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-10}
THREADS=${THREADS:-8}
TABLE_SIZE=${TABLE_SIZE:-10000}
RESULTS=$BENCH_TMP/results.tsv

start_backend
SHADOWPROXY_BIN=$1 start_proxy 1
OLD_PORT=$SP_PORT
SHADOWPROXY_BIN=$2 start_proxy 1
NEW_PORT=$SP_PORT
echo "# MariaDB :$DB_PORT  old $1 :$OLD_PORT  new $2 :$NEW_PORT"
echo "# $(nproc) cores; $ROUNDS rounds; ${SECS}s per sysbench run; $THREADS threads"

sb oltp_read_write "$DB_PORT" --threads=4 prepare >/dev/null

run() {  # run WORKLOAD TARGET ROUND TEST PSMODE
  local port=$OLD_PORT out qps p95
  [ "$2" = new ] && port=$NEW_PORT
  out=$(sb "$4" "$port" --threads="$THREADS" --time="$SECS" --db-ps-mode="$5" --percentile=95 run)
  qps=$(awk '/queries:/ {gsub(/\(/, "", $3); print $3}' <<<"$out")
  p95=$(awk '/95th percentile:/ {print $3}' <<<"$out")
  printf '%s\t%s\t%s\tqps\t%s\n%s\t%s\t%s\tp95_ms\t%s\n' "$1" "$2" "$3" "$qps" "$1" "$2" "$3" "$p95" >>"$RESULTS"
  printf 'round %s  %-20s %-4s qps %10s  p95 %7s ms\n' "$3" "$1" "$2" "$qps" "$p95"
}

for round in $(seq 1 "$ROUNDS"); do
  order=(old new)
  [ $((round % 2)) = 0 ] && order=(new old)
  for t in "${order[@]}"; do run point_select_ps_off "$t" "$round" oltp_point_select disable; done
  for t in "${order[@]}"; do run read_write_ps_auto "$t" "$round" oltp_read_write auto; done
done

echo
/usr/bin/python3 "$(dirname "$0")/medians.py" "$RESULTS" old new
