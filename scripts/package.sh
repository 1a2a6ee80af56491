#!/usr/bin/env bash
# Builds the Debian package: a Release build for the /usr prefix (warnings as errors, tests off)
# into build-package/ (or $1), then cpack. Extra args go to cmake. The .deb's path is printed
# as the last line of stdout; everything else goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-package}
shift || true
BUILD_DIR=$build BUILD_TYPE=Release "$here/scripts/build.sh" \
  -DCMAKE_INSTALL_PREFIX=/usr -DSHADOWPROXY_TESTS=OFF "$@" >&2
cd "$build"
rm -f shadowproxy_*.deb
cpack -G DEB >&2
debs=(shadowproxy_*.deb)
[ -f "${debs[0]}" ] || { echo "package.sh: cpack made no shadowproxy_*.deb in $build" >&2; exit 1; }
echo "$build/${debs[0]}"
