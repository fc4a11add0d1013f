#!/usr/bin/env bash
# Start an offline js-ipfs 0.66.1 daemon (Kubo-compatible RPC API) on 127.0.0.1:API_PORT, with
# its read-only gateway on 127.0.0.1:GW_PORT, in a freshly initialised repo; wait until
# `POST /api/v0/id` answers; print ONE line of shell-sourceable variables and exit 0, leaving
# the daemon running:
#
#   JSIPFS_PID=... JSIPFS_API=http://127.0.0.1:API_PORT JSIPFS_GATEWAY=http://127.0.0.1:GW_PORT
#   JSIPFS_REPO=... JSIPFS_DIR=...
#
#   usage: start.sh API_PORT GW_PORT [REPO_DIR]
#   eval "$(bash tests/interop/jsipfs/start.sh 5002 9091)"
#   curl -X POST "$JSIPFS_API/api/v0/id"
#   bash tests/interop/services/stop-services.sh $JSIPFS_PID $JSIPFS_DIR
#
# The repo is $JSIPFS_DIR/repo (a new temp dir under $TMPDIR) unless REPO_DIR is given; a given
# REPO_DIR must be absent, empty, or a repo this script made earlier: it is wiped and
# re-initialised every time (a repo left by a killed daemon stays locked otherwise).
# JSIPFS_DIR also holds daemon.log.
#
# The config is edited for a daemon that talks to nobody: Addresses.Swarm [] (with these
# dependency versions @libp2p/tcp accepts no listen address and the daemon would hang before
# the API starts), Bootstrap [], MDNS and webRTCStar off, Delegates [] (no delegated routing
# over the internet), no gRPC listener (Addresses.RPC, fixed port 5003, would collide between
# two daemons), preload off.
# Environment: JSIPFS_START_TIMEOUT (seconds, default 120); SERVICES_OWNER_PID: if set, a
# watchdog stops the daemon (and removes JSIPFS_DIR) once that process is gone.
# On failure: exit 1 with the reason (and the end of daemon.log) on stderr, nothing left running.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STOP=$HERE/../services/stop-services.sh

