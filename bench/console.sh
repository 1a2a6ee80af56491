#!/usr/bin/env bash
# The console's task list API against the same list through the MySQL port, in the same run.
# A throw-away MariaDB holds the data and the metadb; shadowproxy in front of it with the console
# on. A few real tasks are made through the proxy (CREATE TASK, approved automatically, executed),
# then cloned in the metadb up to the task count (lib.sh's clone_tasks, as bench/task_center.sh).
# Then, for each client count, each client runs its request back to back for the run's time:
#   api   GET /api/v1/tasks?limit=20           (HTTP/1.1 keep-alive, one connection a client)
#   sql   SHADOW SYNC SHOW TASKS LIMIT 20     (one MySQL connection a client, pymysql)
# the two sides alternating which goes first, and prints p50 / p95 latency and requests per
# second side by side (the issue's target: the API within 1.2 x the statement's latency).
#
#   bench/console.sh [--tasks 10000]
# Env: SECONDS_PER_RUN (10), CLIENTS ("1 16"), TASKS, SHADOWPROXY_BIN (build/proxy/shadowproxy).
set -euo pipefail
TASK_COUNT=${TASKS:-10000}
while [ $# -gt 0 ]; do
  case $1 in
    --tasks) TASK_COUNT=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
SECS=${SECONDS_PER_RUN:-10}
CLIENTS=${CLIENTS:-1 16}
source "$(dirname "$0")/lib.sh"
META=shadowproxy_meta
DATA=bench_console

start_backend --max-connections=2000
SP_PORT=$(free_port)
CONSOLE_PORT=$(free_port)
cat >"$BENCH_TMP/shadowproxy.yaml" <<CFG
log_level: warn
listen:
  address: 127.0.0.1
  port: $SP_PORT
  threads: 1
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
console:
  address: 127.0.0.1
  port: $CONSOLE_PORT
shadow_sync:
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
wait_port "$CONSOLE_PORT" "$SP_PID"
echo "# MariaDB $(mariadbd --version | awk '{print $3}') :$DB_PORT  shadowproxy :$SP_PORT" \
     "console :$CONSOLE_PORT  $(nproc) cores; ${SECS}s per run; clients: $CLIENTS"

direct() { mariadb --no-defaults -h127.0.0.1 -P"$DB_PORT" -uroot -N -B "$@"; }
proxied() { mariadb --no-defaults -h127.0.0.1 -P"$SP_PORT" -uapp -papp-secret -N -B "$@"; }

direct -e "CREATE DATABASE $DATA"
seed_ids=()
for i in 1 2 3; do
  direct "$DATA" -e "CREATE TABLE src$i (id BIGINT NOT NULL PRIMARY KEY, v INT, KEY k (v))"
  tid=$(proxied "$DATA" -e "SHADOW SYNC CREATE TASK TABLES src$i COMMENT 'bench seed $i'" | cut -f1)
  seed_ids+=("$tid")
done
for tid in "${seed_ids[@]}"; do
  for _ in $(seq 1 300); do
    status=$(proxied -e "SHADOW SYNC SHOW TASK $tid" | awk -F'\t' '$1 == "status" {print $2}')
    [ "$status" = EXECUTION_SUCCEEDED ] && break
    sleep 0.1
  done
  [ "$status" = EXECUTION_SUCCEEDED ] || { echo "seed task $tid: $status" >&2; exit 1; }
done
t0=$EPOCHREALTIME
clone_tasks "$META" "$(IFS=,; echo "${seed_ids[*]}")" "$TASK_COUNT"
printf '# %d tasks in the metadb (%.1f s to clone)\n' \
  "$(direct $META -e 'SELECT COUNT(*) FROM tasks')" "$(bc -l <<<"$EPOCHREALTIME - $t0")"

/usr/bin/python3 - "$SP_PORT" "$CONSOLE_PORT" "$SECS" "$CLIENTS" <<'PY'
import http.client
import json
import statistics
import sys
import threading
import time

import pymysql

sql_port, api_port, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
clients = [int(c) for c in sys.argv[4].split()]


def api_client():
    c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=60)
    c.request("POST", "/api/v1/session", body=json.dumps({"user": "app", "password": "app-secret"}),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
    cookie = r.getheader("Set-Cookie").split(";", 1)[0]

    def once():
        c.request("GET", "/api/v1/tasks?limit=20", headers={"Cookie": cookie})
        r = c.getresponse()
        body = r.read()
        if r.status != 200 or body.count(b'"task_id"') != 20:
            raise RuntimeError(f"API answered {r.status}: {body[:200]!r}")
    return once, c.close


def sql_client():
    conn = pymysql.connect(host="127.0.0.1", port=sql_port, user="app", password="app-secret",
                           autocommit=True)

    def once():
        with conn.cursor() as cur:
            if cur.execute("SHADOW SYNC SHOW TASKS LIMIT 20") != 20:
                raise RuntimeError("SHOW TASKS returned another row count")
            cur.fetchall()
    return once, conn.close


def run(make, n):
    made = [make() for _ in range(n)]
    latencies, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(n + 1)
    stop_at = [0.0]

    def worker(once):
        mine = []
        start.wait()
        try:
            while time.perf_counter() < stop_at[0]:
                t = time.perf_counter()
                once()
                mine.append(time.perf_counter() - t)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(once,)) for once, _ in made]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + secs
    start.wait()
    for t in threads:
        t.join()
    for _, close in made:
        close()
    if errors:
        raise errors[0]
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return len(latencies) / secs, p(0.50), p(0.95)


print(f"{'clients':>7} {'side':<5} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
table = []
for i, n in enumerate(clients):
    sides = [("api", api_client), ("sql", sql_client)]
    if i % 2:
        sides.reverse()
    got = {}
    for name, make in sides:
        got[name] = run(make, n)
        rps, p50, p95 = got[name]
        print(f"{n:>7} {name:<5} {rps:>9.1f} {p50:>8.2f} {p95:>8.2f}", flush=True)
    table.append((n, got))
print()
print(f"{'clients':>7} {'api p50':>8} {'sql p50':>8} {'api p95':>8} {'sql p95':>8} "
      f"{'p50 api/sql':>11} {'p95 api/sql':>11}")
for n, got in table:
    a, s = got["api"], got["sql"]
    print(f"{n:>7} {a[1]:>8.2f} {s[1]:>8.2f} {a[2]:>8.2f} {s[2]:>8.2f} {a[1] / s[1]:>11.2f} "
          f"{a[2] / s[2]:>11.2f}")
PY
kill -0 "$SP_PID" 2>/dev/null || { echo "shadowproxy exited during the run" >&2; exit 1; }
