#!/usr/bin/env bash
# Daemon benchmark (issue 4), every figure beside a reference measured in the same run on the
# same machine (DESIGN §10):
#
#   1. GET /health requests/s with wrk (wrk on core 0, the server on core 1) against nginx
#      answering `return 200` on the same core with the same wrk settings.
#   2. Durable POST /pins submissions/s (202 = committed with synchronous=FULL): the load client
#      of bench/daemon_bench_tool.cpp, which drains what it sent so the 202s it counts can be
#      compared with the requests stored, and wrk with bench/wrk/pins.lua. Reference: the disk's
#      fdatasync rate (one durable commit per pin would run at that rate).
#   3. Reconcile local -> s3rver (behind the SigV4 gate): files added with `add --pin=false`,
#      their pins POSTed, timed until all are `pinned` with replication 2; reference: curl
#      uploading the same blocks through the same gate, as many at once as the daemon's workers.
#   4. Daemon RSS with 1,000,000 pins in state.db (filled through state::Store::AddPins): peak
#      and current, until the index is published and for SETTLE seconds after.
#   5. GET /routing/{cid} through the daemon (one keep-alive connection) against
#      RouteReader::Lookup in-process, same index, same CIDs.
#
# usage: bench/daemon_bench.sh [BUILD_DIR]
#   Environment: DUR (wrk / load seconds, 10), CONNS (64), ROUNDS (nginx/daemon /health pairs,
#   best of; 2), BIG_PINS (1000000), SETTLE (seconds after the first publish, 30),
#   ROUTE_PINS (1000000), LOOKUPS (20000), SKIP (space-separated parts to skip: health pins s3
#   rss routing), DAEMON_BENCH_RAW=1 (print the raw key/value outputs too).
# Needs ipfs-kit, bench/daemon_bench_tool built in BUILD_DIR (-DIPFS_KIT_BENCH=ON, the default),
# wrk, nginx, curl, jq, taskset, python3, and tests/interop/services/node_modules (s3rver) for
# part 3. Prints a markdown table per part.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
DUR=${DUR:-10}
CONNS=${CONNS:-64}
ROUNDS=${ROUNDS:-2}
BIG_PINS=${BIG_PINS:-1000000}
SETTLE=${SETTLE:-30}
ROUTE_PINS=${ROUTE_PINS:-1000000}
LOOKUPS=${LOOKUPS:-20000}
SKIP=" ${SKIP:-} "
K="$BUILD/bin/ipfs-kit"
T="$BUILD/bench/daemon_bench_tool"
for x in "$K" "$T"; do [ -x "$x" ] || { echo "no $x; build first" >&2; exit 1; }; done
for x in wrk nginx curl jq taskset python3; do
  command -v "$x" > /dev/null || [ -x "/usr/sbin/$x" ] || { echo "$x not found" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
W=$(mktemp -d /tmp/ipfs-kit-daemon-bench.XXXXXX)
PIDS=()        # daemons and nginx started here, stopped on exit
S3_STOP=()     # stop-services.sh arguments once s3rver runs
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$p" 2> /dev/null || true
  done
  [ ${#S3_STOP[@]} -eq 0 ] || bash "$ROOT/tests/interop/services/stop-services.sh" "${S3_STOP[@]}" > /dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

calc() { awk "BEGIN{printf \"%.6f\", ($*)}"; }
f0() { awk "BEGIN{printf \"%.0f\", ($*)}"; }
f1() { awk "BEGIN{printf \"%.1f\", ($*)}"; }
f2() { awk "BEGIN{printf \"%.2f\", ($*)}"; }
get() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
yes_no() { if [ "$(calc "$1")" != 0.000000 ]; then echo yes; else echo no; fi; }
skip() { [[ $SKIP == *" $1 "* ]]; }
now() { date +%s.%N; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_http() {  # url seconds
  local end=$((SECONDS + $2))
  until curl -sf -o /dev/null "$1"; do
    [ $SECONDS -lt $end ] || { echo "no answer from $1 after $2 s" >&2; return 1; }
    sleep 0.1
  done
}
# A repository with config.json = $2 (JSON).
make_repo() {
  mkdir -p "$1"
  IPFS_KIT_PATH="$1" "$K" init > /dev/null 2>&1 || true
  printf '%s\n' "$2" > "$1/config.json"
}
start_daemon() {  # repo port cpus ("" = any): sets DPID
  local repo=$1 port=$2 cpus=$3
  if [ -n "$cpus" ]; then
    IPFS_KIT_PATH="$repo" taskset -c "$cpus" "$K" daemon --api "127.0.0.1:$port" >> "$repo/bench-daemon.out" 2>&1 &
  else
    IPFS_KIT_PATH="$repo" "$K" daemon --api "127.0.0.1:$port" >> "$repo/bench-daemon.out" 2>&1 &
  fi
  DPID=$!
  PIDS+=("$DPID")
  wait_http "http://127.0.0.1:$port/health" 120 || { tail -20 "$repo/bench-daemon.out" >&2; exit 1; }
}
stop_pid() {  # pid [seconds before kill -9]
  kill -TERM "$1" 2> /dev/null || return 0
  for _ in $(seq $((${2:-60} * 10))); do kill -0 "$1" 2> /dev/null || break; sleep 0.1; done
  kill -9 "$1" 2> /dev/null || true
  wait "$1" 2> /dev/null || true
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
stored_pins() {  # port token: pin requests stored, any status
  curl -sf -H "Authorization: Bearer $2" \
    "http://127.0.0.1:$1/pins?status=queued,pinning,pinned,failed&limit=1" | jq .count
}
count_status() {  # port token status
  curl -sf -H "Authorization: Bearer $2" "http://127.0.0.1:$1/pins?status=$3&limit=1" | jq .count
}
run_wrk() {  # out wrk-args...: wrk -t1 -cCONNS -dDUR on core 0
  local out=$1
  shift
  taskset -c 0 wrk -t1 -c"$CONNS" -d"${DUR}s" "$@" > "$out.txt" 2>&1 || { cat "$out.txt" >&2; return 1; }
}
wrk_rps() { awk '/^Requests\/sec:/{print $2}' "$1.txt"; }
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/{print $NF; f=1} END{if(!f) print 0}' "$1.txt"; }
wrk_errors() { awk '/Socket errors:/{sub(/.*Socket errors: /, ""); print; f=1} END{if(!f) print "none"}' "$1.txt"; }
HZ=$(getconf CLK_TCK)

REV=$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no -- src include apps 2> /dev/null | wc -l)
[ "$DIRTY" = 0 ] || REV="$REV + uncommitted changes in $DIRTY files under src/ include/ apps/"
echo "Daemon benchmark: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(date -u +%Y-%m-%d), source $REV."
echo

# ------------------------------------------------------------------ 1. /health vs nginx
if ! skip health; then
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
  client_body_temp_path $NG/body; proxy_temp_path $NG/proxy; fastcgi_temp_path $NG/fastcgi;
  uwsgi_temp_path $NG/uwsgi; scgi_temp_path $NG/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    location = /health { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
EOF
  taskset -c 1 "$NGINX" -p "$NG/" -c "$NG/nginx.conf" -e "$NG/error.log" > "$NG/out" 2>&1 &
  NGPID=$!
  PIDS+=("$NGPID")
  wait_http "http://127.0.0.1:$NPORT/health" 30
  R1="$W/health"
  DPORT=$(free_port)
  make_repo "$R1" '{"api": {"threads": 1}, "backends": [{"name": "local", "type": "local"}]}'
  start_daemon "$R1" "$DPORT" 1
  NGW=$(cat "/proc/$NGPID/task/$NGPID/children" 2> /dev/null | awk '{print $1}')
  [ -n "$NGW" ] || NGW=$NGPID
  NG_BEST=0; D1_BEST=0; NG_ALL=""; D1_ALL=""
  for r in $(seq "$ROUNDS"); do
    c0=$(cpu_ticks "$NGW")
    run_wrk "$W/wrk-nginx-$r" "http://127.0.0.1:$NPORT/health"
    c1=$(cpu_ticks "$NGW")
    v=$(wrk_rps "$W/wrk-nginx-$r"); NG_ALL="$NG_ALL $(f0 "$v")"
    if [ "$(calc "$v > $NG_BEST")" != 0.000000 ]; then NG_BEST=$v; NG_CPU=$(calc "($c1 - $c0) / $HZ / $DUR"); fi
    c0=$(cpu_ticks "$DPID")
    run_wrk "$W/wrk-d1-$r" "http://127.0.0.1:$DPORT/health"
    c1=$(cpu_ticks "$DPID")
    v=$(wrk_rps "$W/wrk-d1-$r"); D1_ALL="$D1_ALL $(f0 "$v")"
    if [ "$(calc "$v > $D1_BEST")" != 0.000000 ]; then D1_BEST=$v; D1_CPU=$(calc "($c1 - $c0) / $HZ / $DUR"); fi
  done
  D1_NON=$(wrk_non2xx "$W/wrk-d1-$ROUNDS"); D1_ERR=$(wrk_errors "$W/wrk-d1-$ROUNDS")
  D1_LAT=$(awk '/^ +Latency/{print $2; exit}' "$W/wrk-d1-$ROUNDS.txt")
  NG_LAT=$(awk '/^ +Latency/{print $2; exit}' "$W/wrk-nginx-$ROUNDS.txt")
  stop_pid "$DPID"
  printf '%s\n' '{"api": {"threads": 2}, "backends": [{"name": "local", "type": "local"}]}' > "$R1/config.json"
  start_daemon "$R1" "$DPORT" 1
  c0=$(cpu_ticks "$DPID")
  run_wrk "$W/wrk-d2" "http://127.0.0.1:$DPORT/health"
  D2_CPU=$(calc "($(cpu_ticks "$DPID") - $c0) / $HZ / $DUR")
  D2=$(wrk_rps "$W/wrk-d2")
  stop_pid "$DPID"
  stop_pid "$NGPID"

  echo "### GET /health: requests/s (wrk -t1 -c$CONNS -d${DUR}s on core 0, server on core 1; best of $ROUNDS alternating runs)"
  echo
  echo "| server | requests/s | × nginx | runs | server CPU (of core 1) | requests per CPU-second | × nginx per CPU-second | wrk latency (avg, last run) | target | met? |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  NG_EFF=$(calc "$NG_BEST / $NG_CPU")
  echo "| nginx \`return 200\` (1 worker) | $(f0 "$NG_BEST") | 1.00× | $NG_ALL | $(f0 "$NG_CPU * 100") % | $(f0 "$NG_EFF") | 1.00× | $NG_LAT | | |"
  echo "| ipfs-kit daemon, api.threads 1 | $(f0 "$D1_BEST") | $(f2 "$D1_BEST / $NG_BEST")× | $D1_ALL | $(f0 "$D1_CPU * 100") % | $(f0 "$D1_BEST / $D1_CPU") | $(f2 "$D1_BEST / $D1_CPU / $NG_EFF")× | $D1_LAT | ≥ 0.7× | $(yes_no "$D1_BEST / $NG_BEST >= 0.7") |"
  echo "| ipfs-kit daemon, api.threads 2 (both on core 1) | $(f0 "$D2") | $(f2 "$D2 / $NG_BEST")× | 1 | $(f0 "$D2_CPU * 100") % | $(f0 "$D2 / $D2_CPU") | $(f2 "$D2 / $D2_CPU / $NG_EFF")× | $(awk '/^ +Latency/{print $2; exit}' "$W/wrk-d2.txt") | | |"
  echo
  echo "Daemon (threads 1, last run): non-2xx answers $D1_NON, socket errors $D1_ERR. Server CPU is the server process's user + system time over the run (for nginx: its one worker); below 100 % the server waited for requests, i.e. wrk on core 0 (or other processes on the shared cores) set the pace."
  echo
fi

# ------------------------------------------------------------------ 2. durable POST /pins
if ! skip pins; then
  # Each run on a fresh repository and daemon (core 1, api.threads 1). Two configurations:
  #  local: only `local`, CIDs whose blocks exist nowhere: reconcile allocates `local` for each
  #         new CID, the copy job finds no source and fails, the CID goes back to `queued`
  #         (retry_base_ms 60 s, so no retry falls inside the measurement);
  #  none:  no backend at all: reconcile can only record "not enough usable backends" (the
  #         API path and the group commit with the least background work).
  CFG_LOCAL='{"api": {"threads": 1}, "replication": {"retry_base_ms": 60000}, "backends": [{"name": "local", "type": "local"}]}'
  CFG_NONE='{"api": {"threads": 1}, "replication": {"retry_base_ms": 60000}, "backends": []}'
  mkdir -p "$W/fsync"
  "$T" fsync --dir "$W/fsync" --seconds 3 > "$W/fsync.txt"
  FSYNC_A=$(get fsyncs_per_s "$W/fsync.txt")
  PIN_ROWS=()
  run=0
  for spec in "local tool" "local wrk" "none tool"; do
    read -r CFG CLIENT <<< "$spec"
    run=$((run + 1))
    R2="$W/pins-$run"
    DPORT=$(free_port)
    if [ "$CFG" = local ]; then make_repo "$R2" "$CFG_LOCAL"; else make_repo "$R2" "$CFG_NONE"; fi
    "$T" cids --n 400000 --seed $((20 + run)) > "$W/cids-$run"
    start_daemon "$R2" "$DPORT" 1
    TOKEN=$(cat "$R2/api.token")
    c0=$(cpu_ticks "$DPID")
    if [ "$CLIENT" = tool ]; then
      taskset -c 0 "$T" post --port "$DPORT" --token "$TOKEN" --cids "$W/cids-$run" --conns "$CONNS" --seconds "$DUR" > "$W/post-$run.txt"
      SECS=$(get post_seconds "$W/post-$run.txt")
      CPU=$(calc "($(cpu_ticks "$DPID") - $c0) / $HZ / $SECS")
      N202=$(get post_202 "$W/post-$run.txt"); SENT=$(get post_sent "$W/post-$run.txt")
      RATE=$(get post_202_per_s "$W/post-$run.txt")
      STORED=$(stored_pins "$DPORT" "$TOKEN")
      if [ "$STORED" = "$N202" ] && [ "$SENT" = "$N202" ]; then
        CHECK="$STORED = the 202s (all $SENT sent got 202)"
      else
        CHECK="MISMATCH: $STORED stored, $N202 × 202, $SENT sent"
      fi
      LAT="$(f2 "$(get post_latency_p50_us "$W/post-$run.txt") / 1000") / $(f2 "$(get post_latency_p99_us "$W/post-$run.txt") / 1000") ms"
      NAME="daemon_bench_tool post (stops sending at ${DUR} s, then waits for every answer)"
    else
      CIDS_FILE="$W/cids-$run" IPFS_KIT_TOKEN="$TOKEN" run_wrk "$W/wrk-pins" -s "$ROOT/bench/wrk/pins.lua" "http://127.0.0.1:$DPORT"
      CPU=$(calc "($(cpu_ticks "$DPID") - $c0) / $HZ / $DUR")
      sleep 2  # requests wrk left in flight are committed (and stored) all the same
      STORED=$(stored_pins "$DPORT" "$TOKEN")
      N202=$(awk '$1 == "wrk_202" {print $2}' "$W/wrk-pins.txt"); NON=$(awk '$1 == "wrk_non202" {print $2}' "$W/wrk-pins.txt")
      RATE=$(calc "$N202 / $DUR")
      CHECK="$STORED = the 202s + $((STORED - N202)) in flight when wrk stopped; $NON other answers"
      LAT="$(awk '/^ +Latency/{print $2; exit}' "$W/wrk-pins.txt") avg"
      NAME="wrk -t1 -c$CONNS -d${DUR}s + bench/wrk/pins.lua"
    fi
    REPL=$(curl -sf "http://127.0.0.1:$DPORT/replication" | jq -r '"\(.totals.jobs_done + .totals.jobs_failed)"')
    stop_pid "$DPID"
    PIN_ROWS+=("| $CFG | $NAME | $(f0 "$RATE") | RATIO:$RATE | $N202 | $CHECK | $LAT | $(f0 "$CPU * 100") % | $REPL | ≥ 2,000/s | $(yes_no "$RATE >= 2000") |")
  done
  "$T" fsync --dir "$W/fsync" --seconds 3 > "$W/fsync2.txt"
  FSYNC_B=$(get fsyncs_per_s "$W/fsync2.txt")
  FSYNC=$(calc "($FSYNC_A + $FSYNC_B) / 2")

  echo "### POST /pins: durable submissions/s (202 after the group commit, synchronous=FULL)"
  echo
  echo "Each run on a fresh repository and daemon: daemon on core 1 (api.threads 1), client on core 0, $CONNS connections, ${DUR} s. Backends \`local\`: only the local store, CIDs whose blocks exist nowhere (each new CID gets a copy job that fails: no source; retried 60 s later). Backends \`none\`: no backend, reconcile only records that none is usable."
  echo
  echo "| backends | client | 202/s | × fdatasync/s | 202s | pin requests stored afterwards | latency p50 / p99 | daemon CPU (core 1) | copy jobs run meanwhile | target | met? |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  echo "| | reference: 4 KiB append + fdatasync, one at a time (\`daemon_bench_tool fsync\`, 3 s before and after the runs; mean) | $(f0 "$FSYNC") ($(f0 "$FSYNC_A"), $(f0 "$FSYNC_B")) | 1.00× | | | | | | | |"
  for row in "${PIN_ROWS[@]}"; do
    r=${row#*RATIO:}; r=${r%% |*}
    echo "${row/RATIO:$r/$(f1 "$r / $FSYNC")×}"
  done
  echo
fi

# ------------------------------------------------------------------ 3. reconcile local -> s3
if ! skip s3; then
  SP=$(free_port); GP=$(free_port)
  S3OUT=$(SERVICES_OWNER_PID=$$ bash "$ROOT/tests/interop/services/start-s3.sh" "$SP" "$GP")
  eval "$S3OUT"
  S3_STOP=("$S3_GATE_PID" "$S3RVER_PID" "$S3_DIR")
  R3="$W/s3"
  DPORT=$(free_port)
  S3_PARAMS=$(jq -nc --arg e "$S3_ENDPOINT" --arg b "$S3_BUCKET" --arg r "$S3_REGION" \
    --arg a "$S3_ACCESS_KEY" --arg s "$S3_SECRET_KEY" \
    '{endpoint: $e, bucket: $b, region: $r, access_key: $a, secret_key: $s, addressing: "path"}')
  make_repo "$R3" "{\"replication\": {\"min\": 2, \"max\": 2}, \"backends\": [{\"name\": \"local\", \"type\": \"local\"}, {\"name\": \"s3\", \"type\": \"s3\", \"params\": $S3_PARAMS}]}"
  start_daemon "$R3" "$DPORT" ""
  TOKEN=$(cat "$R3/api.token")
  CONC=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$DPORT/config" | jq '.replication.concurrency')
  end=$((SECONDS + 60))
  until [ "$(curl -sf "http://127.0.0.1:$DPORT/backends/health" | jq -r '.backends[] | select(.name == "s3") | .state')" = healthy ]; do
    [ $SECONDS -lt $end ] || { echo "s3 backend not healthy after 60 s" >&2; exit 1; }
    sleep 0.2
  done
  s3_requests() { grep -acE ' [0-9]{3} [0-9]+ms ' "$S3_DIR/s3rver.log" || true; }
  S3_ROWS=()
  total=0
  for spec in "500 64" "20 8192"; do
    read -r N KIB <<< "$spec"
    F="$W/files-$N"
    mkdir -p "$F"
    for i in $(seq "$N"); do head -c $((KIB * 1024)) /dev/urandom > "$F/f$i"; done
    find "$R3/blocks" -name '*.data' | sort > "$W/blocks-before"
    IPFS_KIT_PATH="$R3" "$K" add -q --pin=false "$F"/f* > "$W/cids-$N"
    [ "$(wc -l < "$W/cids-$N")" = "$N" ] || { echo "add gave $(wc -l < "$W/cids-$N") CIDs for $N files" >&2; exit 1; }
    find "$R3/blocks" -name '*.data' | sort > "$W/blocks-after"
    comm -13 "$W/blocks-before" "$W/blocks-after" > "$W/blocks-$N"
    NB=$(wc -l < "$W/blocks-$N")
    BLOCK_BYTES=$(xargs -a "$W/blocks-$N" stat -c %s | awk '{s += $1} END {print s}')
    bytes0=$(curl -sf "http://127.0.0.1:$DPORT/metrics" | awk '$1 == "ipfs_kit_replication_bytes_total" {print $2}')
    req0=$(s3_requests)
    total=$((total + N))
    t0=$(now)
    "$T" post --port "$DPORT" --token "$TOKEN" --cids "$W/cids-$N" --conns 16 --once > "$W/post-$N.txt"
    [ "$(get post_202 "$W/post-$N.txt")" = "$N" ] || { echo "POST /pins: $(cat "$W/post-$N.txt")" >&2; exit 1; }
    end=$((SECONDS + 600))
    until [ "$(count_status "$DPORT" "$TOKEN" pinned)" -ge "$total" ]; do
      [ $SECONDS -lt $end ] || { echo "pins not all pinned after 600 s: $(curl -sf "http://127.0.0.1:$DPORT/replication")" >&2; exit 1; }
      sleep 0.1
    done
    t1=$(now)
    SECS=$(calc "$t1 - $t0")
    bytes1=$(curl -sf "http://127.0.0.1:$DPORT/metrics" | awk '$1 == "ipfs_kit_replication_bytes_total" {print $2}')
    COPIED=$(calc "$bytes1 - $bytes0")
    req1=$(s3_requests)
    # Reference: the same blocks PUT through the same gate by curl (SigV4, payload hash), CONC
    # at a time like the daemon's workers, under another prefix.
    : > "$W/curl-$N.cfg"
    sep=""
    while read -r b; do
      h=$(sha256sum "$b" | cut -d' ' -f1)
      printf '%surl = "%s/%s/bench-ref-%s/%s"\nupload-file = "%s"\nheader = "x-amz-content-sha256: %s"\nheader = "Content-Type: application/octet-stream"\naws-sigv4 = "aws:amz:%s:s3"\nuser = "%s:%s"\noutput = "/dev/null"\nsilent\nwrite-out = "%%{http_code}\\n"\n' \
        "$sep" "$S3_ENDPOINT" "$S3_BUCKET" "$N" "$(basename "$b" .data)" "$b" "$h" "$S3_REGION" "$S3_ACCESS_KEY" "$S3_SECRET_KEY" >> "$W/curl-$N.cfg"
      sep="next"$'\n'
    done < "$W/blocks-$N"
    t0=$(now)
    curl --parallel --parallel-max "$CONC" -K "$W/curl-$N.cfg" > "$W/curl-$N.codes" 2> "$W/curl-$N.err" ||
      { echo "curl reference failed: $(tail -3 "$W/curl-$N.err")" >&2; exit 1; }
    t1=$(now)
    CSECS=$(calc "$t1 - $t0")
    req2=$(s3_requests)
    CBAD=$(grep -vc '^200$' "$W/curl-$N.codes" || true)
    [ "$CBAD" = 0 ] || { echo "curl reference: $CBAD uploads not 200: $(sort "$W/curl-$N.codes" | uniq -c)" >&2; exit 1; }
    MBS=$(calc "$BLOCK_BYTES / $SECS / 1e6"); CMBS=$(calc "$BLOCK_BYTES / $CSECS / 1e6")
    S3_ROWS+=("| $N × $KIB KiB ($NB blocks, $(f1 "$BLOCK_BYTES / 1048576") MiB) | $(f2 "$SECS") s | $(f1 "$N / $SECS") | $(f1 "$MBS") | $(f1 "$COPIED / 1048576") MiB | $((req1 - req0)) ($(f1 "($req1 - $req0) / $N") per pin) | $(f2 "$CSECS") s, $(f1 "$CMBS") MB/s, $((req2 - req1)) requests | $(f2 "$MBS / $CMBS")× |")
  done
  REPL3=$(curl -sf "http://127.0.0.1:$DPORT/replication" | jq -c '{cids, jobs_done: .totals.jobs_done, jobs_failed: .totals.jobs_failed}')
  stop_pid "$DPID"
  bash "$ROOT/tests/interop/services/stop-services.sh" "${S3_STOP[@]}" > /dev/null 2>&1 || true
  S3_STOP=()

  echo "### Reconcile local → s3 (s3rver behind the SigV4 gate), replication min = max = 2"
  echo
  echo "Blocks added with \`ipfs-kit add --pin=false\` (default profile), then one POST /pins each (16 connections); timed from the first POST until GET /pins?status=pinned counts them all. Daemon defaults otherwise (replication.concurrency $CONC); no core pinning. Reference: curl PUTs of the same block files through the same gate, SigV4 with the payload's SHA-256, $CONC at a time (\`curl --parallel\`)."
  echo
  echo "| pins | daemon: until all pinned | pins/s | MB/s (block bytes) | bytes copied (metrics) | S3 requests (s3rver log) | curl reference | daemon × curl (MB/s) |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${S3_ROWS[@]}"
  echo
  echo "After both runs: $REPL3."
  echo
fi

# ------------------------------------------------------------------ 4. RSS with 1M pins
if ! skip rss; then
  R4="$W/big"
  DPORT=$(free_port)
  make_repo "$R4" '{"backends": [{"name": "local", "type": "local"}]}'
  "$T" fill --db "$R4/state.db" --pins "$BIG_PINS" --batch 10000 > "$W/fill.txt"
  DB_MIB=$(du -cm "$R4"/state.db* | tail -1 | cut -f1)
  t0=$(now)
  start_daemon "$R4" "$DPORT" ""
  TOKEN=$(cat "$R4/api.token")
  t_up=$(now)
  : > "$W/rss.log"
  gen() { jq -r '.generation // 0' "$R4/index/manifest.json" 2> /dev/null || echo 0; }
  end=$((SECONDS + 900))
  G1_AT=""
  while :; do
    g=$(gen)
    echo "$(calc "$(now) - $t0") $(rss_kib "$DPID" VmRSS) $(rss_kib "$DPID" VmHWM) $g" >> "$W/rss.log"
    if [ "$g" -ge 1 ]; then G1_AT=$(calc "$(now) - $t0"); break; fi
    [ $SECONDS -lt $end ] || { echo "no index published after 900 s" >&2; break; }
    sleep 0.2
  done
  HWM_G1=$(rss_kib "$DPID" VmHWM); RSS_G1=$(rss_kib "$DPID" VmRSS)
  end=$((SECONDS + SETTLE))
  while [ $SECONDS -lt $end ]; do
    echo "$(calc "$(now) - $t0") $(rss_kib "$DPID" VmRSS) $(rss_kib "$DPID" VmHWM) $(gen)" >> "$W/rss.log"
    sleep 0.5
  done
  HWM=$(rss_kib "$DPID" VmHWM); RSS=$(rss_kib "$DPID" VmRSS)
  GEN_END=$(gen)
  METRICS4=$(curl -sf "http://127.0.0.1:$DPORT/replication" | jq -c '{cids, copy_jobs_run: (.totals.jobs_done + .totals.jobs_failed)}')
  T_END=$(calc "$(now) - $t0")
  PINS_FILE_MIB=$(du -m "$R4/index/pins-$GEN_END.parquet" 2> /dev/null | cut -f1 || echo "?")
  # Before the first publish: the peak while only the store, the loops and reconcile ran.
  PRE=$(awk '$4 == 0 {m = $3} END {print m + 0}' "$W/rss.log")
  stop_pid "$DPID" 120

  echo "### Daemon memory with $BIG_PINS pins"
  echo
  echo "state.db filled through \`state::Store::AddPins\` (batches of 10,000; $(f1 "$(get fill_ms "$W/fill.txt") / 1000") s; $DB_MIB MiB with its WAL), config: only \`local\`, default intervals; blocks exist nowhere. Daemon started on it, no core pinning."
  echo
  echo "| measure | value | target | met? |"
  echo "| --- | --- | --- | --- |"
  echo "| first index generation published, after start | $(f1 "$G1_AT") s | | |"
  echo "| peak RSS (VmHWM) until generation 1 appeared (the first publish collecting its rows) | $(f1 "$PRE / 1024") MiB ($(f0 "$PRE * 1024 / 1e6") MB) | | |"
  echo "| peak / current RSS when generation 1 appeared | $(f1 "$HWM_G1 / 1024") / $(f1 "$RSS_G1 / 1024") MiB | < 300 MB | $(yes_no "$HWM_G1 * 1024 < 300e6") |"
  echo "| after $SETTLE s more (generation $GEN_END): peak / current RSS | $(f1 "$HWM / 1024") / $(f1 "$RSS / 1024") MiB ($(f0 "$HWM * 1024 / 1e6") / $(f0 "$RSS * 1024 / 1e6") MB) | < 300 MB | $(yes_no "$HWM * 1024 < 300e6") |"
  echo
  echo "At the end ($(f0 "$T_END") s after start): $METRICS4 — reconcile's first pass over the $BIG_PINS CIDs (every one dirty at start) had run that many copy attempts. RSS samples: \`DAEMON_BENCH_RAW=1\` prints rss.log (seconds since start, VmRSS KiB, VmHWM KiB, index generation)."
  echo
fi

# ------------------------------------------------------------------ 5. routing through the daemon
if ! skip routing; then
  R5="$W/route"
  DPORT=$(free_port)
  # The daemon must not republish over the synthetic index: debounce and period at their maximum.
  make_repo "$R5" '{"api": {"threads": 1}, "intervals": {"index_publish_ms": 86400000, "index_debounce_ms": 86400000}, "backends": [{"name": "local", "type": "local"}]}'
  IPFS_KIT_PATH="$R5" "$K" route generate --pins "$ROUTE_PINS" > /dev/null
  "$T" index-cids --index "$R5/index" --n 100000 > "$W/route-cids"
  start_daemon "$R5" "$DPORT" 1
  RT_RSS0=$(rss_kib "$DPID" VmRSS)
  taskset -c 0 "$T" routes --index "$R5/index" --port "$DPORT" --lookups "$LOOKUPS" > "$W/routes.txt"
  CIDS_FILE="$W/route-cids" run_wrk "$W/wrk-routing" -s "$ROOT/bench/wrk/routing.lua" "http://127.0.0.1:$DPORT"
  RT_RPS=$(wrk_rps "$W/wrk-routing"); RT_NON=$(awk '$1 == "wrk_non200" {print $2}' "$W/wrk-routing.txt")
  RT_RSS=$(rss_kib "$DPID" VmRSS)
  stop_pid "$DPID"
  IN50=$(get inproc_lookup_p50_us "$W/routes.txt"); H50=$(get http_lookup_p50_us "$W/routes.txt")

  echo "### GET /routing/{cid} through the daemon vs RouteReader::Lookup in-process"
  echo
  echo "Index: \`route generate --pins $ROUTE_PINS\` (3 locations per pin, 8 backends); $LOOKUPS random CIDs of it, the same ones in the same order both ways, each after a warm pass; $(get inproc_routes_per_lookup "$W/routes.txt") routes per lookup. Daemon on core 1 (api.threads 1), client on core 0."
  echo
  echo "| measure | p50 | p90 | p99 | × in-process p50 |"
  echo "| --- | --- | --- | --- | --- |"
  echo "| \`RouteReader::Lookup\` in-process | $(f2 "$IN50") µs | $(f2 "$(get inproc_lookup_p90_us "$W/routes.txt")") µs | $(f2 "$(get inproc_lookup_p99_us "$W/routes.txt")") µs | 1× |"
  echo "| GET /routing/{cid}, one keep-alive connection | $(f2 "$H50") µs | $(f2 "$(get http_lookup_p90_us "$W/routes.txt")") µs | $(f2 "$(get http_lookup_p99_us "$W/routes.txt")") µs | $(f0 "$H50 / $IN50")× |"
  HH50=$(get http_health_p50_us "$W/routes.txt")
  echo "| GET /health on the same connection (HTTP round-trip floor) | $(f2 "$HH50") µs | $(f2 "$(get http_health_p90_us "$W/routes.txt")") µs | $(f2 "$(get http_health_p99_us "$W/routes.txt")") µs | $(f0 "$HH50 / $IN50")× |"
  echo
  echo "GET /routing/{cid} sequentially: $(f0 "$(get http_lookups_per_s "$W/routes.txt")") lookups/s; with wrk -t1 -c$CONNS (100,000 CIDs cycled): $(f0 "$RT_RPS") requests/s ($RT_NON non-200); daemon RSS $(f1 "$RT_RSS0 / 1024") MiB before the lookups, $(f1 "$RT_RSS / 1024") MiB after (GET /routing keeps every row group it decoded)."
  echo
fi

echo "Reproduce: \`cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build ipfs-kit daemon_bench_tool && bash bench/daemon_bench.sh build\`"
if [ -n "${DAEMON_BENCH_RAW:-}" ]; then
  for f in "$W"/*.txt "$W"/rss.log; do [ -f "$f" ] && { echo; echo "== $(basename "$f")"; cat "$f"; }; done
fi
