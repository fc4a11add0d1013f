#!/usr/bin/env bash
# CTest interop.mcp_e2e: every tool of `ipfs-kit mcp serve` through the official SDK client,
# over Streamable HTTP and over stdio, against a running daemon with two real backends (the
# embedded `local` one and a second local store, `archive`). Stops what it started.
#   run-e2e.sh /abs/path/to/ipfs-kit
set -euo pipefail
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lib/daemon-and-mcp.sh"
cd "$HERE"
rc=0
node e2e-tools.mjs --http "http://127.0.0.1:$PORT/mcp" --backends local,archive || rc=1
node e2e-tools.mjs --stdio "$BIN mcp serve --stdio" --backends local,archive || rc=1
[ $rc -eq 0 ] || { echo "--- mcp serve log"; tail -n 50 "$MCP_LOG"; }
exit $rc
