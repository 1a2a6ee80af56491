#!/usr/bin/env bash
# Command 2 of the README: installs what is needed, builds, and runs every test
# (GoogleTest unit tests and the integration tests against a real MariaDB) through ctest.
# Extra arguments go to ctest (e.g. -L unit, -R schema).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
"$here/scripts/build.sh"
cd "${BUILD_DIR:-$here/build}"
ctest --output-on-failure --timeout 1500 -j "$(nproc)" "$@"
