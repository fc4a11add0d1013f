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
source "$HERE/../lib/daemon-and-mcp.sh"
cd "$HERE"
rc=0
node dashboard.mjs --url "http://127.0.0.1:$PORT/" --cli "$BIN" --screenshot "$OUT/dashboard.png" || rc=1
cp "$MCP_LOG" "$OUT/mcp-serve.log" 2>/dev/null || true
exit $rc
