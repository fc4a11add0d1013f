#!/usr/bin/env bash
# Bad input must give a clear message on stderr and a non-zero exit, never a crash (signal,
# exit >= 128, sanitizer report), a hang, corrupt output or a half-written result.
# Needs bash, coreutils and node (standard library only, for blocktool.mjs).
# usage: bash tests/cli/bad-input.sh [path/to/ipfs-kit]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-${IPFS_KIT_BIN:-$HERE/../../build/bin/ipfs-kit}}
BIN=$(realpath -m "$BIN")
if [ ! -x "$BIN" ]; then echo "bad-input: ipfs-kit binary not found: $BIN" >&2; echo "0 passed, 1 failed"; exit 1; fi
T=$(mktemp -d); trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export IPFS_KIT_PATH="$T/repo"
BT="node $HERE/blocktool.mjs"
pass=0; fail=0
ok () { pass=$((pass+1)); }
bad () { fail=$((fail+1)); echo "FAIL $*"; }
SAN='AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|terminate called|Segmentation fault|core dumped'
kit () { timeout 120 "$BIN" "$@" >"$T/out" 2>"$T/err" </dev/null; }

# expect NAME WANT_RC CONTAINS -- ARGS...   (WANT_RC: "nz" any non-zero < 124, or an exact code)
expect () {
  local name=$1 want=$2 contains=$3; shift 4
  kit "$@"; local rc=$?
  local why=""
  if [ $rc -eq 124 ]; then why="hung (timeout)"
  elif [ $rc -ge 128 ]; then why="crashed (exit $rc)"
  elif grep -Eq "$SAN" "$T/err"; then why="sanitizer/abort output: $(grep -Em1 "$SAN" "$T/err")"
  elif [ $rc -eq 0 ]; then why="exit 0 (expected failure); stdout: $(head -c 120 "$T/out" | tr '\n' ' ')"
  elif [ "$want" != nz ] && [ $rc -ne "$want" ]; then why="exit $rc, want $want: $(head -c 200 "$T/err" | tr '\n' ' ')"
  elif [ ! -s "$T/err" ]; then why="no message on stderr (exit $rc)"
  elif [ -n "$contains" ] && ! grep -qiF -- "$contains" "$T/err"; then why="stderr does not mention '$contains': $(head -c 200 "$T/err" | tr '\n' ' ')"
  fi
  if [ -z "$why" ]; then ok; else bad "$name: $why"; fi
}
# positive control: the command must succeed (so a failure above is not just "unknown command")
expect_ok () { local name=$1; shift; kit "$@"; local rc=$?; if [ $rc -eq 0 ]; then ok; else bad "$name (control): exit $rc: $(head -c 200 "$T/err" | tr '\n' ' ')"; fi; }

kit init || { echo "init failed: $(cat "$T/err")"; }
V0=QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG
V1=bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq
expect_ok "cid format valid v0" cid format -v 1 -b base32 $V0
expect_ok "cid base32 valid v1" cid base32 $V1
expect_ok "cid format upper-case base32" cid format -v 1 -b base32 "$(printf %s "$V1" | tr a-z A-Z)"

# ---- malformed CIDs, through `cid format`, `cid base32`, `cat` and `block stat`
HEX32=0000000000000000000000000000000000000000000000000000000000000000
while IFS='|' read -r label cid; do
  [ -z "$label" ] && continue
  for cmd in "cid format -v 1 -b base32" "cid base32" "cat" "block stat" "ls"; do
    # shellcheck disable=SC2086
    expect "$cmd <$label>" nz "" -- $cmd "$cid"
  done
