#!/usr/bin/env bash
# Trustless gateway benchmark (issue 5), every figure beside a reference measured in the same
# run on the same machine (DESIGN §10):
#
#   1. Raw-block requests/s (GET /ipfs/{cid}?format=raw) with wrk (wrk on core 0, the server on
#      core 1) against nginx serving the same blocks as static files on the same core, for
#      1 KiB and 256 KiB blocks, best of ROUNDS alternating runs. The gateway reads the
#      repository's local store with hash_on_read off (Kubo's default; the client verifies);
#      one more run per size with hash_on_read on.
#   2. CAR streaming MB/s: GET /ipfs/{cid}?format=car of a CAR_MB MiB file (CIDv1, 256 KiB raw
#      leaves) read by curl on core 0, the server on core 1, against `openssl speed -evp sha256`
#      on one core (the cost of verifying every block).
#
# usage: bench/gateway_bench.sh [BUILD_DIR]
#   Environment: DUR (wrk seconds, 10), CONNS (64), ROUNDS (2), CAR_MB (256), BLOCKS (64 per
#   size), GATEWAY_THREADS (server threads, 1), IPFS_KIT_BIN (default BUILD_DIR/bin/ipfs-kit).
# Needs ipfs-kit (its `mcp serve --http` serves the gateway) in BUILD_DIR/bin, wrk, nginx,
# curl, openssl, taskset, python3. Prints markdown tables.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
DUR=${DUR:-10}
CONNS=${CONNS:-64}
ROUNDS=${ROUNDS:-2}
CAR_MB=${CAR_MB:-256}
BLOCKS=${BLOCKS:-64}
GATEWAY_THREADS=${GATEWAY_THREADS:-1}
K=${IPFS_KIT_BIN:-$BUILD/bin/ipfs-kit}
[ -x "$K" ] || { echo "no $K; build first" >&2; exit 1; }
for x in wrk nginx curl openssl taskset python3; do
  command -v "$x" > /dev/null || [ -x "/usr/sbin/$x" ] || { echo "$x not found" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
W=$(mktemp -d /tmp/ipfs-kit-gateway-bench.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$p" 2> /dev/null || true
  done
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

calc() { awk "BEGIN{printf \"%.6f\", ($*)}"; }
f0() { awk "BEGIN{printf \"%.0f\", ($*)}"; }
f2() { awk "BEGIN{printf \"%.2f\", ($*)}"; }
yes_no() { if [ "$(calc "$1")" != 0.000000 ]; then echo yes; else echo no; fi; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_http() {  # url seconds
  local end=$((SECONDS + $2))
  until curl -s -o /dev/null "$1"; do
    [ $SECONDS -lt $end ] || { echo "no answer from $1 after $2 s" >&2; return 1; }
    sleep 0.1
  done
}
stop_pid() {
  kill -TERM "$1" 2> /dev/null || return 0
  for _ in $(seq 100); do kill -0 "$1" 2> /dev/null || break; sleep 0.1; done
  kill -9 "$1" 2> /dev/null || true
  wait "$1" 2> /dev/null || true
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
run_wrk() {  # out url
  taskset -c 0 wrk -t1 -c"$CONNS" -d"${DUR}s" "$2" > "$1.txt" 2>&1 || { cat "$1.txt" >&2; return 1; }
}
wrk_rps() { awk '/^Requests\/sec:/{print $2}' "$1.txt"; }
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/{print $NF; f=1} END{if(!f) print 0}' "$1.txt"; }

# ------------------------------------------------------------------ content
REPO="$W/repo"
export IPFS_KIT_PATH="$REPO"
"$K" init > /dev/null 2>&1 || true
WWW="$W/www"
mkdir -p "$WWW/ipfs" "$W/blocks"
# nginx started by root runs its worker as nobody: the files must be world-readable.
chmod 755 "$W" "$WWW" "$WWW/ipfs"
declare -A FIRST
for size in 1024 262144; do
  for i in $(seq "$BLOCKS"); do
    f="$W/blocks/$size-$i"
    head -c "$size" /dev/urandom > "$f"
    cid=$("$K" block put "$f" | tail -1)
    install -m 644 "$f" "$WWW/ipfs/$cid"
    [ -n "${FIRST[$size]:-}" ] || FIRST[$size]=$cid
  done
done

# ------------------------------------------------------------------ servers
NG="$W/nginx"
mkdir -p "$NG"
NPORT=$(free_port)
cat > "$NG/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $NG/body; proxy_temp_path $NG/proxy; fastcgi_temp_path $NG/fastcgi;
  uwsgi_temp_path $NG/uwsgi; scgi_temp_path $NG/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    root $WWW;
    location /ipfs/ { default_type application/vnd.ipld.raw; }
  }
}
EOF
taskset -c 1 "$NGINX" -p "$NG/" -c "$NG/nginx.conf" -e "$NG/error.log" > "$NG/out" 2>&1 &
NGPID=$!
PIDS+=("$NGPID")
start_gateway() {  # extra args...: sets GPID, GPORT
  GPORT=$(free_port)
  IPFS_KIT_PATH="$REPO" taskset -c 1 "$K" mcp serve --http "127.0.0.1:$GPORT" \
    --threads "$GATEWAY_THREADS" "$@" > "$W/gateway.out" 2>&1 &
  GPID=$!
  PIDS+=("$GPID")
  wait_http "http://127.0.0.1:$GPORT/ipfs/bafkqaaa" 30
}
start_gateway
wait_http "http://127.0.0.1:$NPORT/ipfs/${FIRST[1024]}" 30
NGW=$(cat "/proc/$NGPID/task/$NGPID/children" 2> /dev/null | awk '{print $1}')
[ -n "$NGW" ] || NGW=$NGPID

# Same bytes from both.
for size in 1024 262144; do
  cid=${FIRST[$size]}
  cmp <(curl -s "http://127.0.0.1:$NPORT/ipfs/$cid?format=raw") \
    <(curl -s "http://127.0.0.1:$GPORT/ipfs/$cid?format=raw") ||
    { echo "nginx and the gateway disagree on $cid" >&2; exit 1; }
done

# ------------------------------------------------------------------ 1. raw blocks
declare -A NG_BEST NG_CPU GW_BEST GW_CPU NG_ALL GW_ALL GW_NON HASHED HASHED_CPU
for size in 1024 262144; do
  cid=${FIRST[$size]}
  NG_BEST[$size]=0; GW_BEST[$size]=0; NG_ALL[$size]=""; GW_ALL[$size]=""
  for r in $(seq "$ROUNDS"); do
    c0=$(cpu_ticks "$NGW")
    run_wrk "$W/wrk-ng-$size-$r" "http://127.0.0.1:$NPORT/ipfs/$cid?format=raw"
    c1=$(cpu_ticks "$NGW")
    v=$(wrk_rps "$W/wrk-ng-$size-$r"); NG_ALL[$size]="${NG_ALL[$size]} $(f0 "$v")"
    if [ "$(calc "$v > ${NG_BEST[$size]}")" != 0.000000 ]; then
      NG_BEST[$size]=$v; NG_CPU[$size]=$(calc "($c1 - $c0) / $HZ / $DUR")
    fi
    c0=$(cpu_ticks "$GPID")
    run_wrk "$W/wrk-gw-$size-$r" "http://127.0.0.1:$GPORT/ipfs/$cid?format=raw"
    c1=$(cpu_ticks "$GPID")
    v=$(wrk_rps "$W/wrk-gw-$size-$r"); GW_ALL[$size]="${GW_ALL[$size]} $(f0 "$v")"
    if [ "$(calc "$v > ${GW_BEST[$size]}")" != 0.000000 ]; then
      GW_BEST[$size]=$v; GW_CPU[$size]=$(calc "($c1 - $c0) / $HZ / $DUR")
    fi
  done
  GW_NON[$size]=$(wrk_non2xx "$W/wrk-gw-$size-$ROUNDS")
done
stop_pid "$GPID"
start_gateway --hash-on-read
for size in 1024 262144; do
  c0=$(cpu_ticks "$GPID")
  run_wrk "$W/wrk-gwh-$size" "http://127.0.0.1:$GPORT/ipfs/${FIRST[$size]}?format=raw"
  HASHED_CPU[$size]=$(calc "($(cpu_ticks "$GPID") - $c0) / $HZ / $DUR")
  HASHED[$size]=$(wrk_rps "$W/wrk-gwh-$size")
done
stop_pid "$GPID"
stop_pid "$NGPID"

echo "### Raw blocks: requests/s (wrk -t1 -c$CONNS -d${DUR}s on core 0, server on core 1; best of $ROUNDS alternating runs)"
echo
echo "| block | server | requests/s | × nginx | runs | server CPU (of core 1) | requests per CPU-second | × nginx per CPU-second | MB/s | target | met? |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for size in 1024 262144; do
  label=$([ "$size" = 1024 ] && echo "1 KiB" || echo "256 KiB")
  ng_eff=$(calc "${NG_BEST[$size]} / ${NG_CPU[$size]}")
  echo "| $label | nginx static file (sendfile, 1 worker) | $(f0 "${NG_BEST[$size]}") | 1.00× | ${NG_ALL[$size]} | $(f0 "${NG_CPU[$size]} * 100") % | $(f0 "$ng_eff") | 1.00× | $(f0 "${NG_BEST[$size]} * $size / 1e6") | | |"
  echo "| $label | ipfs-kit gateway, hash_on_read off | $(f0 "${GW_BEST[$size]}") | $(f2 "${GW_BEST[$size]} / ${NG_BEST[$size]}")× | ${GW_ALL[$size]} | $(f0 "${GW_CPU[$size]} * 100") % | $(f0 "${GW_BEST[$size]} / ${GW_CPU[$size]}") | $(f2 "${GW_BEST[$size]} / ${GW_CPU[$size]} / $ng_eff")× | $(f0 "${GW_BEST[$size]} * $size / 1e6") | ≥ 1.0× | $(yes_no "${GW_BEST[$size]} / ${NG_BEST[$size]} >= 1.0") |"
  echo "| $label | ipfs-kit gateway, hash_on_read on | $(f0 "${HASHED[$size]}") | $(f2 "${HASHED[$size]} / ${NG_BEST[$size]}")× | 1 | $(f0 "${HASHED_CPU[$size]} * 100") % | $(f0 "${HASHED[$size]} / ${HASHED_CPU[$size]}") | $(f2 "${HASHED[$size]} / ${HASHED_CPU[$size]} / $ng_eff")× | $(f0 "${HASHED[$size]} * $size / 1e6") | | |"
done
echo
echo "Gateway non-2xx answers (last runs): 1 KiB ${GW_NON[1024]}, 256 KiB ${GW_NON[262144]}. Server threads: $GATEWAY_THREADS. Server CPU is the server process's user + system time over the run (for nginx: its one worker); below 100 % the server waited for requests, i.e. wrk on core 0 (or other processes on the shared cores) set the pace."
echo

# ------------------------------------------------------------------ 2. CAR streaming
head -c $((CAR_MB << 20)) /dev/urandom > "$W/car-input"
CAR_CID=$("$K" add -Q --cid-version 1 "$W/car-input")
rm -f "$W/car-input"
car_run() {  # label extra-args...: prints a table row
  local label=$1
  shift
  start_gateway "$@"
  local best=0 out bytes secs mbs
  for _ in 1 2; do
    out=$(taskset -c 0 curl -s -o /dev/null -w '%{size_download} %{time_total}' \
      "http://127.0.0.1:$GPORT/ipfs/$CAR_CID?format=car")
    bytes=${out% *}; secs=${out#* }
    mbs=$(calc "$bytes / $secs / 1e6")
    if [ "$(calc "$mbs > $best")" != 0.000000 ]; then best=$mbs; fi
  done
  stop_pid "$GPID"
  echo "| $label | $(f0 "$bytes / 1e6") | $(f0 "$best") | $(f2 "$best / $SHA_MBS")× |"
}
SHA_MBS=$(taskset -c 1 openssl speed -evp sha256 -bytes 262144 -seconds 3 2> /dev/null |
  awk '/^sha256/{v=$NF; sub(/k$/, "", v); printf "%.1f", v * 1000 / 1e6}')
echo "### CAR streaming (GET ?format=car of a $CAR_MB MiB file, CIDv1, 256 KiB raw leaves; curl on core 0, server on core 1; best of 2)"
echo
echo "| what | MB sent | MB/s | × SHA-256 limit |"
echo "| --- | --- | --- | --- |"
echo "| \`openssl speed -evp sha256 -bytes 262144\` (one core) | | $(f0 "$SHA_MBS") | 1.00× |"
car_run "gateway, hash_on_read off (local blocks not re-hashed)"
car_run "gateway, hash_on_read on (every block re-hashed)" --hash-on-read
echo
