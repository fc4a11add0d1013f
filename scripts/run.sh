#!/usr/bin/env bash
# The main job on the embedded default: a new repository, the management daemon on it (one
# `local` backend, SQLite state, routing index), a sample directory added and pinned through
# it, then the daemon keeps running until Ctrl-C (or `ipfs-kit daemon stop`).
#   IPFS_KIT_PATH   repository to use (default: a new one under /tmp)
#   IPFS_KIT_API    daemon API address (default 127.0.0.1:8887)
#   RUN_ONCE=1      stop the daemon and exit after the demonstration (used by tests)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IPFS_KIT_BIN:-build/bin/ipfs-kit}
if [ ! -x "$BIN" ]; then echo "run: building ipfs-kit first"; bash scripts/build.sh; fi
BIN=$(realpath "$BIN")
export IPFS_KIT_PATH=${IPFS_KIT_PATH:-$(mktemp -d /tmp/ipfs-kit-run.XXXXXX)/repo}
API=${IPFS_KIT_API:-127.0.0.1:8887}
run () { printf '\n$ ipfs-kit %s\n' "$*"; "$BIN" "$@"; }

echo "== repository: IPFS_KIT_PATH=$IPFS_KIT_PATH"
run daemon start --api "$API"
trap '"$BIN" daemon stop >/dev/null 2>&1 || true' EXIT
URL=$(cat "$IPFS_KIT_PATH/api")

WORK=$(mktemp -d)
mkdir -p "$WORK/sample/docs"
echo "Hello from ipfs-kit!" > "$WORK/sample/hello.txt"
printf 'Content addressing: the name of data is the hash of its bytes.\n' > "$WORK/sample/docs/readme.txt"
printf '\n$ ipfs-kit add -r %s\n' "$WORK/sample"
ADDED=$("$BIN" add -r "$WORK/sample")
echo "$ADDED"
ROOT=$(echo "$ADDED" | tail -n 1 | cut -d' ' -f2)
run pin status "$ROOT" --wait --timeout 60
run backend list
run cat "$ROOT/docs/readme.txt"
sleep 1   # the index is published within intervals.index_debounce_ms of the change
run route lookup "$ROOT" || true
rm -rf "$WORK"

cat <<INFO

== ipfs-kit daemon is running
   management API   $URL            (GET $URL/health, $URL/backends/health, $URL/metrics)
   pinning service  $URL/pins       (bearer token in $IPFS_KIT_PATH/api.token)
   repository       $IPFS_KIT_PATH
   The MCP server and dashboard (ipfs-kit mcp serve) are not built yet (issue 5).
INFO
if [ "${RUN_ONCE:-0}" = 1 ]; then exit 0; fi
echo "   Ctrl-C stops it."
trap '"$BIN" daemon stop; exit 0' INT TERM
tail -n 0 -F "$IPFS_KIT_PATH/logs/daemon.log" &
wait
