#!/usr/bin/env bash
# Damaged Parquet files and routing indexes given to the CLI: each must fail
# with exit 1 and a message naming the file and the problem — never a crash
# (exit >= 128), never a hang (the whole script runs under CTest's timeout).
# usage: tests/cli/parquet-bad-input.sh path/to/ipfs-kit
set -u
K=${1:?usage: parquet-bad-input.sh IPFS_KIT_BINARY}
HERE=$(cd "$(dirname "$0")" && pwd)
SAMPLE=$HERE/../interop/parquet/samples/pins_zstd.parquet
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

# expect_error NAME PATTERN CMD...: exit code 1 and PATTERN in stderr.
expect_error() {
  local name=$1 pat=$2; shift 2
  "$@" > "$T/out" 2> "$T/err"
  local rc=$?
  if [ $rc -eq 1 ] && grep -q -- "$pat" "$T/err"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: exit $rc, stderr: $(head -c 300 "$T/err")"
  fi
}

size=$(stat -c %s "$SAMPLE")
head -c 7 "$SAMPLE" > "$T/tiny.parquet"
expect_error tiny "too small" "$K" parquet cat "$T/tiny.parquet"
head -c $((size / 2)) "$SAMPLE" > "$T/half.parquet"
expect_error truncated "half.parquet" "$K" parquet cat "$T/half.parquet"
expect_error truncated-magic "magic" "$K" parquet meta "$T/half.parquet"
{ printf 'XXXX'; tail -c +5 "$SAMPLE"; } > "$T/magic.parquet"
expect_error wrong-magic "wrong magic at the start" "$K" parquet schema "$T/magic.parquet"
# Footer length past the start of the file.
python3 - "$SAMPLE" "$T/footer.parquet" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[-8:-4] = (len(b) * 2).to_bytes(4, 'little')
open(sys.argv[2], 'wb').write(b)
PY
expect_error footer-length "footer length" "$K" parquet cat "$T/footer.parquet"
# Corrupt Thrift: garbage in the middle of the footer.
python3 - "$SAMPLE" "$T/thrift.parquet" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
n = int.from_bytes(b[-8:-4], 'little')
start = len(b) - 8 - n
for i in range(start + 10, start + 40):
    b[i] = 0xff
open(sys.argv[2], 'wb').write(b)
PY
expect_error corrupt-thrift "footer" "$K" parquet cat "$T/thrift.parquet"
# Corrupt pages: flip bytes in the first column chunk's data.
python3 - "$SAMPLE" "$T/page.parquet" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
for i in range(40, 400):
    b[i] ^= 0x5a
open(sys.argv[2], 'wb').write(b)
PY
expect_error corrupt-page "row group 0" "$K" parquet cat "$T/page.parquet"
expect_error missing-file "cannot open" "$K" parquet cat "$T/none.parquet"
expect_error not-a-file "not a regular file" "$K" parquet cat "$T"

# A routing index whose manifest or files are damaged.
export IPFS_KIT_PATH=$T/repo
expect_error no-index "no routing index" "$K" route lookup bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku
"$K" route generate --pins 200 > /dev/null || { echo "FAIL generate"; fail=$((fail + 1)); }
cp "$T/repo/index/manifest.json" "$T/manifest.good"
echo '{"generation": 1, "files": {"pins": "../../etc/passwd", "locations": "x", "backends": "y"}}' > "$T/repo/index/manifest.json"
expect_error manifest-escape "plain names" "$K" route stats
echo 'not json' > "$T/repo/index/manifest.json"
expect_error manifest-garbage "manifest.json" "$K" route stats
cp "$T/manifest.good" "$T/repo/index/manifest.json"
head -c 1000 "$T/repo/index/locations-1.parquet" > "$T/loc" && cp "$T/loc" "$T/repo/index/locations-1.parquet"
expect_error truncated-index "locations-1.parquet" "$K" route lookup bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
