#!/usr/bin/env bash
# Smoke test of the interop services: s3rver behind the SigV4 gate (start-s3.sh) and the
# js-ipfs node (../jsipfs/start.sh), on free ports. Every check prints what it compared;
# exit 1 if any check fails. Services are stopped on every exit path (trap), and also by
# their owner watchdog if this script is killed outright.
#   usage: bash tests/interop/services/smoke.sh        (CTest: interop.services_smoke)
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JSIPFS_START=$HERE/../jsipfs/start.sh
STOP=$HERE/stop-services.sh

pass=0; fail=0
ok ()  { pass=$((pass + 1)); echo "ok   - $*"; }
bad () { fail=$((fail + 1)); echo "FAIL - $*"; }
# expect DESCRIPTION WANT GOT
expect () { if [ "$2" = "$3" ]; then ok "$1: '$3'"; else bad "$1: want '$2', got '$3'"; fi; }
# expect_in DESCRIPTION NEEDLE HAYSTACK
expect_in () {
  if [[ $3 == *"$2"* ]]; then ok "$1: contains '$2'"; else bad "$1: want '$2' in '${3:0:400}'"; fi
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipfs-kit-smoke.XXXXXX")
to_stop=(); starter=
cleanup () {
  # A start script still running is stopped first: its own trap stops what it started.
  if [ -n "$starter" ]; then kill -TERM "$starter" 2>/dev/null; wait "$starter" 2>/dev/null; fi
  [ ${#to_stop[@]} -gt 0 ] && bash "$STOP" "${to_stop[@]}"
  rm -rf "$WORK"
}
# start OUTFILE SCRIPT ARGS...: run a start script in the background and wait for it, so that
# a signal to this script is handled at once (bash defers traps until a foreground child ends).
start () {
  local outf=$1; shift
  bash "$@" > "$outf" & starter=$!
  wait "$starter"; local rc=$?
  starter=
  return $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A killed smoke test (CTest timeout) still gets its services stopped by the watchdog.
export SERVICES_OWNER_PID=$$

# Free ports: bind :0 four times at once, keep the numbers, release them.
read -r S3_PORT GATE_PORT API_PORT GW_PORT < <(node -e '
  const net = require("net"); const s = []; let n = 0;
  for (let i = 0; i < 4; i++) {
    const x = net.createServer(); s.push(x)
    x.listen(0, "127.0.0.1", () => { if (++n === 4) { console.log(s.map(y => y.address().port).join(" ")); s.forEach(y => y.close()) } })
  }')
[ -n "${GW_PORT:-}" ] || { echo "smoke: could not pick free ports" >&2; exit 1; }
echo "# ports: s3rver $S3_PORT, gate $GATE_PORT, js-ipfs API $API_PORT, gateway $GW_PORT"

EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
sha () { sha256sum "$1" | cut -d' ' -f1; }
head -c 200000 /dev/urandom > "$WORK/object.bin"
printf 'ipfs-kit smoke %s\n' "$(date +%s%N)" > "$WORK/hello.txt"

# ---- S3 through the gate -------------------------------------------------------------------
echo "# s3rver + SigV4 gate"
if start "$WORK/s3.env" "$HERE/start-s3.sh" "$S3_PORT" "$GATE_PORT"; then
  out=$(cat "$WORK/s3.env"); eval "$out"
  to_stop+=("$S3_GATE_PID" "$S3RVER_PID" "$S3_DIR")
  ok "start-s3.sh: $out"
  SIG="aws:amz:$S3_REGION:s3"
  URL=$S3_ENDPOINT/$S3_BUCKET/smoke/object.bin
  s3 () {   # s3 USER:SECRET OUTFILE curl-args...  -> prints the HTTP status
    local user=$1 outf=$2; shift 2
    curl -s --max-time 60 -o "$outf" -w '%{http_code}' --aws-sigv4 "$SIG" --user "$user" "$@" || echo 000
  }
  creds=$S3_ACCESS_KEY:$S3_SECRET_KEY

  code=$(s3 "$creds" "$WORK/put.out" -X PUT --data-binary @"$WORK/object.bin" \
    -H "x-amz-content-sha256: $(sha "$WORK/object.bin")" -H 'Content-Type: application/octet-stream' "$URL")
  expect "signed PUT /$S3_BUCKET/smoke/object.bin (200000 bytes): HTTP status" 200 "$code"

  code=$(s3 "$creds" "$WORK/got.bin" -H "x-amz-content-sha256: $EMPTY_SHA256" "$URL")
  expect "signed GET: HTTP status" 200 "$code"
  expect "signed GET: sha256 of the body equals the PUT's" "$(sha "$WORK/object.bin")" "$(sha "$WORK/got.bin")"

  code=$(s3 "$S3_ACCESS_KEY:wrong-secret" "$WORK/bad.xml" -H "x-amz-content-sha256: $EMPTY_SHA256" "$URL")
  expect "GET signed with a wrong secret: HTTP status" 403 "$code"
  expect_in "GET signed with a wrong secret: error code" '<Code>SignatureDoesNotMatch</Code>' "$(cat "$WORK/bad.xml")"

  code=$(s3 "NOSUCHKEY:$S3_SECRET_KEY" "$WORK/bad.xml" -H "x-amz-content-sha256: $EMPTY_SHA256" "$URL")
  expect "GET with an unknown access key: HTTP status" 403 "$code"
  expect_in "GET with an unknown access key: error code" '<Code>InvalidAccessKeyId</Code>' "$(cat "$WORK/bad.xml")"

  code=$(s3 "$creds" "$WORK/bad.xml" -X PUT --data-binary @"$WORK/hello.txt" \
    -H "x-amz-content-sha256: $(sha "$WORK/object.bin")" "$S3_ENDPOINT/$S3_BUCKET/smoke/hello.txt")
  expect "PUT whose x-amz-content-sha256 is not the body's: HTTP status" 400 "$code"
  expect_in "PUT whose x-amz-content-sha256 is not the body's: error code" '<Code>XAmzContentSHA256Mismatch</Code>' "$(cat "$WORK/bad.xml")"

  code=$(curl -s --max-time 60 -o "$WORK/bad.xml" -w '%{http_code}' "$URL" || echo 000)
  expect "unsigned GET: HTTP status" 403 "$code"
  expect_in "unsigned GET: error code" '<Code>AccessDenied</Code>' "$(cat "$WORK/bad.xml")"

  # Why the gate exists: s3rver alone takes the wrong secret.
  code=$(s3 "$S3_ACCESS_KEY:wrong-secret" "$WORK/direct.bin" -H "x-amz-content-sha256: $EMPTY_SHA256" \
    "$S3_UPSTREAM/$S3_BUCKET/smoke/object.bin")
  expect "wrong secret straight to s3rver (no gate) is accepted: HTTP status" 200 "$code"
else
  bad "start-s3.sh $S3_PORT $GATE_PORT failed (see above); S3 checks skipped"
fi

# ---- js-ipfs ---------------------------------------------------------------------------------
echo "# js-ipfs (Kubo RPC API)"
if start "$WORK/jsipfs.env" "$JSIPFS_START" "$API_PORT" "$GW_PORT"; then
  out=$(cat "$WORK/jsipfs.env"); eval "$out"
  to_stop+=("$JSIPFS_PID" "$JSIPFS_DIR")
  ok "jsipfs/start.sh: $out"
  rpc () {   # rpc OUTFILE PATH?QUERY [curl-args...]  -> prints the HTTP status
    local outf=$1 path=$2; shift 2
    curl -s --max-time 60 -o "$outf" -w '%{http_code}' -X POST "$@" "$JSIPFS_API/api/v0/$path" || echo 000
  }
  json () { node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const v = eval("j" + process.argv[2]); console.log(typeof v === "string" ? v : JSON.stringify(v))' "$@" 2>/dev/null; }

  code=$(rpc "$WORK/id.json" id)
  expect "POST /api/v0/id: HTTP status" 200 "$code"
  expect_in "POST /api/v0/id: AgentVersion" 'js-ipfs/' "$(json "$WORK/id.json" .AgentVersion)"

  code=$(rpc "$WORK/add.json" add -F "file=@$WORK/hello.txt")
  expect "POST /api/v0/add hello.txt: HTTP status" 200 "$code"
  CID=$(json "$WORK/add.json" .Hash)
  expect "POST /api/v0/add: Hash is a CIDv0 (Qm + 44 base58 characters)" "$CID" \
    "$( [[ $CID =~ ^Qm[1-9A-HJ-NP-Za-km-z]{44}$ ]] && echo "$CID" || echo "not a CIDv0: $(head -c 300 "$WORK/add.json")")"
  if command -v ipfs_cid >/dev/null; then
    expect "add: CID equals Debian ipfs_cid's CIDv0" "$(ipfs_cid "$WORK/hello.txt" 2>/dev/null | json /dev/stdin .CIDv0)" "$CID"
  fi

  code=$(rpc "$WORK/cat.out" "cat?arg=$CID")
  expect "POST /api/v0/cat?arg=$CID: HTTP status" 200 "$code"
  expect "cat: sha256 equals the added file's" "$(sha "$WORK/hello.txt")" "$(sha "$WORK/cat.out")"

  code=$(rpc "$WORK/pins.json" "pin/ls?arg=$CID")
  expect "POST /api/v0/pin/ls?arg=$CID: HTTP status" 200 "$code"
  expect "pin/ls: pin type of $CID" recursive "$(json "$WORK/pins.json" ".Keys['$CID'].Type")"

  code=$(curl -s --max-time 60 -o "$WORK/gw.out" -w '%{http_code}' "$JSIPFS_GATEWAY/ipfs/$CID" || echo 000)
  expect "gateway GET /ipfs/$CID: HTTP status" 200 "$code"
  expect "gateway: sha256 equals the added file's" "$(sha "$WORK/hello.txt")" "$(sha "$WORK/gw.out")"
else
  bad "jsipfs/start.sh $API_PORT $GW_PORT failed (see above); js-ipfs checks skipped"
fi

# ---- stop ----------------------------------------------------------------------------------
echo "# stop"
if [ ${#to_stop[@]} -gt 0 ]; then
  pids=(); for a in "${to_stop[@]}"; do [[ $a =~ ^[0-9]+$ ]] && pids+=("$a"); done
  bash "$STOP" "${to_stop[@]}"; expect "stop-services.sh exit status" 0 "$?"
  left=(); for p in "${pids[@]}"; do
    kill -0 "$p" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -c1)" != Z ] && left+=("$p")
  done
  expect "processes still running after stop (of ${pids[*]})" "" "${left[*]}"
  to_stop=()
fi

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
