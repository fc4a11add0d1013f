#!/usr/bin/env bash
# Import / retrieval benchmark for issue 2, as ratios against references measured in the same
# run (DESIGN §10): `openssl speed -evp sha256` (single core), `openssl dgst -sha256` on the
# same file, and the JS importer (ipfs-unixfs-importer, tests/interop).
#
# usage: bench/import_bench.sh [BUILD_DIR] [SIZE_MIB] [RUNS]
# Prints a markdown table; docs/benchmarks.md records a run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
SIZE_MIB=${2:-1024}
RUNS=${3:-3}
K="$BUILD/bin/ipfs-kit"
[ -x "$K" ] || { echo "no $K; build first" >&2; exit 1; }
W=$(mktemp -d /tmp/ipfs-kit-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
F="$W/data.bin"
head -c $((SIZE_MIB * 1048576)) /dev/urandom > "$F"
BYTES=$(stat -c %s "$F")
cat "$F" > /dev/null  # warm the page cache: every figure is from memory

calc() { awk "BEGIN{printf \"%.6f\", $*}"; }
# best wall-clock seconds of RUNS runs of a command (stdout discarded)
best() {
  local b=""
  for _ in $(seq "$RUNS"); do
    local s e t
    s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N)
    t=$(calc "$e - $s")
    if [ -z "$b" ] || [ "$(calc "$t < $b")" != 0.000000 ]; then b=$t; fi
  done
  echo "$b"
}
# peak RSS in MiB of one run
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'; }
mbs() { calc "$BYTES / $1 / 1000000" | xargs printf "%.0f"; }

# Single-core SHA-256 limit, 256 KiB blocks (the leaf size), in MB/s.
SPEED=$(openssl speed -evp sha256 -bytes 262144 -seconds 3 2>/dev/null | awk '/^sha256/{print $NF}' | tr -d k)
LIMIT=$(calc "$SPEED / 1000" | xargs printf "%.0f")
T_DGST=$(best openssl dgst -sha256 "$F")

row() {  # name seconds peak
  local mb; mb=$(mbs "$2")
  printf "| %s | %.3f | %s | %.2f× | %.2f× | %s |\n" "$1" "$2" "$mb" \
    "$(calc "$mb / $LIMIT")" "$(calc "$T_DGST / $2")" "$3"
}

echo "File: $SIZE_MIB MiB random, page cache warm; best of $RUNS runs; $(nproc) cores."
echo "openssl speed -evp sha256 (1 core, 256 KiB blocks): $LIMIT MB/s; openssl dgst -sha256 on the file: $(mbs "$T_DGST") MB/s."
echo
echo "| command | seconds | MB/s | × openssl speed | × openssl dgst | peak RSS MiB |"
echo "| --- | --- | --- | --- | --- | --- |"
for prof in unixfs-v0-2015 unixfs-v1-2025; do
  row "add -n --profile $prof (both cores)" "$(best "$K" add -Q -n --profile $prof "$F")" "$(peak "$K" add -Q -n --profile $prof "$F")"
  row "add -n --profile $prof --hash-threads 1" "$(best "$K" add -Q -n --hash-threads 1 --profile $prof "$F")" "$(peak "$K" add -Q -n --hash-threads 1 --profile $prof "$F")"
done
# Write limits of this disk, for the blockstore rows: the same bytes with dd, durable (fsync)
# and not.
dd_sync() { dd if="$F" of="$W/dd.out" bs=1M conv=fsync 2>/dev/null; rm -f "$W/dd.out"; }
dd_plain() { dd if="$F" of="$W/dd.out" bs=1M 2>/dev/null; rm -f "$W/dd.out"; }
row "dd bs=1M conv=fsync (disk write limit)" "$(best dd_sync)" "-"
row "dd bs=1M (page-cache write)" "$(best dd_plain)" "-"
# add into a fresh blockstore each run
add_fresh() { rm -rf "$W/repo"; IPFS_KIT_PATH="$W/repo" "$K" add -Q "$@"; }
row "add (into blockstore, v0-2015)" "$(best add_fresh "$F")" "$(rm -rf "$W/repo"; peak env IPFS_KIT_PATH="$W/repo" "$K" add -Q "$F")"
row "add (into blockstore, v1-2025)" "$(best add_fresh --profile unixfs-v1-2025 "$F")" "$(rm -rf "$W/repo"; peak env IPFS_KIT_PATH="$W/repo" "$K" add -Q --profile unixfs-v1-2025 "$F")"
CID=$(IPFS_KIT_PATH="$W/repo" "$K" add -Q "$F")
row "cat (verified, v0-2015)" "$(best env IPFS_KIT_PATH="$W/repo" "$K" cat "$CID")" "$(peak env IPFS_KIT_PATH="$W/repo" "$K" cat "$CID")"
CID1=$(IPFS_KIT_PATH="$W/repo" "$K" add -Q --profile unixfs-v1-2025 "$F")
row "cat (verified, v1-2025)" "$(best env IPFS_KIT_PATH="$W/repo" "$K" cat "$CID1")" "$(peak env IPFS_KIT_PATH="$W/repo" "$K" cat "$CID1")"

JS="$ROOT/tests/interop/ref-cid.mjs"
if [ -f "$JS" ] && [ -d "$ROOT/tests/interop/node_modules" ]; then
  T_JS0=$(best node "$JS" "$F")
  T_JS1=$(best node "$JS" "$F" --profile unixfs-v1-2025)
  row "JS importer (node), v0-2015" "$T_JS0" "$(peak node "$JS" "$F")"
  row "JS importer (node), v1-2025" "$T_JS1" "$(peak node "$JS" "$F" --profile unixfs-v1-2025)"
  T_K0=$(best "$K" add -Q -n "$F")
  T_K1=$(best "$K" add -Q -n --profile unixfs-v1-2025 "$F")
  echo
  printf "ipfs-kit add -n vs the JS importer: %.1f× (v0-2015), %.1f× (v1-2025)\n" \
    "$(calc "$T_JS0 / $T_K0")" "$(calc "$T_JS1 / $T_K1")"
else
  echo; echo "(JS importer skipped: run npm ci in tests/interop)"
fi
