#!/usr/bin/env bash
# Command 1 of the README: installs what is needed, builds, starts a local MariaDB on
# 127.0.0.1:3306 (data in .run/mariadb, unless a server already answers there) with the account
# the default config uses, then runs shadowproxy in the foreground with conf/shadowproxy.yaml.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
"$here/scripts/build.sh"
if ! mariadb-admin --no-defaults -h127.0.0.1 -P3306 -uroot ping >/dev/null 2>&1; then
  echo "starting MariaDB on 127.0.0.1:3306 (data: $here/.run/mariadb)"
  "$here/scripts/start-backend.sh" "$here/.run/mariadb" 3306 >/dev/null
fi
mariadb --no-defaults -h127.0.0.1 -P3306 -uroot -e "
  CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app-secret';
  CREATE USER IF NOT EXISTS 'app'@'localhost' IDENTIFIED BY 'app-secret';
  CREATE DATABASE IF NOT EXISTS app;
  GRANT ALL ON *.* TO 'app'@'%'; GRANT ALL ON *.* TO 'app'@'localhost';"
echo "shadowproxy on 127.0.0.1:6033 -- try: mariadb -h127.0.0.1 -P6033 -u app -papp-secret"
exec "$here/build/proxy/shadowproxy" --config "$here/conf/shadowproxy.yaml" "$@"
