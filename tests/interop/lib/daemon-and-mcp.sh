# Sourced by interop tests that need a running daemon with two real backends and
# `ipfs-kit mcp serve --http` beside it, on a new repository; cleans up on exit.
#   BIN=/abs/ipfs-kit; source daemon-and-mcp.sh
# Sets IPFS_KIT_PATH, WORK (a temp folder removed at exit), PORT (the MCP server's) and
# MCP_LOG. Backends: the embedded `local` one and `archive` (a second local store).
WORK=$(mktemp -d /tmp/ipfs-kit-interop.XXXXXX)
export IPFS_KIT_PATH=$WORK/repo
MCP_LOG=$WORK/mcp-serve.log
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MCP_PID=""
cleanup_daemon_and_mcp() {
  [ -n "$MCP_PID" ] && kill "$MCP_PID" 2>/dev/null && wait "$MCP_PID" 2>/dev/null
  "$BIN" daemon stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup_daemon_and_mcp EXIT

"$BIN" daemon start --api "127.0.0.1:$(free_port)"
"$BIN" backend add archive local -p "path=$WORK/archive" --tag archive >/dev/null
PORT=$(free_port)
"$BIN" mcp serve --http "127.0.0.1:$PORT" 2>"$MCP_LOG" &
MCP_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break
  sleep 0.1
done
