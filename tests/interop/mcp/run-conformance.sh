#!/usr/bin/env bash
# The official MCP conformance suite against `ipfs-kit mcp serve --http` with the test-only
# fixtures: starts the server on a free loopback port with a temporary IPFS_KIT_PATH, runs
# `conformance server --url ... --expected-failures expected-failures.yml`, stops the server.
#   usage: bash tests/interop/mcp/run-conformance.sh PATH/TO/ipfs-kit [--suite all]
#   (CTest: interop.mcp_conformance). Needs `npm ci` in this folder (scripts/setup.sh).
# Exit 0 iff the failures are exactly those listed in expected-failures.yml (none).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:?usage: run-conformance.sh PATH/TO/ipfs-kit [conformance args...]}
shift
SUITE=$HERE/node_modules/@modelcontextprotocol/conformance/dist/index.js
if [ ! -f "$SUITE" ]; then
  echo "run-conformance: $SUITE missing: run 'npm ci' in $HERE (scripts/setup.sh does)" >&2
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipfs-kit-mcp-conformance.XXXXXX")
SERVER_PID=
cleanup () {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
IPFS_KIT_PATH=$WORK/repo "$BIN" mcp serve --http "127.0.0.1:$PORT" --conformance-fixtures \
  > "$WORK/server.out" 2> "$WORK/server.err" &
SERVER_PID=$!

# Ready when the server prints its URL (hang guard: 30 s).
for _ in $(seq 300); do
  grep -q "mcp: http://" "$WORK/server.err" 2>/dev/null && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "run-conformance: the server exited:" >&2; cat "$WORK/server.err" >&2; exit 1
  fi
  sleep 0.1
done
URL="http://127.0.0.1:$PORT/mcp"
echo "run-conformance: server at $URL"

node "$SUITE" server --url "$URL" --expected-failures "$HERE/expected-failures.yml" \
  -o "$WORK/results" "$@" > "$WORK/conformance.log" 2>&1
rc=$?
# The per-scenario summary, the totals and the baseline verdict.
sed -n '/=== SUMMARY ===/,$p' "$WORK/conformance.log"
if [ $rc -ne 0 ]; then
  echo "--- failing checks:"
  grep -h -B2 -A3 '"status": "\(FAILURE\|WARNING\)"' "$WORK"/results/*/checks.json 2>/dev/null | head -80
  echo "--- server stderr (last 20 lines):"
  tail -20 "$WORK/server.err"
fi
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "run-conformance: the server died during the run" >&2
  rc=1
fi
exit $rc
