#!/usr/bin/env bash
# Bad input against a running `ipfs-kit mcp serve --http` (no daemon): every refusal is the
# documented status with a body naming the problem, and the server keeps serving afterwards.
#   - foreign Host / Origin → 403 on /mcp, /api, /ipfs and the dashboard;
#   - malformed JSON-RPC → a JSON-RPC error (-32700 / -32600), unknown method → -32601,
#     unknown tool → -32602;
#   - path escapes in the gateway and in VFS → 400;
#   - a request body over the limit → 413;
#   - management without the daemon → 503 DAEMON_UNAVAILABLE, reads still work.
# usage: bash tests/cli/mcp-bad-input.sh path/to/ipfs-kit
set -u
BIN=$(realpath -m "${1:-build/bin/ipfs-kit}")
T=$(mktemp -d); export IPFS_KIT_PATH="$T/repo"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
pass=0; fail=0
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U="http://127.0.0.1:$PORT"
"$BIN" mcp serve --http "127.0.0.1:$PORT" 2>"$T/serve.log" &
PID=$!
for _ in $(seq 1 100); do curl -sf "$U/api/health" >/dev/null && break; sleep 0.1; done

# expect NAME STATUS CONTAINS -- curl args...
expect() {
  local name=$1 status=$2 contains=$3; shift 4
  local got
  got=$(curl -s -o "$T/body" -w '%{http_code}' --max-time 60 "$@")
  if [ "$got" = "$status" ] && grep -qF -- "$contains" "$T/body"; then
    pass=$((pass+1)); echo "ok   $name ($got)"
  else
    fail=$((fail+1)); echo "FAIL $name: status $got (want $status), body: $(head -c 300 "$T/body")"
  fi
}
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
J=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')

expect "foreign Host on /mcp" 403 "Host" -- "${J[@]}" -H 'Host: evil.example' -d "$INIT" "$U/mcp"
expect "foreign Origin on /mcp" 403 "Origin" -- "${J[@]}" -H 'Origin: http://evil.example' -d "$INIT" "$U/mcp"
expect "foreign Host on /api" 403 "evil.example" -- -H 'Host: evil.example' "$U/api/health"
expect "foreign Origin on /api" 403 "evil.example" -- -H 'Origin: http://evil.example' "$U/api/overview"
expect "foreign Host on the gateway" 403 "evil.example" -- -H 'Host: evil.example' "$U/ipfs/bafkqaaa"
expect "foreign Host on the dashboard" 403 "evil.example" -- -H 'Host: evil.example' "$U/"

# A session for the JSON-RPC checks.
SID=$(curl -s -D - -o /dev/null "${J[@]}" -d "$INIT" "$U/mcp" | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
S=(-H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-11-25')
expect "malformed JSON" 400 '"code":-32700' -- "${J[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":2,' "$U/mcp"
expect "not a JSON-RPC request" 400 '"code":-32600' -- "${J[@]}" "${S[@]}" -d '{"id":3,"method":7}' "$U/mcp"
expect "unknown method" 200 '"code":-32601' -- "${J[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":4,"method":"no/such"}' "$U/mcp"
expect "unknown tool" 200 '"code":-32602' -- "${J[@]}" "${S[@]}" \
  -d '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}' "$U/mcp"
expect "argument below its minimum" 200 'must be at least' -- "${J[@]}" "${S[@]}" \
  -d '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"ipfs_cat","arguments":{"path":"bafkqaaa","offset":-1}}}' "$U/mcp"
expect "argument outside its enum" 200 'must be one of' -- "${J[@]}" "${S[@]}" \
  -d '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"ipfs_cat","arguments":{"path":"bafkqaaa","encoding":"utf-16"}}}' "$U/mcp"
expect "failing tool call is isError" 200 '"isError":true' -- "${J[@]}" "${S[@]}" \
  -d '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"ipfs_cat","arguments":{"path":"nope"}}}' "$U/mcp"
expect "unknown session" 404 "ession" -- "${J[@]}" -H 'Mcp-Session-Id: 00000000000000000000000000000000' \
  -d '{"jsonrpc":"2.0","id":7,"method":"ping"}' "$U/mcp"

expect "gateway: .. in the path" 400 "" -- --path-as-is "$U/ipfs/bafkqaaa/../etc/passwd"
expect "gateway: encoded .. in the path" 400 "" -- --path-as-is "$U/ipfs/bafkqaaa/%2e%2e/x"
expect "gateway: bad CID" 400 "" -- "$U/ipfs/not-a-cid"
"$BIN" vfs bucket create b >/dev/null
expect "vfs: .. escape" 400 "BAD_REQUEST" -- "$U/api/vfs/buckets/b/ls?path=/../.."
expect "vfs: NUL in a path" 400 "BAD_REQUEST" -- -X POST "$U/api/vfs/buckets/b/mkdir?path=/a%00b"
expect "vfs: bad bucket name" 400 "BAD_REQUEST" -- "$U/api/vfs/buckets/..%2Fetc/ls"
expect "REST: bad integer" 400 "offset" -- "$U/api/ipfs/cat/bafkqaaa?offset=-5"

head -c $((33 << 20)) /dev/zero > "$T/big"
expect "huge body on /mcp" 413 "PAYLOAD_TOO_LARGE" -- "${J[@]}" "${S[@]}" --data-binary @"$T/big" "$U/mcp"
expect "huge body on /api/ipfs/add" 413 "PAYLOAD_TOO_LARGE" -- --data-binary @"$T/big" "$U/api/ipfs/add"

expect "management without the daemon" 503 "DAEMON_UNAVAILABLE" -- "$U/api/daemon/status"
echo hello > "$T/f"
CID=$("$BIN" add -Q --cid-version=1 "$T/f")
expect "reads without the daemon (REST)" 200 "hello" -- "$U/api/ipfs/cat/$CID"
expect "reads without the daemon (gateway)" 200 "hello" -- "$U/ipfs/$CID"
expect "still serving after all that" 200 '"status":"ok"' -- "$U/api/health"
kill -0 "$PID" 2>/dev/null && { pass=$((pass+1)); echo "ok   the server is still running"; } || { fail=$((fail+1)); echo "FAIL the server died"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
