#!/usr/bin/env bash
# The main job on the embedded default: a new repository, the management daemon on it (one
# `local` backend, SQLite state, routing index), the MCP server with the dashboard, REST API
# and trustless gateway beside it, a sample directory added and pinned through them; both
# keep running until Ctrl-C.
#   IPFS_KIT_PATH   repository to use (default: a new one under /tmp)
#   IPFS_KIT_API    daemon API address (default 127.0.0.1:8887)
#   IPFS_KIT_MCP    MCP/dashboard address (default 127.0.0.1:8888)
#   RUN_ONCE=1      check the URLs answer, stop both and exit (used by tests)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IPFS_KIT_BIN:-build/bin/ipfs-kit}
if [ ! -x "$BIN" ]; then echo "run: building ipfs-kit first"; bash scripts/build.sh; fi
BIN=$(realpath "$BIN")
export IPFS_KIT_PATH=${IPFS_KIT_PATH:-$(mktemp -d /tmp/ipfs-kit-run.XXXXXX)/repo}
API=${IPFS_KIT_API:-127.0.0.1:8887}
MCP=${IPFS_KIT_MCP:-127.0.0.1:8888}
run () { printf '\n$ ipfs-kit %s\n' "$*"; "$BIN" "$@"; }

echo "== repository: IPFS_KIT_PATH=$IPFS_KIT_PATH"
run daemon start --api "$API"
MCP_PID=""
stop_all () {
  [ -n "$MCP_PID" ] && kill "$MCP_PID" 2>/dev/null && wait "$MCP_PID" 2>/dev/null
  "$BIN" daemon stop >/dev/null 2>&1 || true
}
trap stop_all EXIT
URL=$(cat "$IPFS_KIT_PATH/api")
printf '\n$ ipfs-kit mcp serve --http %s &\n' "$MCP"
"$BIN" mcp serve --http "$MCP" &
MCP_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://$MCP/api/health" >/dev/null && break
  sleep 0.1
done

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
printf '\n$ curl http://%s/ipfs/%s/hello.txt\n' "$MCP" "$ROOT"
curl -sf "http://$MCP/ipfs/$ROOT/hello.txt"
rm -rf "$WORK"

cat <<INFO

== ipfs-kit is running
   dashboard        http://$MCP/
   MCP (HTTP)       http://$MCP/mcp     (stdio: ipfs-kit mcp serve --stdio)
   REST API         http://$MCP/api/health, /api/overview, /api/vfs/status, ...
   gateway          http://$MCP/ipfs/$ROOT
   management API   $URL            (GET $URL/health, $URL/backends/health, $URL/metrics)
   pinning service  $URL/pins       (bearer token in $IPFS_KIT_PATH/api.token)
   repository       $IPFS_KIT_PATH
INFO
if [ "${RUN_ONCE:-0}" = 1 ]; then
  curl -sf "http://$MCP/" | grep -q '<title>ipfs-kit dashboard</title>'
  curl -sf "http://$MCP/api/overview" | grep -q '"available":true'
  echo "run: dashboard, REST and gateway answered"
  exit 0
fi
echo "   Ctrl-C stops them."
trap 'stop_all; exit 0' INT TERM
tail -n 0 -F "$IPFS_KIT_PATH/logs/daemon.log" &
wait
