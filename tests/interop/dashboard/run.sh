#!/usr/bin/env bash
# CTest interop.dashboard: a new repository with the daemon (the embedded `local` backend
# plus a second local backend), `ipfs-kit mcp serve --http` on a free port, then
# dashboard.mjs in headless Chromium. Stops what it started.
#   run.sh /abs/path/to/ipfs-kit OUTPUT_DIR
set -euo pipefail
BIN=$(realpath "$1")
OUT=${2:-$(mktemp -d)}
mkdir -p "$OUT"
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/ipfs-kit-dashboard.XXXXXX)
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
"$BIN" mcp serve --http "127.0.0.1:$PORT" 2>"$OUT/mcp-serve.log" &
MCP_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break
  sleep 0.1
done
cd "$HERE"
node dashboard.mjs --url "http://127.0.0.1:$PORT/" --cli "$BIN" --screenshot "$OUT/dashboard.png"
