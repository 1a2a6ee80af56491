#!/usr/bin/env bash
# Shadow routing's cost (issue 15 "Performance"), side by side in one run: sysbench
# oltp_read_write through the same proxy as an unmarked user (app, against sbtestN) and as a
# shadow user (loadtest, users[].shadow: true, rewritten to sbtestN_shadow). Targets alternate
# within every round. Target: shadow QPS >= 0.9 x unmarked QPS.
# Env: ROUNDS (3), SECONDS_PER_RUN (10), THREADS (8), TABLE_SIZE (10000), SP_THREADS (1),
#      PS_MODE (auto), SHADOWPROXY_BIN (build/proxy/shadowproxy).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-10}
THREADS=${THREADS:-8}
TABLE_SIZE=${TABLE_SIZE:-10000}
PS_MODE=${PS_MODE:-auto}
TABLES=4
RESULTS=$BENCH_TMP/results.tsv

start_backend
sysbench oltp_read_write --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$DB_PORT" \
  --mysql-user=app --mysql-password=app-secret --mysql-db=sbtest --tables=$TABLES \
  --table-size="$TABLE_SIZE" --threads=4 prepare >/dev/null
sql="CREATE USER 'lt'@'127.0.0.1' IDENTIFIED BY 'lt-secret';"
for i in $(seq 1 $TABLES); do
  sql+="CREATE TABLE sbtest.sbtest${i}_shadow LIKE sbtest.sbtest$i;
        INSERT INTO sbtest.sbtest${i}_shadow SELECT * FROM sbtest.sbtest$i;
        GRANT SELECT, INSERT, UPDATE, DELETE ON sbtest.sbtest${i}_shadow TO 'lt'@'127.0.0.1';"
done
mariadb --no-defaults -h127.0.0.1 -P"$DB_PORT" -uroot -e "$sql"

SP_PORT=$(free_port)
cat >"$BENCH_TMP/shadowproxy.yaml" <<CFG
log_level: warn
listen: {address: 127.0.0.1, port: $SP_PORT, threads: ${SP_THREADS:-1}}
clusters:
  - {name: local, servers: ["127.0.0.1:$DB_PORT"], admin_user: root, admin_password: ""}
users:
  - {name: app, password: app-secret}
  - {name: loadtest, password: lt-secret, backend_user: lt, shadow: true}
metrics: {port: 0}
shadow_routing:
  - match: {databases: [sbtest]}
    naming: {suffix: _shadow}
CFG
"$SHADOWPROXY_BIN" --config "$BENCH_TMP/shadowproxy.yaml" >"$BENCH_TMP/proxy.log" 2>&1 &
SP_PID=$!
BENCH_PIDS+=("$SP_PID")
wait_port "$SP_PORT" "$SP_PID"
echo "# MariaDB :$DB_PORT  shadowproxy :$SP_PORT (threads ${SP_THREADS:-1})"
echo "# $(nproc) cores; $ROUNDS rounds; ${SECS}s per run; $THREADS threads; --db-ps-mode=$PS_MODE"

run() {  # run TARGET ROUND
  local user=app password=app-secret out qps p95 errors
  if [ "$1" = shadow ]; then user=loadtest password=lt-secret; fi
  out=$(sysbench oltp_read_write --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SP_PORT" \
        --mysql-user=$user --mysql-password=$password --mysql-db=sbtest --tables=$TABLES \
        --table-size="$TABLE_SIZE" --threads="$THREADS" --time="$SECS" --db-ps-mode="$PS_MODE" \
        --percentile=95 --mysql-ignore-errors=1213,1205 run)
  qps=$(awk '/queries:/ {gsub(/\(/, "", $3); print $3}' <<<"$out")
  p95=$(awk '/95th percentile:/ {print $3}' <<<"$out")
  errors=$(awk '/ignored errors:/ {print $3}' <<<"$out")
  printf '%s\t%s\t%s\n' "$1" "$qps" "$p95" >>"$RESULTS"
  printf 'round %s  %-9s qps %10s  p95 %7s ms  ignored errors (deadlocks) %s\n' "$2" "$1" "$qps" \
    "$p95" "$errors"
}

for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order=(unmarked shadow); else order=(shadow unmarked); fi
  for t in "${order[@]}"; do run "$t" "$round"; done
done
kill -0 "$SP_PID" 2>/dev/null || echo "WARNING: shadowproxy exited during the run" >&2
echo "# refusal WARN lines: $(grep -c "shadow routing" "$BENCH_TMP/proxy.log" || true)"
echo
/usr/bin/python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    t, qps, p95 = line.split("\t")
    rows.setdefault(t, []).append((float(qps), float(p95)))
med = {t: (statistics.median(q for q, _ in v), statistics.median(p for _, p in v))
       for t, v in rows.items()}
for t in ("unmarked", "shadow"):
    print(f"{t:<9} qps {med[t][0]:10.2f}  p95 {med[t][1]:7.2f} ms (medians)")
print(f"shadow/unmarked qps {med['shadow'][0] / med['unmarked'][0]:.3f} (target >= 0.9)")
PY
