#!/usr/bin/env bash
# The main job, end to end on one machine: install, build, start a local S3
# server, create a bucket, mount it with objfs, write files through the mount,
# read them back (through the mount and through S3 after a remount), unmount.
# Leaves nothing running. Usage: tools/quickstart.sh
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"

"$top/tools/install-deps.sh"
objfs="$("$top/tools/build.sh")"

eval "$("$top/tools/s3server/s3server.sh" start)"
mnt="$(mktemp -d /tmp/objfs-quickstart.XXXXXX)"
work="$(mktemp -d /tmp/objfs-quickstart-src.XXXXXX)"
cleanup() {
  if grep -q " $mnt " /proc/mounts; then "$objfs" umount "$mnt" 2>/dev/null || fusermount3 -u -z "$mnt" || true; fi
  rmdir "$mnt" 2>/dev/null || true
  rm -rf "$work"
  "$top/tools/s3server/s3server.sh" stop || true
}
trap cleanup EXIT

bucket=quickstart
empty_sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H "x-amz-content-sha256: $empty_sha" -X PUT "$OBJFS_TEST_ENDPOINT/$bucket" -o /dev/null
echo "created bucket $bucket on $OBJFS_TEST_ENDPOINT"

"$objfs" mount --endpoint "$OBJFS_TEST_ENDPOINT" --path-style "$bucket" "$mnt"
echo "mounted $bucket at $mnt"

# Files written through the mount: a small text file, a 64 MiB file, a tree.
echo "hello from objfs" > "$mnt/hello.txt"
head -c $((64 << 20)) /dev/urandom > "$work/big.bin"
cp "$work/big.bin" "$mnt/big.bin"
mkdir -p "$mnt/docs/notes"
cp "$top/README.md" "$mnt/docs/notes/README.md"
ls -l "$mnt" "$mnt/docs/notes"

# Read back after a remount, so the bytes come from S3, not from a cache.
"$objfs" umount "$mnt"
"$objfs" mount --endpoint "$OBJFS_TEST_ENDPOINT" --path-style "$bucket" "$mnt"
cmp "$work/big.bin" "$mnt/big.bin"
cmp "$top/README.md" "$mnt/docs/notes/README.md"
[ "$(cat "$mnt/hello.txt")" = "hello from objfs" ]
echo "read back: hello.txt, big.bin (64 MiB), docs/notes/README.md match"
"$objfs" umount "$mnt"
echo "quickstart OK"
