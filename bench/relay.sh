#!/usr/bin/env bash
# The relay's cost, side by side in one run (issue 6 "Performance"): (a) MariaDB directly,
# (b) HAProxy in TCP mode with nbthread 1, (c) shadowproxy. Targets alternate within every round.
#   sysbench oltp_point_select --db-ps-mode=disable, the same with --db-ps-mode=auto,
#   oltp_read_only (8 threads): QPS and p95 latency;
#   connection churn: mariadb-slap --concurrency=8 --number-of-queries=4000 --query="SELECT 1"
#   --detach=1 (a new connection for every query): seconds.
# TLS rows (TLS=1, the default): point-select (ps off) with sysbench --mysql-ssl=on and churn with
# mariadb-slap --ssl, against MariaDB with TLS directly (direct_tls), through the proxy ending
# TLS with plaintext to the backend (proxy_tls, the same proxy as the plaintext rows) and with
# TLS to the backend too (proxy_tls_both); compared with the proxy's own plaintext figures.
# Prints every round, then per workload the medians and the ratios to direct and to HAProxy.
# Env: ROUNDS (3), SECONDS_PER_RUN (10), THREADS (8), TABLE_SIZE (10000), SP_THREADS (1),
#      TLS (1), SHADOWPROXY_BIN (build/proxy/shadowproxy).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-10}
THREADS=${THREADS:-8}
TABLE_SIZE=${TABLE_SIZE:-10000}
RESULTS=$BENCH_TMP/results.tsv

TLS=${TLS:-1}
CERTS=$BENCH_TMP/certs
backend_tls=()
if [ "$TLS" = 1 ]; then
  make_certs "$CERTS"
  backend_tls=(--ssl-cert="$CERTS/server-cert.pem" --ssl-key="$CERTS/server-key.pem"
               --ssl-ca="$CERTS/cacert.pem")
  SP_LISTEN_EXTRA="  tls: {cert: $CERTS/server-cert.pem, key: $CERTS/server-key.pem}"
fi
start_backend --max-connections=4000 "${backend_tls[@]}"
start_haproxy 4000
# The plaintext rows' proxy talks plaintext to the backend, as before TLS existed.
SP_CLUSTER_EXTRA="    tls: {mode: disabled}" start_proxy "${SP_THREADS:-1}"
if [ "$TLS" = 1 ]; then
  PLAIN_PORT=$SP_PORT PLAIN_PID=$SP_PID
  SP_CLUSTER_EXTRA="    tls: {mode: required}" start_proxy "${SP_THREADS:-1}"
  BOTH_PORT=$SP_PORT
  SP_PORT=$PLAIN_PORT SP_PID=$PLAIN_PID
fi
echo "# MariaDB :$DB_PORT  HAProxy :$HA_PORT (nbthread 1)  shadowproxy :$SP_PORT (threads ${SP_THREADS:-1})"
echo "# $(nproc) cores; $ROUNDS rounds; ${SECS}s per sysbench run; $THREADS threads"

port_of() {
  case $1 in
    direct | direct_tls) echo "$DB_PORT" ;;
    haproxy) echo "$HA_PORT" ;;
    proxy | proxy_tls) echo "$SP_PORT" ;;
    proxy_tls_both) echo "$BOTH_PORT" ;;
  esac
}
tls_of() { case $1 in *_tls | *_tls_both) echo on ;; *) echo off ;; esac; }

sb() {  # sb TEST PORT [args...]
  local test=$1 port=$2
  shift 2
  # (--mysql-ssl=on reads cacert.pem, client-cert.pem and client-key.pem from the working
  # directory.)
  (cd "${CERTS}" 2>/dev/null || true
  sysbench "$test" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" \
    --mysql-user=app --mysql-password=app-secret --mysql-db=sbtest --tables=4 \
    --table-size="$TABLE_SIZE" "$@")
}

sb oltp_read_only "$DB_PORT" --threads=4 prepare >/dev/null

run_sysbench() {  # run_sysbench WORKLOAD TARGET ROUND TEST PSMODE
  local out qps p95 errors
  out=$(sb "$4" "$(port_of "$2")" --threads="$THREADS" --time="$SECS" --db-ps-mode="$5" \
        --percentile=95 --mysql-ssl="$(tls_of "$2")" run)
  qps=$(awk '/queries:/ {gsub(/\(/, "", $3); print $3}' <<<"$out")
  p95=$(awk '/95th percentile:/ {print $3}' <<<"$out")
  errors=$(awk '/ignored errors:/ {print $3}' <<<"$out")
  printf '%s\t%s\t%s\tqps\t%s\n' "$1" "$2" "$3" "$qps" >>"$RESULTS"
  printf '%s\t%s\t%s\tp95_ms\t%s\n' "$1" "$2" "$3" "$p95" >>"$RESULTS"
  printf 'round %s  %-22s %-8s qps %10s  p95 %7s ms  errors %s\n' "$3" "$1" "$2" "$qps" "$p95" "$errors"
}

run_slap() {  # run_slap TARGET ROUND [WORKLOAD]
  local out secs ssl=()
  ssl=(--skip-ssl)  # (the client turns TLS on by itself when the server offers it)
  [ "$(tls_of "$1")" = on ] && ssl=(--ssl)
  out=$(mariadb-slap --no-defaults "${ssl[@]}" -h127.0.0.1 -P"$(port_of "$1")" -uapp -papp-secret \
        --concurrency=8 --number-of-queries=4000 --query="SELECT 1" --detach=1 \
        --create-schema=sbtest --no-drop 2>&1)
  secs=$(awk '/Average number of seconds to run all queries/ {print $(NF-1)}' <<<"$out")
  # mariadb-slap prints its figures even when connections failed: any error voids the run.
  if [ -z "$secs" ] || grep -q -i error <<<"$out"; then
    echo "mariadb-slap failed on $1: $(grep -i -m3 error <<<"$out")" >&2
    secs=NaN
  fi
  printf '%s\t%s\t%s\tseconds\t%s\n' "${3:-churn}" "$1" "$2" "$secs" >>"$RESULTS"
  printf 'round %s  %-22s %-8s %s s for 4000 connect+SELECT 1+disconnect\n' "$2" "${3:-churn}" "$1" "$secs"
}

targets=(direct haproxy proxy)
for round in $(seq 1 "$ROUNDS"); do
  # Rotate the order every round so no target always runs first (or last) on a warm cache.
  order=("${targets[@]:$(( (round - 1) % 3 ))}" "${targets[@]:0:$(( (round - 1) % 3 ))}")
  for t in "${order[@]}"; do run_sysbench point_select_ps_off "$t" "$round" oltp_point_select disable; done
  for t in "${order[@]}"; do run_sysbench point_select_ps_auto "$t" "$round" oltp_point_select auto; done
  for t in "${order[@]}"; do run_sysbench read_only "$t" "$round" oltp_read_only auto; done
  for t in "${order[@]}"; do run_slap "$t" "$round"; done
  if [ "$TLS" = 1 ]; then
    for t in direct_tls proxy_tls proxy_tls_both; do
      run_sysbench point_select_ps_off_tls "$t" "$round" oltp_point_select disable
    done
    for t in direct_tls proxy_tls proxy_tls_both; do run_slap "$t" "$round" churn_tls; done
  fi
done

kill -0 "$SP_PID" 2>/dev/null || echo "WARNING: shadowproxy exited during the run" >&2
echo
/usr/bin/python3 "$(dirname "$0")/summarize.py" "$RESULTS"
