#!/usr/bin/env bash
# Installs from Debian everything the build, the tests and the benchmarks need.
# Idempotent; run as root (or with sudo available).
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

PKGS=(
  build-essential cmake ninja-build ccache pkg-config clang clang-format libssl-dev
  libevent-dev libmariadb-dev libyaml-cpp-dev prometheus-cpp-dev libgtest-dev libgmock-dev
  mariadb-server mariadb-client sysbench haproxy prometheus
  python3 python3-pytest python3-pymysql python3-mysqldb python3-alembic python3-sqlalchemy
  libmariadb-java default-jdk-headless
)
# Node.js: Debian's nodejs+npm unless a node with npm is already present.
if ! command -v npm >/dev/null 2>&1; then PKGS+=(nodejs npm); fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Node clients for the integration tests, installed into integration/node (no global state).
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$here/integration/node/package.json" ] && [ ! -d "$here/integration/node/node_modules" ]; then
  (cd "$here/integration/node" && npm install --no-audit --no-fund --silent)
fi
