#!/usr/bin/env bash
# Schema analysis at scale (issue 3): starts a throw-away MariaDB, creates 2,000 source tables
# (12 columns, 4 indexes each; half with an outdated shadow, half without), and prints the time
# of SHADOW SYNC's analysis of ALL TABLES beside the floor measured in the same run (every
# table's SHOW CREATE TABLE once, sequentially, over one connection).
#   bench/analysis.sh [--tables N] [--workers W] [--rounds R]
# BUILD_DIR (default build) is where analysis_bench is built.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$here/build}
if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target analysis_bench -j 2 >/dev/null
tmp=$(mktemp -d /tmp/sp-bench-analysis-XXXXXX)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=$("$here/scripts/start-backend.sh" "$tmp/data" "$port" | tail -n1)
cleanup() {
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -rf "$tmp"
}
trap cleanup EXIT
echo "MariaDB $(mariadbd --version | awk '{print $3}') on 127.0.0.1:$port, $(nproc) cores"
"$build/bench/analysis_bench" --port "$port" "$@"
