# Shared pieces of the benchmark scripts (sourced): free loopback ports, a throw-away MariaDB,
# HAProxy in TCP mode and shadowproxy, all stopped and removed on exit.
# Not tests: they print figures (DESIGN.md §5).

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHADOWPROXY_BIN=${SHADOWPROXY_BIN:-$BENCH_SRC/build/proxy/shadowproxy}
BENCH_TMP=$(mktemp -d /tmp/sp-bench-XXXXXX)
BENCH_PIDS=()

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {  # wait_port PORT PID
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "process $2 exited before port $1 opened" >&2; return 1; }
    sleep 0.1
  done
  echo "port $1 did not open" >&2
  return 1
}

# start_backend [extra mariadbd args...]: sets DB_PORT; creates app/app-secret and database sbtest.
start_backend() {
  DB_PORT=$(free_port)
  local pid
  pid=$("$BENCH_SRC/scripts/start-backend.sh" "$BENCH_TMP/db" "$DB_PORT" "$@" | tail -1)
  BENCH_PIDS+=("$pid")
  DB_PID=$pid
  mariadb --no-defaults -h127.0.0.1 -P"$DB_PORT" -uroot -e "
    CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app-secret';
    CREATE USER IF NOT EXISTS 'app'@'127.0.0.1' IDENTIFIED BY 'app-secret';
    CREATE USER IF NOT EXISTS 'app'@'localhost' IDENTIFIED BY 'app-secret';
    GRANT ALL ON *.* TO 'app'@'%'; GRANT ALL ON *.* TO 'app'@'127.0.0.1';
    GRANT ALL ON *.* TO 'app'@'localhost';
    CREATE DATABASE IF NOT EXISTS sbtest;"
}

# start_haproxy [maxconn]: TCP mode, one thread; sets HA_PORT and HA_PID.
start_haproxy() {
  HA_PORT=$(free_port)
  cat >"$BENCH_TMP/haproxy.cfg" <<CFG
global
  maxconn ${1:-4000}
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen mysql
  bind 127.0.0.1:$HA_PORT
  server db 127.0.0.1:$DB_PORT
CFG
  haproxy -db -f "$BENCH_TMP/haproxy.cfg" >"$BENCH_TMP/haproxy.log" 2>&1 &
  HA_PID=$!
  BENCH_PIDS+=("$HA_PID")
  wait_port "$HA_PORT" "$HA_PID"
}

# start_proxy [threads] [max_connections]: sets SP_PORT and SP_PID. Users are passed through to
# the backend unless SP_PROXY_AUTH=1 (then app is verified by the proxy). SP_LISTEN_EXTRA and
# SP_CLUSTER_EXTRA: YAML lines added to listen and to the cluster (indented by the caller);
# SP_EXTRA: top-level YAML sections (metadb, shadow_sync, ...).
start_proxy() {
  SP_PORT=$(free_port)
  local users="users: []"
  if [ "${SP_PROXY_AUTH:-1}" = 1 ]; then
    users=$'users:\n  - {name: app, password: app-secret}'
  fi
  cat >"$BENCH_TMP/shadowproxy.yaml" <<CFG
log_level: warn
listen:
  address: 127.0.0.1
  port: $SP_PORT
  threads: ${1:-1}
  max_connections: ${2:-10000}
${SP_LISTEN_EXTRA:-}
clusters:
  - name: local
    servers: ["127.0.0.1:$DB_PORT"]
${SP_CLUSTER_EXTRA:-}
$users
metrics:
  port: 0
${SP_EXTRA:-}
CFG
  "$SHADOWPROXY_BIN" --config "$BENCH_TMP/shadowproxy.yaml" >"$BENCH_TMP/proxy.log" 2>&1 &
  SP_PID=$!
  BENCH_PIDS+=("$SP_PID")
  wait_port "$SP_PORT" "$SP_PID"
}

