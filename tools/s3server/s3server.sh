#!/usr/bin/env bash
# Local S3 server (s3rver, pinned in package.json) for tests and the quickstart.
#
#   eval "$(tools/s3server/s3server.sh start [DATA_DIR])"
#       installs s3rver if needed (npm ci), starts it on a free 127.0.0.1 port with a
#       fresh data directory, waits until it answers, and prints shell exports:
#       OBJFS_TEST_ENDPOINT, OBJFS_S3SERVER_PID, OBJFS_S3SERVER_DIR, AWS_* credentials.
#   tools/s3server/s3server.sh stop
#       stops the server started above (by $OBJFS_S3SERVER_PID) and removes its data dir.
#
# s3rver checks SigV4 signatures against the access key S3RVER / secret S3RVER.
# On Node 20 it needs --openssl-legacy-provider or ListObjectsV2 continuation fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

ensure_installed() {
  if [ ! -x "$here/node_modules/.bin/s3rver" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

start() {
  ensure_installed
  local dir="${1:-}"
  if [ -z "$dir" ]; then dir="$(mktemp -d /tmp/objfs-s3rver.XXXXXX)"; fi
  mkdir -p "$dir/data"
  local port
  port="$(free_port)"
  NODE_OPTIONS=--openssl-legacy-provider setsid "$here/node_modules/.bin/s3rver" \
    -d "$dir/data" -a 127.0.0.1 -p "$port" --silent --no-vhost-buckets \
    >"$dir/s3rver.log" 2>&1 </dev/null &
  local pid=$!
  local endpoint="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "$endpoint/" 2>/dev/null; then
      cat <<OUT
export OBJFS_TEST_ENDPOINT=$endpoint
export OBJFS_S3SERVER_PID=$pid
export OBJFS_S3SERVER_DIR=$dir
export AWS_ACCESS_KEY_ID=S3RVER
export AWS_SECRET_ACCESS_KEY=S3RVER
export AWS_REGION=us-east-1
OUT
      echo "s3rver listening on $endpoint (pid $pid, data $dir)" >&2
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "s3rver exited during startup; log follows:" >&2
      cat "$dir/s3rver.log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "s3rver did not answer on $endpoint within 10 s" >&2
  kill "$pid" 2>/dev/null || true
  return 1
}

stop() {
  local pid="${OBJFS_S3SERVER_PID:-}"
  if [ -z "$pid" ]; then
    echo "OBJFS_S3SERVER_PID is not set: nothing to stop" >&2
    return 1
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  if [ -n "${OBJFS_S3SERVER_DIR:-}" ] && [ -d "$OBJFS_S3SERVER_DIR" ]; then
    rm -rf "$OBJFS_S3SERVER_DIR"
  fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [DATA_DIR] | stop" >&2; exit 2 ;;
esac
