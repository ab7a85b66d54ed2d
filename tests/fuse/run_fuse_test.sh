#!/usr/bin/env bash
# Runs one fuse-tier test executable in a fresh scratch root and, whatever
# happens to it (failure, crash, timeout), leaves no mount and no objfs process
# of its own behind: every mount under the root is unmounted lazily and every
# pid the harness recorded in ROOT/pids is killed.
#   run_fuse_test.sh TEST_BINARY [doctest args...]
set -u
root="$(mktemp -d /tmp/objfs-fuse.XXXXXX)"
export OBJFS_FUSE_TEST_ROOT="$root"

cleanup() {
  # Mounts under our root, deepest first.
  awk -v r="$root/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
    fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  # Only pids that still run objfs (a recorded pid may have been reused).
  ours() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -q objfs; }
  if [ -f "$root/pids" ]; then
    while read -r pid; do
      [ -n "$pid" ] && ours "$pid" && kill -TERM "$pid" 2>/dev/null
    done <"$root/pids"
    sleep 0.2
    while read -r pid; do
      [ -n "$pid" ] && ours "$pid" && kill -KILL "$pid" 2>/dev/null
    done <"$root/pids"
  fi
  # Never delete through a mount that is still there.
  if ! awk -v r="$root/" 'index($5, r) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    rm -rf "$root"
  fi
}

"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; cleanup; exit 143' TERM INT
wait "$child"
rc=$?
cleanup
exit $rc
