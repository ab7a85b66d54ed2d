#!/usr/bin/env bash
# The test command: installs dependencies, builds, starts a local S3 server and
# runs every test tier (unit, integration, fuse, csi, deploy), then stops the server.
# Usage: tools/test-all.sh [SUITE...]   (default: all suites)
set -uo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"

"$top/tools/install-deps.sh" || { echo "dependency installation failed" >&2; exit 1; }
"$top/tools/build.sh" >/dev/null || { echo "build failed" >&2; exit 1; }

eval "$("$top/tools/s3server/s3server.sh" start)" || { echo "could not start the local S3 server" >&2; exit 1; }
cleanup() {
  # A failed test must never leave a mount behind.
  grep -E ' fuse\.objfs | fuse\.s3fs | fuse\.rclone ' /proc/mounts | awk '{print $2}' | while read -r m; do
    fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  "$top/tools/s3server/s3server.sh" stop || true
}
trap cleanup EXIT

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit integration fuse csi deploy)
args=()
for s in "${suites[@]}"; do args+=(--suite "$s"); done

meson test -C build --print-errorlogs --timeout-multiplier 3 "${args[@]}"
rc=$?

# One closing line that any reader understands.
python3 - "$top/build/meson-logs/testlog.json" <<'PY' || true
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r == "OK" or r == "EXPECTEDFAIL": passed += 1
    elif r == "SKIP": skipped += 1
    else: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
