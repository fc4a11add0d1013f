#!/usr/bin/env bash
# `ipfs-kit vfs`: a bucket built with vfs commands has the root CID that `add -r` gives for the
# same tree; commits are readable with `cat`; concurrent writer processes lose no append; bad
# input gives a clear message and a non-zero exit, never a crash, a hang or a partial result.
# Needs bash and coreutils.
# usage: bash tests/cli/vfs.sh [path/to/ipfs-kit]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-${IPFS_KIT_BIN:-$HERE/../../build/bin/ipfs-kit}}
BIN=$(realpath -m "$BIN")
if [ ! -x "$BIN" ]; then echo "vfs: ipfs-kit binary not found: $BIN" >&2; echo "0 passed, 1 failed"; exit 1; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export IPFS_KIT_PATH="$T/repo"
pass=0; fail=0
ok () { pass=$((pass+1)); }
bad () { fail=$((fail+1)); echo "FAIL $*"; }
SAN='AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|terminate called|Segmentation fault|core dumped'
kit () { timeout 120 "$BIN" "$@" >"$T/out" 2>"$T/err" </dev/null; }
# check NAME: the last kit call succeeded
check () { local rc=$1 name=$2; if [ "$rc" -eq 0 ]; then ok; else bad "$name: exit $rc: $(head -c 300 "$T/err" | tr '\n' ' ')"; fi; }
# expect NAME CONTAINS -- ARGS...: must fail (exit 1) with CONTAINS on stderr
expect () {
  local name=$1 contains=$2; shift 3
  kit "$@"; local rc=$?
  local why=""
  if [ $rc -eq 124 ]; then why="hung (timeout)"
  elif [ $rc -ge 128 ]; then why="crashed (exit $rc)"
  elif grep -Eq "$SAN" "$T/err"; then why="sanitizer/abort output: $(grep -Em1 "$SAN" "$T/err")"
  elif [ $rc -eq 0 ]; then why="exit 0 (expected failure)"
  elif ! grep -qiF -- "$contains" "$T/err"; then why="stderr does not mention '$contains': $(head -c 200 "$T/err" | tr '\n' ' ')"
  fi
  if [ -z "$why" ]; then ok; else bad "$name: $why"; fi
}

# ---- the same tree, built two ways
TREE=$T/tree
mkdir -p "$TREE/docs/deep" "$TREE/empty"
printf '# readme\n' > "$TREE/readme.md"
: > "$TREE/empty.txt"
head -c 2500000 /dev/urandom > "$TREE/docs/big.bin"
seq 1 5000 > "$TREE/docs/numbers.txt"
printf 'deep\n' > "$TREE/docs/deep/x.txt"
kit add -r -Q --pin=false --profile unixfs-v1-2025 "$TREE"; check $? "add -r"
WANT=$(cat "$T/out")

kit vfs bucket create site; check $? "bucket create"
kit vfs mkdir site /empty; check $? "mkdir"
for f in readme.md empty.txt docs/big.bin docs/numbers.txt docs/deep/x.txt; do
  kit vfs write site "/$f" --from "$TREE/$f" -p; check $? "write /$f"
done
kit vfs stat site /; check $? "stat /"
GOT=$(head -1 "$T/out")
[ "$GOT" = "$WANT" ] && ok || bad "bucket root $GOT != add -r root $WANT"

# stdin, append, read back, and the committed root read with `cat`
printf 'one\n' | timeout 60 "$BIN" vfs write site /log.txt >/dev/null 2>"$T/err"; check $? "write from stdin"
kit vfs write site /log.txt --append --from "$TREE/docs/deep/x.txt"; check $? "append"
kit vfs read site /log.txt; check $? "read"
[ "$(cat "$T/out")" = "$(printf 'one\ndeep')" ] && ok || bad "read after append: $(cat "$T/out")"
kit vfs commit site -m "first commit"; check $? "commit"
ROOT=$(cat "$T/out")
kit cat "$ROOT/docs/numbers.txt"; check $? "cat a committed file"
cmp -s "$T/out" "$TREE/docs/numbers.txt" && ok || bad "cat of the committed file differs"
kit vfs history site; check $? "history"
grep -q "first commit" "$T/out" && grep -q "$ROOT" "$T/out" && ok || bad "history: $(cat "$T/out")"
kit vfs export site -o "$T/site.car"; check $? "export"
[ -s "$T/site.car" ] && ok || bad "export wrote nothing"
kit vfs pin site; check $? "pin (spooled: no daemon)"
grep -qi "spooled" "$T/err" && ok || bad "pin did not say it spooled: $(cat "$T/err")"
ls "$IPFS_KIT_PATH/spool/"*.json >/dev/null 2>&1 && ok || bad "no spool file after vfs pin"

