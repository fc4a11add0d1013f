#!/usr/bin/env bash
# CTest interop.mcp_e2e: every tool of `ipfs-kit mcp serve` through the official SDK client,
# over Streamable HTTP and over stdio, against a running daemon with two real backends (the
# embedded `local` one and a second local store, `archive`). Stops what it started.
#   run-e2e.sh /abs/path/to/ipfs-kit
set -euo pipefail
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/ipfs-kit-mcp-e2e.XXXXXX)
export IPFS_KIT_PATH=$WORK/repo
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MCP_PID=""
cleanup() {
  [ -n "$MCP_PID" ] && kill "$MCP_PID" 2>/dev/null && wait "$MCP_PID" 2>/dev/null
  "$BIN" daemon stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" daemon start --api "127.0.0.1:$(free_port)"
"$BIN" backend add archive local -p "path=$WORK/archive" --tag archive >/dev/null
PORT=$(free_port)
"$BIN" mcp serve --http "127.0.0.1:$PORT" 2>"$WORK/mcp-serve.log" &
MCP_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break
  sleep 0.1
done
cd "$HERE"
rc=0
node e2e-tools.mjs --http "http://127.0.0.1:$PORT/mcp" --backends local,archive || rc=1
node e2e-tools.mjs --stdio "$BIN mcp serve --stdio" --backends local,archive || rc=1
[ $rc -eq 0 ] || { echo "--- mcp serve log"; tail -n 50 "$WORK/mcp-serve.log"; }
exit $rc
