#!/usr/bin/env bash
# Configures and builds into build/ (or $BUILD_DIR) with Ninja, warnings as errors. Extra args go
# to cmake (they come after ours, so e.g. -DSHADOWPROXY_WERROR=OFF wins).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$here/build}
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} \
  -DSHADOWPROXY_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