done <<EOC
empty string|
only a multibase prefix|b
unknown multibase prefix|xafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq
punctuation prefix|!afybei
v0 one char short|QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd
v0 one char long|QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdGG
v0 invalid base58 char 0|QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPb0G
v0 invalid base58 char l|QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPblG
base32 with invalid char 1|bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhw1
base32 with invalid char 8|bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavh8q
base32 mixed case|bafyBEIEMXF5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq
base32 truncated|bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavh
base58btc invalid char O|zdj7WcOuGJ7tWw1x1e8ReYKN1efu5ysmh2wTe44pWmcTrYvbA
base16 invalid char g|f01701220g000000000000000000000000000000000000000000000000000000000000000
base16 odd length|f0170122000000000000000000000000000000000000000000000000000000000000000000
base36 invalid char|k2jmtxw8rjh1z69c6not8tuh4ceo1r6lcr4hnqgxvy3vwhmomw!
base64url with +|uAXASIA+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
base64url with padding|uAXASIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==
version only|f01
version and codec, no multihash|f0170
truncated codec varint|f0180
truncated multihash length|f017012
digest shorter than declared|f01701220$(printf %.20s $HEX32)
digest longer than declared (trailing bytes)|f01701220${HEX32}00
over-long varint (10 bytes)|fffffffffffffffffffff01701220$HEX32
non-minimal varint version|f8100701220$HEX32
unsupported CID version 2|f02701220$HEX32
CID version 0 inside multibase with codec|f00701220$HEX32
sha2-256 with wrong digest length|f0170121f$(printf %.62s $HEX32)
huge varint codec|f01ffffffffffffffffff011220$HEX32
EOC

# ---- usage errors: exit code 2
expect "no subcommand" 2 "" --
expect "unknown subcommand" 2 "" -- frobnicate
expect "unknown flag" 2 "" -- add --no-such-flag x
expect "cat without argument" 2 "" -- cat
expect "bad --cid-version" nz "" -- add -n --cid-version 7 "$HERE/bad-input.sh"
expect "bad chunker" nz "" -- add -n --chunker rabin-x "$HERE/bad-input.sh"
expect "chunk size 0" nz "" -- add -n --chunker size-0 "$HERE/bad-input.sh"
expect "unknown profile" nz "" -- add -n --profile unixfs-v9 "$HERE/bad-input.sh"
expect "add missing file" nz "no-such-file" -- add "$T/no-such-file"
mkdir -p "$T/adir"; echo x > "$T/adir/x"
expect "add directory without -r" nz "" -- add "$T/adir"

# ---- sample content in the repo
head -c 1100000 /dev/urandom > "$T/file.bin"            # 5 leaves of 256 KiB
kit add -Q "$T/file.bin"; FILE=$(cat "$T/out")
mkdir -p "$T/tree/sub"; echo hello > "$T/tree/sub/a.txt"; echo world > "$T/tree/b.txt"
kit add -Q -r "$T/tree"; TREE=$(cat "$T/out")
if [ -z "$FILE" ] || [ -z "$TREE" ]; then bad "add of sample content failed: $(cat "$T/err")"; fi
expect_ok "cat sample" cat "$FILE"
expect_ok "ls sample" ls "$TREE"
BLOCKS="$IPFS_KIT_PATH/blocks"
[ -d "$BLOCKS" ] && ok || bad "no blocks/ directory in the repository ($IPFS_KIT_PATH)"
ROOTKEY=$($BT keyof "$FILE")
if [ -f "$BLOCKS/${ROOTKEY: -3:2}/$ROOTKEY.data" ]; then ok; else bad "flatfs layout: root block not at blocks/${ROOTKEY: -3:2}/$ROOTKEY.data"; fi

# ---- paths
expect "cat missing path component" nz "" -- cat "$TREE/nope.txt"
expect "cat a directory" nz "" -- cat "$TREE"
expect "cat path below a file" nz "" -- cat "$TREE/b.txt/deeper"
expect "ls a missing path" nz "" -- ls "$TREE/sub/missing"
expect "over-long path (20000 components)" nz "" -- cat "$TREE/$(printf 'a/%.0s' $(seq 20000))x"
expect "over-long name (100000 bytes)" nz "" -- cat "$TREE/$(head -c 100000 /dev/zero | tr '\0' a)"
expect "cat of a CID not in the repo" nz "" -- cat $V0
expect "negative offset" nz "" -- cat --offset -5 "$FILE"

