#!/usr/bin/env bash
# Routing index benchmark, as ratios against DuckDB measured in the same run on the same files
# (DESIGN §10): an index of PINS pins with LOC_PER_PIN locations each over 8 backends is
# written, opened and looked up (bench/route_bench.cpp); a whole `ipfs-kit route lookup`
# process is timed from a fresh start; DuckDB runs the same point lookup on the same locations
# file (bench/duckdb_point.mjs) and re-writes the same rows with ZSTD for the size comparison.
#
# usage: bench/route_bench.sh [BUILD_DIR] [PINS] [LOC_PER_PIN]
#   defaults: build, 1000000, 3. Environment: BACKENDS (8), LOOKUPS (200000 hot lookups),
#   PROC_RUNS (50 whole-process runs), DUCK_RUNS (300 hot DuckDB queries), SEED (1).
# Needs route_bench and ipfs-kit built in BUILD_DIR (-DIPFS_KIT_BENCH=ON, the default) and
# `npm ci` in tests/interop/parquet for the DuckDB rows. Prints a markdown table; the page
# cache is warm for every figure (dropping caches is not possible here), so "cold" means a
# fresh process or a fresh DuckDB instance, not a cold disk.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
PINS=${2:-1000000}
LPP=${3:-3}
BACKENDS=${BACKENDS:-8}
LOOKUPS=${LOOKUPS:-200000}
PROC_RUNS=${PROC_RUNS:-50}
DUCK_RUNS=${DUCK_RUNS:-300}
SEED=${SEED:-1}
BUILD=$(cd "$BUILD" && pwd)
K="$BUILD/bin/ipfs-kit"
RB="$BUILD/bench/route_bench"
DUCK="$ROOT/bench/duckdb_point.mjs"
for x in "$K" "$RB"; do [ -x "$x" ] || { echo "no $x; build first" >&2; exit 1; }; done
W=$(mktemp -d /tmp/ipfs-kit-route-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
export IPFS_KIT_PATH="$W/repo"
"$K" init > /dev/null 2>&1 || true

# (parentheses: a bare > inside awk's printf would be an output redirection)
calc() { awk "BEGIN{printf \"%.6f\", ($*)}"; }
f2() { awk "BEGIN{printf \"%.2f\", ($*)}"; }
f1() { awk "BEGIN{printf \"%.1f\", ($*)}"; }
get() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
# "N× faster" / "N× slower" for ipfs-kit's time $1 against the reference's $2
speed() { if [ "$(calc "$1 <= $2")" != 0.000000 ]; then echo "$(f1 "$2 / $1")× faster"; else echo "$(f1 "$1 / $2")× slower"; fi; }
yes_no() { if [ "$(calc "$1")" != 0.000000 ]; then echo yes; else echo no; fi; }

# 1. Write, open, hot lookups (in-process).
"$RB" --dir "$IPFS_KIT_PATH/index" --pins "$PINS" --locations-per-pin "$LPP" \
  --backends "$BACKENDS" --lookups "$LOOKUPS" --seed "$SEED" > "$W/rb.txt"
R="$W/rb.txt"
CID=$(get sample_cid "$R")
PINS_FILE=$(get pins_file "$R")
LOCS_FILE=$(get locations_file "$R")

# 2. Whole processes, each a fresh start (page cache warm): `route lookup`, and for the
# process floor `ipfs-kit --version` and /bin/true.
time_proc() {  # out_prefix cmd... -> sets ${prefix}_p50 and ${prefix}_min in ms
  local p=$1; shift
  if command -v hyperfine > /dev/null; then
    hyperfine -N --warmup 3 --runs "$PROC_RUNS" --export-json "$W/hf.json" "$(printf '%q ' "$@")" > /dev/null 2>&1
    printf -v "${p}_p50" '%s' "$(jq '.results[0].median * 1000' "$W/hf.json")"
    printf -v "${p}_min" '%s' "$(jq '.results[0].min * 1000' "$W/hf.json")"
  else
    "$RB" --time-process "$PROC_RUNS" --warmup 3 -- "$@" > "$W/tp.txt"
    printf -v "${p}_p50" '%s' "$(get proc_p50_ms "$W/tp.txt")"
    printf -v "${p}_min" '%s' "$(get proc_min_ms "$W/tp.txt")"
  fi
}
"$K" route lookup "$CID" > "$W/lookup.txt"  # must succeed and print the routes
[ -s "$W/lookup.txt" ] || { echo "route lookup printed nothing for $CID" >&2; exit 1; }
time_proc LK "$K" route lookup "$CID"
time_proc LKJ "$K" route lookup "$CID" --json
time_proc VER "$K" --version
time_proc TRUE /bin/true
LK_RSS=$(/usr/bin/time -f %M "$K" route lookup "$CID" 2>&1 > /dev/null | tail -1 | awk '{printf "%.1f", $1/1024}')
TIMER=$(command -v hyperfine > /dev/null && echo "hyperfine -N, median of $PROC_RUNS" || echo "posix_spawn loop (route_bench --time-process), median of $PROC_RUNS")

# 3. DuckDB on the same files.
HAVE_DUCK=0
if [ -d "$ROOT/tests/interop/parquet/node_modules/@duckdb/node-api" ]; then
  HAVE_DUCK=1
  node "$DUCK" "$LOCS_FILE" "$CID" "$DUCK_RUNS" --rewrite "$W" "$PINS_FILE" "$LOCS_FILE" > "$W/duck.txt"
  D="$W/duck.txt"
  D_ROWS=$(get rows "$D")
  # Whole node processes running the one cold query (5 runs: each takes a while).
  "$RB" --time-process 5 --warmup 1 -- node "$DUCK" "$LOCS_FILE" "$CID" --once > "$W/tpn.txt"
  DN_P50=$(get proc_p50_ms "$W/tpn.txt")
fi

# 4. The table.
PINS_B=$(get pins_file_bytes "$R"); LOCS_B=$(get locations_file_bytes "$R")
WRITE_MS=$(get write_ms "$R")
OPEN_MS=$(get open_first_ms "$R"); OPEN_P50=$(get open_p50_ms "$R")
OL_MS=$(get open_and_first_lookup_ms "$R"); OL_P50=$(get open_and_lookup_p50_ms "$R")
L50=$(get lookup_p50_us "$R"); L99=$(get lookup_p99_us "$R"); LMEAN=$(get lookup_mean_us "$R")
G50=$(get getpin_p50_us "$R"); A50=$(get absent_p50_us "$R"); A99=$(get absent_p99_us "$R")
NLOCS=$(calc "$(get routes_per_lookup "$R") * 1" | xargs printf "%.2f")

echo "Routing index: $PINS pins, ~$LPP locations per pin over $BACKENDS backends (locations file $(f1 "$LOCS_B / 1048576") MiB, pins file $(f1 "$PINS_B / 1048576") MiB); $(nproc) cores; page cache warm."
echo "Sample CID: \`$CID\` ($(get sample_routes "$R") routes; DuckDB rows: ${D_ROWS:-n/a}). Hot lookups: $(get lookups "$R") random existing CIDs, $NLOCS routes each on average, $(get lookup_empty "$R") empty."
echo "Whole processes: $TIMER; \`ipfs-kit --version\` $(f2 "$VER_p50") ms and \`/bin/true\` $(f2 "$TRUE_p50") ms are the process floor."
echo
echo "| measure | ipfs-kit | DuckDB (same run, same file) | ipfs-kit vs DuckDB | target | met? |"
echo "| --- | --- | --- | --- | --- | --- |"
if [ "$HAVE_DUCK" = 1 ]; then
  RW_MS=$(calc "$(get rewrite_pins_ms "$D") + $(get rewrite_locations_ms "$D")")
  echo "| write index (GenerateSyntheticIndex: generate, sort, write 3 files, fsync) | $(f2 "$WRITE_MS / 1000") s | $(f2 "$RW_MS / 1000") s (COPY both files to ZSTD Parquet, no fsync) | $(speed "$WRITE_MS" "$RW_MS") | - | - |"
  D_COLD=$(get cold_total_ms "$D")
  echo "| open (RouteReader::Open, first / median of 5) | $(f2 "$OPEN_MS") / $(f2 "$OPEN_P50") ms | | | < 150 ms | $(yes_no "$OPEN_P50 < 150") |"
  echo "| open + first lookup (first / median of 5) | $(f2 "$OL_MS") / $(f2 "$OL_P50") ms | $(f2 "$D_COLD") ms (new instance + first query) | $(speed "$OL_P50" "$D_COLD") | - | - |"
  D_HOT=$(get hot_p50_ms "$D"); D_HOTC=$(get hot_metacache_p50_ms "$D")
  D_BEST=$(awk "BEGIN{print ($D_HOT < $D_HOTC) ? $D_HOT : $D_HOTC}")
  echo "| hot \`Lookup\` p50 (locations + backend join) | $(f2 "$L50") µs | $(f2 "$D_HOT") ms; $(f2 "$D_HOTC") ms with parquet_metadata_cache (prepared statement, median of $DUCK_RUNS) | $(speed "$L50" "$D_BEST * 1000") | < 2 µs | $(yes_no "$L50 < 2") |"
  echo "| hot point query: ipfs-kit \`Lookup\` vs DuckDB (faster of the two) | $(f2 "$L50") µs | $(f2 "$D_BEST * 1000") µs | $(speed "$L50" "$D_BEST * 1000") | ≥ 10× | $(yes_no "$D_BEST * 1000 / $L50 >= 10") |"
  echo "| hot \`Lookup\` p99 / mean | $(f2 "$L99") / $(f2 "$LMEAN") µs | | | - | - |"
  echo "| hot \`GetPin\` p50 | $(f2 "$G50") µs | | | - | - |"
  echo "| absent CID \`Lookup\` p50 / p99 | $(f2 "$A50") / $(f2 "$A99") µs | | | - | - |"
  echo "| \`ipfs-kit route lookup CID\` whole process, fresh start (median / min) | $(f2 "$LK_p50") / $(f2 "$LK_min") ms | | | < 20 ms | $(yes_no "$LK_p50 < 20") |"
  echo "| cold point query: \`route lookup\` process vs a new DuckDB instance + first query (in one node process, node start-up not counted) | $(f2 "$LK_p50") ms | $(f2 "$D_COLD") ms | $(speed "$LK_p50" "$D_COLD") | ≥ 10× | $(yes_no "$D_COLD / $LK_p50 >= 10") |"
  echo "| cold point query: \`route lookup\` process vs a whole \`node duckdb_point.mjs --once\` process (median of 5) | $(f2 "$LK_p50") ms | $(f2 "$DN_P50") ms | $(speed "$LK_p50" "$DN_P50") | ≥ 10× | $(yes_no "$DN_P50 / $LK_p50 >= 10") |"
  echo "| \`route lookup CID --json\` whole process (median) | $(f2 "$LKJ_p50") ms | | | - | - |"
  echo "| \`route lookup\` peak RSS | $LK_RSS MiB | | | - | - |"
  DP=$(get rewrite_pins_out_bytes "$D"); DL=$(get rewrite_locations_out_bytes "$D")
  echo "| pins file | $(f1 "$PINS_B / 1048576") MiB | $(f1 "$DP / 1048576") MiB (DuckDB ZSTD) | $(f2 "$PINS_B / $DP")× the size | ≤ 1.1× | $(yes_no "$PINS_B / $DP <= 1.1") |"
  echo "| locations file | $(f1 "$LOCS_B / 1048576") MiB | $(f1 "$DL / 1048576") MiB (DuckDB ZSTD) | $(f2 "$LOCS_B / $DL")× the size | ≤ 1.1× | $(yes_no "$LOCS_B / $DL <= 1.1") |"
  echo "| pins + locations | $(f1 "($PINS_B + $LOCS_B) / 1048576") MiB | $(f1 "($DP + $DL) / 1048576") MiB | $(f2 "($PINS_B + $LOCS_B) / ($DP + $DL)")× the size | ≤ 1.1× | $(yes_no "($PINS_B + $LOCS_B) / ($DP + $DL) <= 1.1") |"
else
  echo "| write index | $(f2 "$WRITE_MS / 1000") s | (DuckDB skipped: npm ci in tests/interop/parquet) | | | |"
  echo "| open (first / median of 5) | $(f2 "$OPEN_MS") / $(f2 "$OPEN_P50") ms | | | < 150 ms | $(yes_no "$OPEN_P50 < 150") |"
  echo "| hot \`Lookup\` p50 / p99 | $(f2 "$L50") / $(f2 "$L99") µs | | | p50 < 2 µs | $(yes_no "$L50 < 2") |"
  echo "| \`route lookup\` whole process (median / min) | $(f2 "$LK_p50") / $(f2 "$LK_min") ms | | | < 20 ms | $(yes_no "$LK_p50 < 20") |"
fi
echo
echo "Reproduce: \`cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build ipfs-kit route_bench && bash bench/route_bench.sh build $PINS $LPP\`"
if [ -n "${ROUTE_BENCH_RAW:-}" ]; then
  echo; echo "route_bench:"; cat "$R"; [ "$HAVE_DUCK" = 1 ] && { echo "duckdb_point:"; cat "$D"; }
fi
