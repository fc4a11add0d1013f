#!/usr/bin/env bash
# MCP tool-call latency (issue 5): ipfs_cat p50 over Streamable HTTP with the official SDK
# client, beside the protocol's own round trip (ping), the same call as one raw JSON POST,
# and a gateway GET of the same file, all in the same run against the same server
# (DESIGN §10). The server runs on core 1, the client on core 0.
# usage: bench/mcp_bench.sh [BUILD_DIR]   (N=2000 calls per kind)
# Needs ipfs-kit built in BUILD_DIR and tests/interop/mcp/node_modules (scripts/setup.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
K="$BUILD/bin/ipfs-kit"
N=${N:-2000}
WORK=$(mktemp -d /tmp/ipfs-kit-mcp-bench.XXXXXX)
export IPFS_KIT_PATH=$WORK/repo
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
head -c 1024 /dev/urandom | base64 -w 0 | head -c 1024 > "$WORK/one-kib.txt"
CID=$("$K" add -Q --cid-version=1 --pin=false "$WORK/one-kib.txt")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c 1 "$K" mcp serve --http "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.1; done
OUT=$(taskset -c 0 node "$ROOT/bench/mcp_latency.mjs" "http://127.0.0.1:$PORT/mcp" "$CID" "$N")
echo "$OUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("| call (1 KiB file, %d each) | p50 µs | p90 µs | p99 µs | p50 / ping |" % r["ping"]["n"])
print("| --- | ---: | ---: | ---: | ---: |")
names = {"ipfs_cat": "`ipfs_cat` tools/call, SDK client (SSE answer)", "ping": "`ping`, SDK client (reference: protocol round trip)",
         "raw_post": "`ipfs_cat` tools/call, one JSON POST (fetch)", "gateway": "gateway `GET /ipfs/CID` (fetch)"}
for k in ["ipfs_cat", "ping", "raw_post", "gateway"]:
    s = r[k]
    print("| %s | %d | %d | %d | %.2f× |" % (names[k], s["p50_us"], s["p90_us"], s["p99_us"], s["p50_us"] / r["ping"]["p50_us"]))
'
