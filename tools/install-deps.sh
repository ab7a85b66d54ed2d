#!/usr/bin/env bash
# Installs what objfs needs to build, test and run on Debian 12, from Debian's
# packages and the npm registry (s3rver pinned in tools/s3server/package-lock.json).
# Safe to run again: only missing packages are installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(
  # build
  g++ meson ninja-build pkg-config cmake
  libfuse3-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libcurl4-openssl-dev libssl-dev libpugixml-dev libtbb-dev doctest-dev
  # run and test
  fuse3 curl ca-certificates git rsync sqlite3 tar attr procps util-linux
  # comparison targets for `objfs bench --compare`
  s3fs rclone
)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "installing: ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

(cd "$here/s3server" && npm ci --no-audit --no-fund --loglevel=error >&2)
if [ -f "$here/../tests/deploy/package-lock.json" ]; then
  (cd "$here/../tests/deploy" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
