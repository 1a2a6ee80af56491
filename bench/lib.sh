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

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
