#!/usr/bin/env bash
# The task center's read statements under concurrency, side by side with the metadb read
# directly in the same run. A throw-away MariaDB holds both the data and the metadb
# (metadb.cluster = the only cluster, database shadowproxy_meta); shadowproxy in front of it.
# sysbench (bench/lua/statement.lua) runs, every event one statement through the proxy:
#   list   SHADOW SYNC SHOW TASKS LIMIT 20
#   task   SHADOW SYNC SHOW TASK <id>
#   logs   SHADOW SYNC SHOW TASK <id> LOGS
# versus, every event, the SELECTs the store runs for it (plugins/tasks/task_store_mysql_tasks.cc)
# straight on the metadb:
#   list   SELECT id, cluster, ... FROM tasks WHERE created_at >= <now - 48h>
#          ORDER BY created_at DESC, id DESC LIMIT 20
#          (the proxy reads the same page, more only when the user may not view some tasks)
#   task   the 5 SELECTs of LoadTask: the task row, its tables, statements, steps and logs
#          (the proxy sends them as one multi-statement query)
#   logs   SELECT id, at, level, message FROM task_logs WHERE task_id=<id> ORDER BY id
#          (the proxy loads the whole task for LOGS too, in that one query)
# at every thread count, for every stored-task count. The tasks: a few real ones made through
# the proxy (ANALYZE + SUBMIT, and CREATE TASK; approved automatically, executed, so each has
# tables, statements, steps and logs), then clones of them made with INSERT ... SELECT in the
# metadb (children included, created_at within the last hours so SHOW TASKS lists them all)
# up to the count. <id> is one of the real tasks.
# Prints every run, then a table statement x tasks x threads -> proxy qps, direct qps, ratio
# (qps = events per second: one SHADOW SYNC statement, or its whole list of direct SELECTs).
#
#   bench/task_center.sh [--tasks "200 10000"]
# Env: SECONDS_PER_RUN (10), THREADS ("1 8 32"), TASKS (same as --tasks), SP_WORKERS
#      (shadow_sync.workers; default: the config default, 4), SP_THREADS (proxy event loops, 1),
#      SHADOWPROXY_BIN (build/proxy/shadowproxy).
set -euo pipefail
TASK_COUNTS=${TASKS:-200 10000}
while [ $# -gt 0 ]; do
  case $1 in
    --tasks) TASK_COUNTS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
SECS=${SECONDS_PER_RUN:-10}
THREADS=${THREADS:-1 8 32}
LUA=$(cd "$(dirname "$0")" && pwd)/lua/statement.lua
source "$(dirname "$0")/lib.sh"
META=shadowproxy_meta
DATA=bench_tc
RESULTS=$BENCH_TMP/results.tsv

start_backend --max-connections=2000

# The proxy: lib.sh's start_proxy config plus the roles and the approval process this bench
# needs (app may view every task; tasks are approved automatically) and shadow_sync.workers.
SP_PORT=$(free_port)
workers_line=""
[ -n "${SP_WORKERS:-}" ] && workers_line="  workers: $SP_WORKERS"
cat >"$BENCH_TMP/shadowproxy.yaml" <<CFG
log_level: warn
listen:
  address: 127.0.0.1
  port: $SP_PORT
  threads: ${SP_THREADS:-1}
  max_connections: 10000
clusters:
  - name: local
    servers: ["127.0.0.1:$DB_PORT"]
    admin_user: root
    admin_password: ""
users:
  - {name: app, password: app-secret, roles: [developer, dba, admin]}
metadb:
  cluster: local
  database: $META
metrics:
  port: 0
shadow_sync:
  task_list_window: 48h
$workers_line
  processes:
    - name: auto
      priority: 1
      match: {clusters: ["*"], databases: ["*"]}
      nodes: []
CFG
"$SHADOWPROXY_BIN" --config "$BENCH_TMP/shadowproxy.yaml" >"$BENCH_TMP/proxy.log" 2>&1 &
SP_PID=$!
BENCH_PIDS+=("$SP_PID")
wait_port "$SP_PORT" "$SP_PID"
echo "# MariaDB $(mariadbd --version | awk '{print $3}') :$DB_PORT  shadowproxy :$SP_PORT" \
     "(threads ${SP_THREADS:-1}, shadow_sync.workers ${SP_WORKERS:-default})  $(nproc) cores"
echo "# ${SECS}s per sysbench run; threads: $THREADS; stored tasks: $TASK_COUNTS"