# ---- blocks that are not (valid) dag-pb / UnixFS
head -c 500 /dev/urandom > "$T/garbage"
read -r G_V0 G_V1PB G_RAW G_CBOR < <($BT store "$BLOCKS" "$T/garbage")
expect "cat garbage block as CIDv0 dag-pb" nz "" -- cat "$G_V0"
expect "ls garbage block as dag-pb" nz "" -- ls "$G_V1PB"
expect "get garbage block as dag-pb" nz "" -- get "$G_V0" -o "$T/g-out"
expect "cat a dag-cbor CID" nz "" -- cat "$G_CBOR"
$BT dagpb "$T/nodata" "" ; read -r N_V0 _ < <($BT store "$BLOCKS" "$T/nodata")
expect "cat dag-pb with empty UnixFS Data" nz "" -- cat "$N_V0"
$BT dagpb "$T/badunixfs" "08ff01" ; read -r U_V0 _ < <($BT store "$BLOCKS" "$T/badunixfs")
expect "cat dag-pb with invalid UnixFS type" nz "" -- cat "$U_V0"
$BT dagpb "$T/trunc" "080212" ; read -r TR_V0 _ < <($BT store "$BLOCKS" "$T/trunc")
expect "cat dag-pb with truncated UnixFS Data" nz "" -- cat "$TR_V0"

# ---- CARs: truncated, garbage, corrupted, wrong version
kit dag export "$TREE"; cp "$T/out" "$T/good.car"
expect_ok "dag export sample" dag export "$TREE"
CARSIZE=$(stat -c %s "$T/good.car")
: > "$T/empty.car"; expect "dag import empty file" nz "" -- dag import "$T/empty.car"
head -c 1000 /dev/urandom > "$T/garbage.car"; expect "dag import garbage" nz "" -- dag import "$T/garbage.car"
for cut in 1 5 30 $((CARSIZE / 2)) $((CARSIZE - 1)); do
  head -c "$cut" "$T/good.car" > "$T/cut.car"
  expect "dag import CAR truncated at $cut/$CARSIZE" nz "" -- dag import "$T/cut.car"
done
printf '\x0a\xa1\x67version\x03' > "$T/v3.car"; expect "dag import CAR version 3" nz "" -- dag import "$T/v3.car"
printf '\xff\xff\xff\xff\xff\xff\xff\xff\x7f' > "$T/hugehdr.car"; expect "dag import huge header length" nz "" -- dag import "$T/hugehdr.car"
printf '\x0a\xa1\x67version\x02' > "$T/v2bad.car"; head -c 16 /dev/zero >> "$T/v2bad.car"; printf '\xff\xff\xff\xff\xff\xff\xff\x7f' >> "$T/v2bad.car"; head -c 16 /dev/zero >> "$T/v2bad.car"
expect "dag import CARv2 with data offset past the end" nz "" -- dag import "$T/v2bad.car"
# a block whose bytes do not match its CID: flip the last byte of the CAR (inside the last block)
node -e "const fs=require('fs');const b=fs.readFileSync(process.argv[1]);b[b.length-1]^=1;fs.writeFileSync(process.argv[2],b)" "$T/good.car" "$T/flip.car"
export IPFS_KIT_PATH="$T/repo-import"
expect "dag import CAR with a corrupted block" nz "" -- dag import "$T/flip.car"
kit cat "$TREE/sub/a.txt"; rc=$?   # a.txt is the last block in the CAR: the flipped one
if [ $rc -ne 0 ] && [ $rc -lt 124 ]; then ok; else bad "after a failed import the corrupted block must not be stored (cat exit $rc)"; fi
leftover=$(find "$IPFS_KIT_PATH" -name '*tmp*' 2>/dev/null | head -3)
[ -z "$leftover" ] && ok || bad "temporary files left after a failed import: $leftover"
export IPFS_KIT_PATH="$T/repo"

