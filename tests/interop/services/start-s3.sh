#!/usr/bin/env bash
# Start s3rver on 127.0.0.1:PORT and the SigV4 gate (s3-gate.mjs) on 127.0.0.1:GATE_PORT
# (default PORT+1) in front of it, wait until a signed request through the gate succeeds, print
# ONE line of shell-sourceable variables on stdout, and exit 0 leaving both running:
#
#   S3_ENDPOINT=http://127.0.0.1:GATE_PORT S3_UPSTREAM=http://127.0.0.1:PORT S3_BUCKET=...
#   S3_ACCESS_KEY=... S3_SECRET_KEY=... S3_REGION=... S3RVER_PID=... S3_GATE_PID=... S3_DIR=...
#
# Use it:  eval "$(bash tests/interop/services/start-s3.sh 4568 4569)"
#          ... talk to $S3_ENDPOINT (always the gate; S3_UPSTREAM skips the signature check) ...
#          bash tests/interop/services/stop-services.sh $S3_GATE_PID $S3RVER_PID $S3_DIR
#
# Environment (all optional):
#   S3_BUCKET            bucket created at start-up (ipfs-kit-test)
#   S3_ACCESS_KEY        access key the gate accepts (S3RVER)
#   S3_SECRET_KEY        its secret (S3RVER)
#   S3_REGION            region the credential scope must name (us-east-1)
#   S3_REQUIRE_AUTH      1: unsigned requests get 403 AccessDenied (default); 0: passed through
#   S3_START_TIMEOUT     seconds to wait for both servers (30)
#   SERVICES_OWNER_PID   if set, a watchdog stops both servers (and removes S3_DIR) once that
#                        process is gone: a crashed test then leaves nothing running
# S3_DIR (a new temp dir under $TMPDIR) holds s3rver's data and the logs s3rver.log, gate.log.
# On failure: exit 1 with the reason (and the logs) on stderr, nothing left running.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die () { echo "start-s3: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: start-s3.sh PORT [GATE_PORT]" >&2; exit 2; }
PORT=$1; GATE_PORT=${2:-$((PORT + 1))}
for p in "$PORT" "$GATE_PORT"; do
  [[ $p =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "bad port: $p (1..65535)"
done
[ "$PORT" != "$GATE_PORT" ] || die "PORT and GATE_PORT must differ"

BUCKET=${S3_BUCKET:-ipfs-kit-test}
KEY=${S3_ACCESS_KEY:-S3RVER}
SECRET=${S3_SECRET_KEY:-S3RVER}
REGION=${S3_REGION:-us-east-1}
REQUIRE_AUTH=${S3_REQUIRE_AUTH:-1}
TIMEOUT=${S3_START_TIMEOUT:-30}
[[ $BUCKET =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || die "bad bucket name: $BUCKET (S3 rules: 3-63 of a-z 0-9 . -)"
[[ $KEY =~ ^[A-Za-z0-9._-]+$ ]] || die "S3_ACCESS_KEY must be [A-Za-z0-9._-]+"
[[ $SECRET =~ ^[A-Za-z0-9._/+=-]+$ ]] || die "S3_SECRET_KEY must be [A-Za-z0-9._/+=-]+"
[[ $REGION =~ ^[a-z0-9-]+$ ]] || die "bad S3_REGION: $REGION"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "S3_START_TIMEOUT must be a number of seconds"

command -v node >/dev/null || die "node not found: run scripts/setup.sh"
command -v curl >/dev/null || die "curl not found: run scripts/setup.sh"
for m in s3rver @smithy/signature-v4 @smithy/hash-node; do
  [ -f "$HERE/node_modules/$m/package.json" ] ||
    die "$HERE/node_modules/$m is missing: run scripts/setup.sh (npm ci in tests/interop/services)"
done

if [ -n "${SERVICES_OWNER_PID:-}" ]; then
  [[ $SERVICES_OWNER_PID =~ ^[0-9]+$ ]] && kill -0 "$SERVICES_OWNER_PID" 2>/dev/null ||
    die "SERVICES_OWNER_PID=$SERVICES_OWNER_PID is not a running process"
fi
owner_alive () { [ -z "${SERVICES_OWNER_PID:-}" ] || kill -0 "$SERVICES_OWNER_PID" 2>/dev/null; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/ipfs-kit-s3.XXXXXX")
touch "$DIR/.ipfs-kit-services"   # lets stop-services.sh remove this dir, and only such dirs
mkdir "$DIR/data"
S3RVER_PID=; GATE_PID=; started=0
cleanup () {
  [ "$started" = 1 ] && return
  for p in $GATE_PID $S3RVER_PID; do kill "$p" 2>/dev/null || true; done
  for p in $GATE_PID $S3RVER_PID; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM   # so that cleanup runs
show_logs () {
  for f in "$DIR"/s3rver.log "$DIR"/gate.log; do
    [ -s "$f" ] && { echo "---- $(basename "$f") (last lines)" >&2; tail -n 20 "$f" >&2; }
  done
  return 0
}

# Both in the background with every fd redirected, so that a caller reading our stdout through
# $(...) or popen() sees EOF as soon as this script exits.
# --openssl-legacy-provider: s3rver makes listing continuation tokens with DES, which Node 20's
# OpenSSL 3 only has in the legacy provider (without it a listing past one page is an HTTP 500).
node --openssl-legacy-provider "$HERE/node_modules/s3rver/bin/s3rver.js" -d "$DIR/data" -a 127.0.0.1 -p "$PORT" \
  --no-vhost-buckets --configure-bucket "$BUCKET" </dev/null >"$DIR/s3rver.log" 2>&1 &
S3RVER_PID=$!
gate_args=(--port "$GATE_PORT" --upstream "http://127.0.0.1:$PORT" --key "$KEY" --secret "$SECRET"
           --region "$REGION")
[ "$REQUIRE_AUTH" = 1 ] && gate_args+=(--require-auth)
node "$HERE/s3-gate.mjs" "${gate_args[@]}" </dev/null >"$DIR/gate.log" 2>&1 &
GATE_PID=$!

# Ready = each process logged that it listens (so a foreign server already on the port is not
# mistaken for ours) and a signed HEAD of the bucket through the gate answers 200.
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
deadline=$((SECONDS + TIMEOUT)); code=000
while :; do
  kill -0 "$S3RVER_PID" 2>/dev/null || { show_logs; die "s3rver exited (port $PORT in use?)"; }
  kill -0 "$GATE_PID" 2>/dev/null || { show_logs; die "s3-gate exited (port $GATE_PORT in use?)"; }
  owner_alive || die "SERVICES_OWNER_PID=$SERVICES_OWNER_PID exited while starting: stopping"
  if grep -q 'S3rver listening' "$DIR/s3rver.log" && grep -q '^s3-gate listening' "$DIR/gate.log"; then
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -I \
      --aws-sigv4 "aws:amz:$REGION:s3" --user "$KEY:$SECRET" -H "x-amz-content-sha256: $EMPTY_SHA256" \
      "http://127.0.0.1:$GATE_PORT/$BUCKET" || true)
    [ "$code" = 200 ] && break
  fi
  [ $SECONDS -lt $deadline ] || { show_logs; die "not ready after ${TIMEOUT}s (last signed HEAD /$BUCKET: HTTP $code)"; }
  sleep 0.2
done

if [ -n "${SERVICES_OWNER_PID:-}" ]; then
  ( trap '' HUP INT
    while kill -0 "$S3RVER_PID" 2>/dev/null || kill -0 "$GATE_PID" 2>/dev/null; do
      kill -0 "$SERVICES_OWNER_PID" 2>/dev/null ||
        exec bash "$HERE/stop-services.sh" "$GATE_PID" "$S3RVER_PID" "$DIR"
      sleep 1
    done
  ) </dev/null >/dev/null 2>&1 &
fi

started=1
printf 'S3_ENDPOINT=%q S3_UPSTREAM=%q S3_BUCKET=%q S3_ACCESS_KEY=%q S3_SECRET_KEY=%q S3_REGION=%q S3RVER_PID=%q S3_GATE_PID=%q S3_DIR=%q\n' \
  "http://127.0.0.1:$GATE_PORT" "http://127.0.0.1:$PORT" "$BUCKET" "$KEY" "$SECRET" "$REGION" \
  "$S3RVER_PID" "$GATE_PID" "$DIR"
