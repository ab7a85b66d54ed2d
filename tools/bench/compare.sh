#!/usr/bin/env bash
# Runs `objfs bench --compare` against a fresh local s3rver and keeps the results.
#
#   tools/bench/compare.sh BUILD_DIR OUT_DIR [extra objfs bench flags...]
#
# Starts s3rver (tools/s3server/s3server.sh), runs objfs, s3fs, rclone and the
# curl baselines on every workload, writes OUT_DIR/bench.{txt,json,svg,png}
# (png when rsvg-convert is installed), and stops the server again. Needs root
# for mounting without fusermount helpers and for dropping the page cache.
# Extra flags go to objfs bench, e.g. --scale 0.25 or --latency-ms 5.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:?usage: compare.sh BUILD_DIR OUT_DIR [flags...]}"
out="${2:?usage: compare.sh BUILD_DIR OUT_DIR [flags...]}"
shift 2
build="$(cd "$build" && pwd)"
mkdir -p "$out"

objfs="$build/src/cli/objfs"
proxy="$build/tools/latency_proxy/objfs-latency-proxy"
[ -x "$objfs" ] || { echo "no $objfs: build it first (ninja -C $build src/cli/objfs)" >&2; exit 1; }

systems="objfs,s3fs,rclone,curl"
command -v s3fs >/dev/null || { echo "s3fs missing (apt-get install -y s3fs)" >&2; exit 1; }
command -v rclone >/dev/null || { echo "rclone missing (apt-get install -y rclone)" >&2; exit 1; }

eval "$("$root/tools/s3server/s3server.sh" start)"
trap '"$root/tools/s3server/s3server.sh" stop >/dev/null 2>&1 || true' EXIT

set +e
# --keep: the server and its data directory go away at the end anyway, so
# deleting every benchmark object one by one first would only cost time.
"$objfs" bench --compare "$systems" --endpoint "$OBJFS_TEST_ENDPOINT" --bucket objfs-bench \
  --keep --proxy-binary "$proxy" --json "$out/bench.json" --svg "$out/bench.svg" "$@" | tee "$out/bench.txt"
status=${PIPESTATUS[0]}
set -e
if command -v rsvg-convert >/dev/null && [ -f "$out/bench.svg" ]; then
  rsvg-convert -o "$out/bench.png" "$out/bench.svg"
fi
exit "$status"
