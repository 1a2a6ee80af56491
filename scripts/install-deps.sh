#!/usr/bin/env bash
# Installs from Debian everything the build, the tests and the benchmarks need.
# Idempotent; run as root (or with sudo available).
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

# clang-14 is named although clang (Debian 12's default, 14) pulls it in: the CI's Release build
# calls clang++-14 by that name. dpkg-dev and file are what CPack's dependency scan runs;
# debootstrap and iproute2 are for integration/test_package.py. cpp-httplib (built with OpenSSL)
# serves the web console, nlohmann-json reads and writes its JSON; chromium, chromium-driver and
# python3-selenium run integration/test_console_browser.py.
PKGS=(
  build-essential cmake ninja-build ccache pkg-config clang clang-14 clang-format libssl-dev openssl
  dpkg-dev file debootstrap iproute2
  libevent-dev libmariadb-dev libyaml-cpp-dev prometheus-cpp-dev libgtest-dev libgmock-dev
  libcpp-httplib-dev nlohmann-json3-dev
  mariadb-server mariadb-client sysbench haproxy prometheus
  python3 python3-pytest python3-pymysql python3-cryptography python3-mysqldb python3-alembic
  python3-django
  python3-sqlalchemy
  chromium chromium-driver python3-selenium
  libmariadb-java default-jdk-headless
)
# Node.js: Debian's nodejs+npm unless a node with npm is already present.
if ! command -v npm >/dev/null 2>&1; then PKGS+=(nodejs npm); fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
step() { echo "install-deps: $*" >&2; }
fail() { echo "install-deps: FAILED: $*" >&2; exit 1; }
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get update, then installing ${#missing[@]} Debian packages: ${missing[*]}"
  $SUDO apt-get update || fail "apt-get update (is the Debian mirror reachable?)"
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" ||
    fail "apt-get install of: ${missing[*]}"
else
  step "all ${#PKGS[@]} Debian packages already installed"
fi

# Node clients for the integration tests, installed into integration/node (no global state)
# exactly as package-lock.json pins them (versions that run on Debian 12's node 18).
here=$(cd "$(dirname "$0")/.." && pwd)
node_dir="$here/integration/node"
if [ -f "$node_dir/package-lock.json" ] && [ ! -d "$node_dir/node_modules" ]; then
  step "npm ci in integration/node (node $(node --version 2>/dev/null || echo missing))"
  (cd "$node_dir" && npm ci --no-audit --no-fund) ||
    { rm -rf "$node_dir/node_modules"; fail "npm ci in integration/node (see npm's message above)"; }
fi
