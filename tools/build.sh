#!/usr/bin/env bash
# Configures (once) and builds objfs in ./build. Prints the path of the binary.
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=debugoptimized >&2
fi
ninja -C build >&2
echo "$top/build/src/cli/objfs"