# ---- missing block: delete one leaf of FILE, then cat / get must fail naming it
kit add -Q "$T/file.bin" >/dev/null
LEAF=""
for f in $(find "$BLOCKS" -name '*.data'); do
  k=$(basename "$f" .data)
  [ "$k" = "$ROOTKEY" ] && continue
  read -r a b c _ < <($BT cids "$k")
  # the leaf must be a child of FILE: block get FILE's root and look for the digest? simpler:
  # a leaf of file.bin is a 262158-byte dag-pb block (256 KiB + UnixFS framing)
  sz=$(stat -c %s "$f"); if [ "$sz" -gt 262144 ] && [ "$sz" -lt 262200 ]; then LEAF=$f; LEAFCIDS="$a $b $c"; break; fi
done
if [ -z "$LEAF" ]; then bad "could not find a leaf block of the sample file in $BLOCKS"
else
  cp "$LEAF" "$T/leaf.bak"; rm -f "$LEAF"
  kit cat "$FILE"; rc=$?
  named=no; for c in $LEAFCIDS; do grep -qF "$c" "$T/err" && named=yes; done
  if [ $rc -ne 0 ] && [ $rc -lt 124 ] && [ $named = yes ]; then ok; else bad "cat with a missing block: exit $rc, names the CID: $named; stderr: $(head -c 200 "$T/err")"; fi
  cmp -s "$T/out" <(head -c "$(stat -c %s "$T/out")" "$T/file.bin") && ok || bad "cat with a missing block wrote bytes that are not the file's"
  kit get "$FILE" -o "$T/get-missing"; rc=$?
  if [ $rc -ne 0 ] && [ $rc -lt 124 ]; then ok; else bad "get with a missing block: exit $rc"; fi
  [ ! -e "$T/get-missing" ] && ok || bad "get with a missing block left a half-written $T/get-missing"
  # ---- corrupted block: same leaf, one byte flipped
  cp "$T/leaf.bak" "$LEAF"
  node -e "const fs=require('fs');const b=fs.readFileSync(process.argv[1]);b[1000]^=0x40;fs.writeFileSync(process.argv[1],b)" "$LEAF"
  kit cat "$FILE"; rc=$?
  named=no; for c in $LEAFCIDS; do grep -qF "$c" "$T/err" && named=yes; done
  if [ $rc -ne 0 ] && [ $rc -lt 124 ] && [ $named = yes ]; then ok; else bad "cat with a corrupted block: exit $rc, names the CID: $named; stderr: $(head -c 200 "$T/err")"; fi
  cmp -s "$T/out" <(head -c "$(stat -c %s "$T/out")" "$T/file.bin") && ok || bad "cat with a corrupted block wrote corrupted bytes"
  read -r lv0 _ <<<"$LEAFCIDS"
  expect "block get of a corrupted block" nz "" -- block get "$lv0"
  kit get "$FILE" -o "$T/get-corrupt"; rc=$?
  if [ $rc -ne 0 ] && [ $rc -lt 124 ]; then ok; else bad "get with a corrupted block: exit $rc"; fi
  [ ! -e "$T/get-corrupt" ] && ok || bad "get with a corrupted block left a half-written $T/get-corrupt"
  cp "$T/leaf.bak" "$LEAF"
fi

# ---- get -o must refuse entries that would escape OUT
kit add -Q "$T/tree/b.txt"; BT_CID=$(cat "$T/out")
mkdir -p "$T/escape/inside"
for name in ".." "../escape.txt" "sub/../../escape2.txt" "$T/escape/abs.txt" "." ; do
  $BT dagpb-dir "$T/evil" "$name=$BT_CID" "ok.txt=$BT_CID"
  read -r E_V0 _ < <($BT store "$BLOCKS" "$T/evil")
  rm -rf "$T/escape/inside/out"
  expect "get refuses entry named '$name'" nz "" -- get "$E_V0" -o "$T/escape/inside/out"
  found=$(find "$T/escape" -name 'escape*.txt' -o -name 'abs.txt' | head -1)
  [ -z "$found" ] && ok || { bad "get wrote outside OUT for entry '$name': $found"; rm -f "$found"; }
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
