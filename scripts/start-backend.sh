#!/usr/bin/env bash
# Starts a throw-away MariaDB server: scripts/start-backend.sh DATADIR PORT [extra mariadbd args...]
# Initialises DATADIR if empty, starts mariadbd in the background, waits until it answers,
# and prints its pid. root@localhost and root@127.0.0.1 have an empty password.
set -euo pipefail
datadir=$1; port=$2; shift 2
mkdir -p "$datadir"
datadir=$(cd "$datadir" && pwd)
# A private temp dir: concurrent mariadb-install-db runs otherwise collide in /tmp.
tmp="$datadir.tmp"
mkdir -p "$tmp"
export TMPDIR="$tmp"
if [ ! -d "$datadir/mysql" ]; then
  for try in 1 2 3; do
    if mariadb-install-db --no-defaults --datadir="$datadir" --user="$(id -un)" \
      --auth-root-authentication-method=normal --skip-test-db >"$datadir.install.log" 2>&1; then
      break
    fi
    if [ "$try" = 3 ]; then cat "$datadir.install.log" >&2; exit 1; fi
    rm -rf "$datadir" && mkdir -p "$datadir"
    sleep 0.$((RANDOM % 9 + 1))
  done
fi
mariadbd --no-defaults --datadir="$datadir" --port="$port" --bind-address=127.0.0.1 \
  --tmpdir="$tmp" \
  --socket="$datadir/mysqld.sock" --pid-file="$datadir/mysqld.pid" --user="$(id -un)" \
  --skip-log-bin --innodb-buffer-pool-size=256M --innodb-log-file-size=64M \
  --innodb-flush-log-at-trx-commit=2 --max-connections=2000 "$@" \
  >"$datadir.err.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  if mariadb-admin --no-defaults -uroot --socket="$datadir/mysqld.sock" ping >/dev/null 2>&1; then
    mariadb --no-defaults -uroot --socket="$datadir/mysqld.sock" -e \
      "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;" 
    echo "$pid"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { cat "$datadir.err.log" >&2; exit 1; }
  sleep 0.1
done
echo "mariadbd did not start in 30s" >&2
cat "$datadir.err.log" >&2
exit 1