# make_certs DIR: a CA, a server certificate for 127.0.0.1 and a client certificate (PEM), with
# the file names sysbench 1.0's --mysql-ssl=on reads from its working directory.
make_certs() {
  local d=$1
  mkdir -p "$d"
  (cd "$d" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bench-ca \
      -keyout ca.key -out cacert.pem &&
    for who in server client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$who" -keyout "$who-key.pem" -out "$who.csr" &&
        echo "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$who.ext" &&
        openssl x509 -req -in "$who.csr" -CA cacert.pem -CAkey ca.key -CAcreateserial -days 2 \
          -extfile "$who.ext" -out "$who-cert.pem" || return 1
    done) >/dev/null 2>&1
}

stop_pid() {  # stop_pid PID: TERM, wait up to 10 s, KILL
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}

# sb TEST PORT [args...]: sysbench TEST on sbtest (4 tables of TABLE_SIZE rows) as app.
sb() {
  local test=$1 port=$2
  shift 2
  sysbench "$test" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" \
    --mysql-user=app --mysql-password=app-secret --mysql-db=sbtest --tables=4 \
    --table-size="${TABLE_SIZE:-10000}" "$@"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# clone_tasks META SEEDS N: clones the tasks SEEDS ("3,4,5", ids in the metadb database META on
# the backend of start_backend) until META holds N tasks, children included; the clones are
# created k seconds before now (k = 1, 2, ...), so a 48h task list shows them all.
clone_tasks() {
  local meta=$1 seeds=$2 have need nseeds
  nseeds=$(tr ',' '\n' <<<"$seeds" | wc -l)
  have=$(mariadb --no-defaults -h127.0.0.1 -P"$DB_PORT" -uroot -N -B "$meta" \
         -e "SELECT COUNT(*) FROM tasks")
  need=$(( $3 - have ))
  (( need > 0 )) || return 0
  # Clone k (1..need) copies seed number (k mod #seeds) under id max+k, created k seconds before
  # now (local time, as the proxy stores it), children included.
  mariadb --no-defaults -h127.0.0.1 -P"$DB_PORT" -uroot -N -B "$meta" <<SQL
SET @base = (SELECT MAX(id) FROM tasks);
SET @nseeds = $nseeds;
CREATE TEMPORARY TABLE clone_map (new_id BIGINT PRIMARY KEY, seed_id BIGINT NOT NULL, k INT NOT NULL)
  SELECT @base + s.seq AS new_id, t.id AS seed_id, s.seq AS k
  FROM seq_1_to_$need s
  JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS r FROM tasks WHERE id IN ($seeds)) t
    ON t.r = s.seq % @nseeds;
INSERT INTO tasks (id, task_type, cluster, db_name, creator, created_at, status, execution_mode,
  execute_at, error_strategy, remarks, process, process_nodes, allow_self_approval, current_node,
  prefix, suffix, analysis_id, owner, lease_until, approved_at, started_at, finished_at, version)
SELECT m.new_id, t.task_type, t.cluster, t.db_name, t.creator,
  NOW(3) - INTERVAL m.k SECOND, t.status, t.execution_mode, t.execute_at, t.error_strategy,
  CONCAT(t.remarks, ' (clone)'), t.process, t.process_nodes, t.allow_self_approval,
  t.current_node, t.prefix, t.suffix, t.analysis_id, NULL, NULL, t.approved_at, t.started_at,
  t.finished_at, t.version
FROM clone_map m JOIN tasks t ON t.id = m.seed_id;
INSERT INTO task_tables SELECT m.new_id, x.seq, x.source_table, x.shadow_table, x.result, x.skipped
  FROM clone_map m JOIN task_tables x ON x.task_id = m.seed_id;
INSERT INTO task_statements SELECT m.new_id, x.seq, x.source_table, x.sql_text, x.state, x.error
  FROM clone_map m JOIN task_statements x ON x.task_id = m.seed_id;
INSERT INTO task_steps SELECT m.new_id, x.seq, x.node, x.status, x.operator, x.at, x.comment
  FROM clone_map m JOIN task_steps x ON x.task_id = m.seed_id;
INSERT INTO task_logs (task_id, at, level, message) SELECT m.new_id, x.at, x.level, x.message
  FROM clone_map m JOIN task_logs x ON x.task_id = m.seed_id ORDER BY m.new_id, x.id;
DROP TEMPORARY TABLE clone_map;
SQL
}
