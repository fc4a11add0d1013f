#!/usr/bin/env bash
# A short demonstration of ipfs-kit on a throw-away repository: init, add a sample
# directory, list it, cat a file by CID/path, export a CAR. Builds first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IPFS_KIT_BIN:-build/bin/ipfs-kit}   # IPFS_KIT_BIN: use another build
if [ ! -x "$BIN" ]; then echo "demo: building ipfs-kit first"; bash scripts/build.sh; fi
BIN=$(realpath "$BIN")

export IPFS_KIT_PATH; IPFS_KIT_PATH=$(mktemp -d)/repo
WORK=$(mktemp -d)
trap 'rm -rf "$(dirname "$IPFS_KIT_PATH")" "$WORK"' EXIT
run () { printf '\n$ ipfs-kit %s\n' "$*"; "$BIN" "$@"; }

echo "== repository: IPFS_KIT_PATH=$IPFS_KIT_PATH"
run init

echo; echo "== sample directory $WORK/sample"
mkdir -p "$WORK/sample/docs" "$WORK/sample/empty"
echo "Hello from ipfs-kit!" > "$WORK/sample/hello.txt"
printf 'Content addressing: the name of data is the hash of its bytes.\n' > "$WORK/sample/docs/readme.txt"
head -c 600000 /dev/zero | tr '\0' 'x' > "$WORK/sample/docs/big.txt"   # > 2 chunks of 256 KiB
find "$WORK/sample" | sed "s|$WORK/||" | sort

run add -r "$WORK/sample"
ROOT=$("$BIN" add -Q -r "$WORK/sample")
echo; echo "== root CID: $ROOT (the same as Kubo's 'ipfs add -r' for this directory)"

run ls "$ROOT"
run cat "$ROOT/docs/readme.txt"
run cid format -v 1 -b base32 "$ROOT"

"$BIN" dag export "$ROOT" > "$WORK/sample.car"
printf '\n$ ipfs-kit dag export %s > sample.car\n%s bytes\n' "$ROOT" "$(stat -c %s "$WORK/sample.car")"

printf '\n$ ipfs-kit get %s -o out\n' "$ROOT"
"$BIN" get "$ROOT" -o "$WORK/out"
if diff -r "$WORK/sample" "$WORK/out" >/dev/null; then echo "out/ is identical to the sample directory"
else echo "demo: get gave a different tree" >&2; exit 1; fi
echo; echo "demo: done"