die () { echo "jsipfs/start: $*" >&2; exit 1; }
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: start.sh API_PORT GW_PORT [REPO_DIR]" >&2; exit 2; }
API_PORT=$1; GW_PORT=$2; REPO_ARG=${3:-}
for p in "$API_PORT" "$GW_PORT"; do
  [[ $p =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "bad port: $p (1..65535)"
done
[ "$API_PORT" != "$GW_PORT" ] || die "API_PORT and GW_PORT must differ"
TIMEOUT=${JSIPFS_START_TIMEOUT:-120}
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "JSIPFS_START_TIMEOUT must be a number of seconds"

command -v node >/dev/null || die "node not found: run scripts/setup.sh"
command -v curl >/dev/null || die "curl not found: run scripts/setup.sh"
[ -f "$HERE/node_modules/ipfs/package.json" ] && [ -e "$HERE/node_modules/.bin/jsipfs" ] ||
  die "$HERE/node_modules/ipfs is missing: run scripts/setup.sh (npm ci in tests/interop/jsipfs)"

if [ -n "$REPO_ARG" ]; then
  case $REPO_ARG in /*) ;; *) REPO_ARG=$PWD/$REPO_ARG ;; esac
  if [ -e "$REPO_ARG" ]; then
    [ -d "$REPO_ARG" ] || die "REPO_DIR $REPO_ARG exists and is not a directory"
    if [ -n "$(ls -A "$REPO_ARG")" ] && [ ! -f "$REPO_ARG/.ipfs-kit-jsipfs-repo" ]; then
      die "REPO_DIR $REPO_ARG is not empty and was not made by this script: refusing to wipe it"
    fi
  fi
fi

if [ -n "${SERVICES_OWNER_PID:-}" ]; then
  [[ $SERVICES_OWNER_PID =~ ^[0-9]+$ ]] && kill -0 "$SERVICES_OWNER_PID" 2>/dev/null ||
    die "SERVICES_OWNER_PID=$SERVICES_OWNER_PID is not a running process"
fi
owner_alive () { [ -z "${SERVICES_OWNER_PID:-}" ] || kill -0 "$SERVICES_OWNER_PID" 2>/dev/null; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/ipfs-kit-jsipfs.XXXXXX")
touch "$DIR/.ipfs-kit-services"   # lets stop-services.sh remove this dir
REPO=${REPO_ARG:-$DIR/repo}
LOG=$DIR/daemon.log
PID=; started=0
cleanup () {
  [ "$started" = 1 ] && return
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PID" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM   # so that cleanup runs
show_log () { [ -s "$LOG" ] && { echo "---- daemon.log (last lines)" >&2; tail -n 30 "$LOG" >&2; }; return 0; }

export IPFS_PATH=$REPO
# Node 20 lacks Promise.withResolvers, which newer transitive dependencies call.
export NODE_OPTIONS="--require \"$HERE/polyfill.cjs\" ${NODE_OPTIONS:-}"
JSIPFS=$HERE/node_modules/.bin/jsipfs

rm -rf "$REPO"
node "$JSIPFS" init --profile test >"$DIR/init.log" 2>&1 || { cat "$DIR/init.log" >&2; die "jsipfs init failed"; }
touch "$REPO/.ipfs-kit-jsipfs-repo"
node - "$REPO/config" "$API_PORT" "$GW_PORT" <<'JS' || die "could not edit $REPO/config"
const fs = require('fs')
const [file, api, gw] = process.argv.slice(2)
const c = JSON.parse(fs.readFileSync(file, 'utf8'))
c.Addresses = c.Addresses || {}
c.Addresses.Swarm = []
c.Addresses.Announce = []
c.Addresses.NoAnnounce = []
c.Addresses.API = `/ip4/127.0.0.1/tcp/${api}`
c.Addresses.Gateway = `/ip4/127.0.0.1/tcp/${gw}`
c.Addresses.Delegates = []
delete c.Addresses.RPC
c.Bootstrap = []
c.Discovery = c.Discovery || {}
c.Discovery.MDNS = { ...(c.Discovery.MDNS || {}), Enabled: false }
c.Discovery.webRTCStar = { ...(c.Discovery.webRTCStar || {}), Enabled: false }
fs.writeFileSync(file, JSON.stringify(c, null, 2))
JS

# In the background with every fd redirected, so that a caller reading our stdout through
# $(...) or popen() sees EOF as soon as this script exits.
node "$JSIPFS" daemon --enable-preload=false </dev/null >"$LOG" 2>&1 &
PID=$!

deadline=$((SECONDS + TIMEOUT)); code=000
while :; do
  kill -0 "$PID" 2>/dev/null || { show_log; die "the daemon exited (port $API_PORT or $GW_PORT in use?)"; }
  owner_alive || die "SERVICES_OWNER_PID=$SERVICES_OWNER_PID exited while starting: stopping"
  if grep -q 'Daemon is ready' "$LOG"; then
    # The listeners must be ours (not some other server already on the port).
    grep -q "HTTP API listening on /ip4/127.0.0.1/tcp/$API_PORT/" "$LOG" || { show_log; die "the API is not on port $API_PORT"; }
    grep -q "Gateway (read only) listening on /ip4/127.0.0.1/tcp/$GW_PORT/" "$LOG" || { show_log; die "the gateway is not on port $GW_PORT"; }
    code=$(curl -s -o "$DIR/id.json" -w '%{http_code}' --max-time 10 -X POST "http://127.0.0.1:$API_PORT/api/v0/id" || true)
    [ "$code" = 200 ] && grep -q '"ID"' "$DIR/id.json" && break
  fi
  [ $SECONDS -lt $deadline ] || { show_log; die "not ready after ${TIMEOUT}s (last POST /api/v0/id: HTTP $code)"; }
  sleep 0.3
done
rm -f "$DIR/id.json"

if [ -n "${SERVICES_OWNER_PID:-}" ]; then
  ( trap '' HUP INT
    while kill -0 "$PID" 2>/dev/null; do
      kill -0 "$SERVICES_OWNER_PID" 2>/dev/null || exec bash "$STOP" "$PID" "$DIR"
      sleep 1
    done
  ) </dev/null >/dev/null 2>&1 &
fi

started=1
printf 'JSIPFS_PID=%q JSIPFS_API=%q JSIPFS_GATEWAY=%q JSIPFS_REPO=%q JSIPFS_DIR=%q\n' \
  "$PID" "http://127.0.0.1:$API_PORT" "http://127.0.0.1:$GW_PORT" "$REPO" "$DIR"