direct() { mariadb --no-defaults -h127.0.0.1 -P"$DB_PORT" -uroot -N -B "$@"; }
proxied() { mariadb --no-defaults -h127.0.0.1 -P"$SP_PORT" -uapp -papp-secret -N -B "$@"; }

# --- the real tasks ---------------------------------------------------------------------------
direct -e "CREATE DATABASE $DATA"
for i in 1 2 3 4; do
  direct "$DATA" -e "CREATE TABLE src$i (id BIGINT NOT NULL PRIMARY KEY, account_id INT NOT NULL,
    name VARCHAR(64) NOT NULL DEFAULT '', amount DECIMAL(12,2) NOT NULL DEFAULT 0.00,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, KEY idx_account (account_id, name))
    ENGINE=InnoDB"
done
wait_final() {  # wait_final TASK_ID: until the task is final
  local status
  for _ in $(seq 1 300); do
    status=$(proxied -e "SHADOW SYNC SHOW TASK $1" | awk -F'\t' '$1 == "status" {print $2}')
    case $status in
      EXECUTION_FAILED) echo "task $1 failed: $(proxied -e "SHADOW SYNC SHOW TASK $1 LOGS")" >&2
                        exit 1 ;;
      EXECUTION_*|REJECTED|CANCELLED|*_EXPIRED) return 0 ;;
    esac
    sleep 0.1
  done
  echo "task $1 did not finish: $status" >&2
  exit 1
}
seed_ids=()
for i in 1 2; do  # ANALYZE + SUBMIT (two tables each)
  aid=$(proxied "$DATA" -e "SHADOW SYNC ANALYZE TABLES src$((2 * i - 1)), src$((2 * i))" | awk 'NR == 1 {print $1}')
  tid=$(proxied "$DATA" -e "SHADOW SYNC SUBMIT $aid COMMENT 'bench seed $i'" | cut -f1)
  wait_final "$tid"
  seed_ids+=("$tid")
done
tid=$(proxied "$DATA" -e "SHADOW SYNC CREATE TASK ALL TABLES COMMENT 'bench seed 3'" | cut -f1)
wait_final "$tid"  # every shadow exists by now: NO_ACTION for all, nothing to run
seed_ids+=("$tid")
TASK_ID=${seed_ids[0]}
seeds=$(IFS=,; echo "${seed_ids[*]}")
echo "# real tasks $seeds (SHOW TASK uses $TASK_ID: $(direct $META -e "SELECT
  (SELECT COUNT(*) FROM task_tables WHERE task_id=$TASK_ID), (SELECT COUNT(*) FROM task_statements
  WHERE task_id=$TASK_ID), (SELECT COUNT(*) FROM task_steps WHERE task_id=$TASK_ID), (SELECT
  COUNT(*) FROM task_logs WHERE task_id=$TASK_ID)" | awk '{printf "%s tables, %s statements, %s steps, %s log lines", $1, $2, $3, $4}'))"

grow_to() { clone_tasks "$META" "$seeds" "$1"; }  # lib.sh

sb() {  # sb PORT DB SQL THREADS: prints "events_per_s p95_ms errors"
  local out
  out=$(sysbench "$LUA" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$1" \
        --mysql-user=app --mysql-password=app-secret --mysql-db="$2" --threads="$4" \
        --time="$SECS" --percentile=95 --sql="$3" run 2>&1) || {
    echo "sysbench failed on port $1 ($3):" >&2
    grep -E 'FATAL|error' <<<"$out" | head -5 >&2
    echo "NaN NaN fail"
    return 0
  }
  awk '/transactions:/ {gsub(/\(/, "", $3); q = $3} /95th percentile:/ {p = $3}
       /ignored errors:/ {e = $3} END {print q, p, e}' <<<"$out"
}

list_direct() {
  echo "SELECT id, cluster, db_name, creator, created_at, status, process, process_nodes FROM tasks" \
       "WHERE created_at >= '$(date -d '-48 hours' '+%Y-%m-%d %H:%M:%S.000')'" \
       "ORDER BY created_at DESC, id DESC LIMIT 20"
}
task_direct="SELECT id, cluster, db_name, creator, created_at, status, execution_mode, execute_at, \
error_strategy, remarks, process, process_nodes, allow_self_approval, current_node, prefix, \
suffix, analysis_id, owner, lease_until, approved_at, started_at, finished_at, version FROM tasks \
WHERE id=$TASK_ID;\
SELECT source_table, shadow_table, result, skipped FROM task_tables WHERE task_id=$TASK_ID ORDER BY seq;\
SELECT seq, source_table, sql_text, state, error FROM task_statements WHERE task_id=$TASK_ID ORDER BY seq;\
SELECT seq, node, status, operator, at, comment FROM task_steps WHERE task_id=$TASK_ID ORDER BY seq;\
SELECT id, at, level, message FROM task_logs WHERE task_id=$TASK_ID ORDER BY id"
logs_direct="SELECT id, at, level, message FROM task_logs WHERE task_id=$TASK_ID ORDER BY id"

