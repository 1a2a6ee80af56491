#!/usr/bin/env bash
# Starts a throw-away MariaDB server: scripts/start-backend.sh DATADIR PORT [extra mariadbd args...]
# Initialises DATADIR if empty, starts mariadbd in the background, waits until it answers,
# and prints its pid. root@localhost and root@127.0.0.1 have an empty password.
set -euo pipefail
datadir=$1; port=$2; shift 2
mkdir -p "$datadir"
datadir=$(cd "$datadir" && pwd)
if [ ! -d "$datadir/mysql" ]; then
  mariadb-install-db --no-defaults --datadir="$datadir" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db >"$datadir.install.log" 2>&1 \
    || { cat "$datadir.install.log" >&2; exit 1; }
fi
mariadbd --no-defaults --datadir="$datadir" --port="$port" --bind-address=127.0.0.1 \
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