# ---- concurrent writer processes: every append lands
kit vfs bucket create busy; check $? "bucket create busy"
pids=()
for i in $(seq 1 6); do
  ( for j in 1 2 3; do
      printf 'p%s-%s\n' "$i" "$j" | timeout 120 "$BIN" vfs write busy /log --append >/dev/null 2>>"$T/busy.err" || echo "p$i-$j failed" >>"$T/busy.err"
    done ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
kit vfs read busy /log; check $? "read busy log"
n=$(sort -u "$T/out" | grep -c '^p[0-9]-[0-9]$')
[ "$n" -eq 18 ] && ok || bad "concurrent appends: $n of 18 lines present ($(cat "$T/busy.err" 2>/dev/null | head -3 | tr '\n' ' '))"

# ---- bad input
expect "escape with .." "escapes" -- vfs read site /../../etc/passwd
expect "relative path" "not absolute" -- vfs ls site docs
expect "component over 255 bytes" "longer than 255" -- vfs mkdir site "/$(printf 'x%.0s' $(seq 1 300))"
expect "path over 4096 bytes" "longer than 4096" -- vfs stat site "/$(printf 'abcdefgh/%.0s' $(seq 1 500))"
expect "bad bucket name" "bucket name" -- vfs bucket create "Bad Name"
expect "bucket name with slash" "bucket name" -- vfs ls "a/b"
expect "hidden bucket name" "bucket name" -- vfs ls ".vfs"
expect "missing bucket" "no bucket" -- vfs ls nosuch
expect "duplicate bucket" "already exists" -- vfs bucket create site
expect "read a directory" "not a file" -- vfs read site /docs
expect "read missing file" "does not exist" -- vfs read site /nope.txt
expect "write over a directory" "is a directory" -- vfs write site /docs --from "$TREE/readme.md"
expect "write from a directory" "not a regular file" -- vfs write site /x --from "$TREE"
expect "write from a missing file" "no local file" -- vfs write site /x --from "$T/none"
expect "rm a directory without -r" "recursive" -- vfs rm site /docs
expect "rm the root" "root" -- vfs rm site / -r
expect "mv into itself" "into itself" -- vfs mv site /docs /docs/deep
expect "offset past the end" "past the end" -- vfs write site /readme.md --offset 999 --from "$TREE/readme.md"
expect "append and offset" "together" -- vfs write site /readme.md --append --offset 0 --from "$TREE/readme.md"
expect "export over an existing file" "already exists" -- vfs export site -o "$T/site.car"
expect "export an unknown root" "not the root or a commit" -- vfs export site -o "$T/other.car" --root bafkqaaa
expect "cp from a bad CID" "" -- vfs cp site /ipfs/notacid /x
expect "pin without the daemon, no spool" "daemon unavailable" -- vfs pin site --no-spool
[ ! -e "$T/other.car" ] && ok || bad "a failed export left a file"
# the tree is unchanged by all of the above
kit vfs stat site /; check $? "stat / after bad input"
kit vfs ls site /docs; check $? "ls after bad input"
[ "$(tr '\n' ' ' < "$T/out")" = "big.bin deep/ numbers.txt " ] && ok || bad "tree changed: $(cat "$T/out")"

kit vfs bucket rm busy; check $? "bucket rm"
expect "removed bucket is gone" "no bucket" -- vfs ls busy

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