statements=(list task logs)
proxy_sql() {
  case $1 in
    list) echo "SHADOW SYNC SHOW TASKS LIMIT 20" ;;
    task) echo "SHADOW SYNC SHOW TASK $TASK_ID" ;;
    logs) echo "SHADOW SYNC SHOW TASK $TASK_ID LOGS" ;;
  esac
}
direct_sql() {
  case $1 in
    list) list_direct ;;
    task) echo "$task_direct" ;;
    logs) echo "$logs_direct" ;;
  esac
}

run=0
failed=0
for n in $TASK_COUNTS; do
  t0=$EPOCHREALTIME
  grow_to "$n"
  have=$(direct $META -e "SELECT COUNT(*) FROM tasks")
  listed=$(proxied -e "SHADOW SYNC SHOW TASKS" | wc -l)
  printf '# %d tasks in the metadb (%.1f s to clone), %d listed by SHOW TASKS (48h window)\n' \
    "$have" "$(bc -l <<<"$EPOCHREALTIME - $t0")" "$listed"
  [ "$listed" = "$have" ] || { echo "SHOW TASKS lists $listed of $have tasks" >&2; exit 1; }
  for threads in $THREADS; do
    for st in "${statements[@]}"; do
      run=$((run + 1))
      # Alternate which side runs first.
      if (( run % 2 )); then order=(proxy direct); else order=(direct proxy); fi
      for side in "${order[@]}"; do
        if [ "$side" = proxy ]; then
          read -r qps p95 errors < <(sb "$SP_PORT" "$DATA" "$(proxy_sql "$st")" "$threads")
        else
          read -r qps p95 errors < <(sb "$DB_PORT" "$META" "$(direct_sql "$st")" "$threads")
        fi
        [ "$errors" = 0 ] || failed=1
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$st" "$n" "$threads" "$side" "$qps" "$p95" >>"$RESULTS"
        printf '%-5s %6d tasks %3d threads  %-6s %10s qps  p95 %8s ms  errors %s\n' \
          "$st" "$n" "$threads" "$side" "$qps" "$p95" "$errors"
      done
    done
  done
done
kill -0 "$SP_PID" 2>/dev/null || { echo "shadowproxy exited during the run" >&2; exit 1; }
printf 'proxy memory: RSS %d KiB, VmHWM %d KiB\n' "$(rss_kb "$SP_PID")" \
  "$(awk '/^VmHWM:/ {print $2}' "/proc/$SP_PID/status")"
echo
/usr/bin/python3 - "$RESULTS" <<'PY'
import sys

rows = {}
for line in open(sys.argv[1]):
    st, n, threads, side, qps, p95 = line.rstrip("\n").split("\t")
    rows.setdefault((st, int(n), int(threads)), {})[side] = (float(qps), p95)
names = {"list": "SHOW TASKS LIMIT 20", "task": "SHOW TASK id", "logs": "SHOW TASK id LOGS"}
print(f"{'statement':<20} {'tasks':>6} {'threads':>7} {'proxy qps':>11} {'direct qps':>11} "
      f"{'proxy/direct':>12} {'proxy p95 ms':>12} {'direct p95 ms':>13}")
for (st, n, threads), v in sorted(rows.items(), key=lambda kv: (list(names).index(kv[0][0]),
                                                                 kv[0][1], kv[0][2])):
    pq, pp = v.get("proxy", (float("nan"), "-"))
    dq, dp = v.get("direct", (float("nan"), "-"))
    ratio = pq / dq if dq == dq and dq > 0 else float("nan")
    print(f"{names[st]:<20} {n:>6} {threads:>7} {pq:>11.1f} {dq:>11.1f} {ratio:>12.3f} "
          f"{pp:>12} {dp:>13}")
PY
if [ "$failed" = 1 ]; then echo "some runs failed or had errors (see above)" >&2; exit 1; fi
