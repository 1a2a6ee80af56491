#!/usr/bin/env bash
# What following DDL (docs/follow_ddl.md) costs the statements that are not DDL, side by side in
# one run: (a) MariaDB directly, (b) the proxy without follow_ddl, (c) the proxy with a follow_ddl
# rule that matches sbtest (every query's text is then lexed on the event loop for DDL keywords).
#   sysbench oltp_point_select --db-ps-mode=disable (text queries: the lexed path) and
#   oltp_read_write --db-ps-mode=auto (8 threads): QPS and p95 latency.
# Targets alternate within every round. Prints every round, then the medians and the ratios.
# Env: ROUNDS (3), SECONDS_PER_RUN (10), THREADS (8), TABLE_SIZE (10000), SHADOWPROXY_BIN.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-10}
THREADS=${THREADS:-8}
TABLE_SIZE=${TABLE_SIZE:-10000}
RESULTS=$BENCH_TMP/results.tsv

start_backend
start_proxy 1
PLAIN_PORT=$SP_PORT
SP_EXTRA="metadb: {cluster: local, database: sp_bench_meta}
shadow_sync:
  processes:
    - {name: default, match: {clusters: ['*'], databases: ['*']}, nodes: [{roles: [dba]}]}
  follow_ddl:
    - match: {clusters: ['*'], databases: [sbtest], tables: ['*']}
      naming: {suffix: _shadow}
      settle: 2s" start_proxy 1
FOLLOW_PORT=$SP_PORT
echo "# MariaDB :$DB_PORT  proxy :$PLAIN_PORT  proxy with follow_ddl on sbtest :$FOLLOW_PORT"
echo "# $(nproc) cores; $ROUNDS rounds; ${SECS}s per sysbench run; $THREADS threads"

port_of() {
  case $1 in
    direct) echo "$DB_PORT" ;;
    proxy) echo "$PLAIN_PORT" ;;
    proxy_follow) echo "$FOLLOW_PORT" ;;
  esac
}

sb oltp_read_write "$DB_PORT" --threads=4 prepare >/dev/null

run_sysbench() {  # run_sysbench WORKLOAD TARGET ROUND TEST PSMODE
  local out qps p95 errors
  out=$(sb "$4" "$(port_of "$2")" --threads="$THREADS" --time="$SECS" --db-ps-mode="$5" \
        --percentile=95 run)
  qps=$(awk '/queries:/ {gsub(/\(/, "", $3); print $3}' <<<"$out")
  p95=$(awk '/95th percentile:/ {print $3}' <<<"$out")
  errors=$(awk '/ignored errors:/ {print $3}' <<<"$out")
  printf '%s\t%s\t%s\tqps\t%s\n' "$1" "$2" "$3" "$qps" >>"$RESULTS"
  printf '%s\t%s\t%s\tp95_ms\t%s\n' "$1" "$2" "$3" "$p95" >>"$RESULTS"
  printf 'round %s  %-22s %-13s qps %10s  p95 %7s ms  errors %s\n' "$3" "$1" "$2" "$qps" "$p95" "$errors"
}

targets=(direct proxy proxy_follow)
for round in $(seq 1 "$ROUNDS"); do
  order=("${targets[@]:$(( (round - 1) % 3 ))}" "${targets[@]:0:$(( (round - 1) % 3 ))}")
  for t in "${order[@]}"; do run_sysbench point_select_ps_off "$t" "$round" oltp_point_select disable; done
  for t in "${order[@]}"; do run_sysbench read_write_ps_auto "$t" "$round" oltp_read_write auto; done
done

for pid in "${BENCH_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || echo "WARNING: process $pid exited during the run" >&2; done
# No task may have been made: the workload has no DDL.
tasks=$(mariadb --no-defaults -h127.0.0.1 -P"$DB_PORT" -uroot -N -e \
  "SELECT COUNT(*) FROM sp_bench_meta.tasks" 2>/dev/null || echo "?")
echo "# follow tasks made during the run: $tasks"
echo
/usr/bin/python3 "$(dirname "$0")/medians.py" "$RESULTS" direct proxy proxy_follow
