#!/usr/bin/env bash
# Kubo's own test vectors: root CIDs hard-coded in Kubo's sharness test t0040-add-and-cat.sh
# (plus the well-known empty-directory CID), recomputed with ipfs-kit.
# Needs only bash + coreutils (no node packages).
# usage: bash tests/interop/kubo-vectors.sh [path/to/ipfs-kit]
set -u
BIN=${1:-${IPFS_KIT_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin/ipfs-kit}}
BIN=$(realpath -m "$BIN")
if [ ! -x "$BIN" ]; then echo "kubo-vectors: ipfs-kit binary not found: $BIN" >&2; echo "0 passed, 1 failed"; exit 1; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export IPFS_KIT_PATH="$T/repo"
pass=0; fail=0
run () { timeout 120 "$BIN" "$@" 2>"$T/err"; }
chk () { # expected CID, then add flags + path
  local want=$1; shift
  local got rc
  got=$(run add -Q -n "$@"); rc=$?
  if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then pass=$((pass+1))
  else fail=$((fail+1)); echo "FAIL add -Q -n $* => ${got:-(nothing)} rc=$rc $(head -c 300 "$T/err") (want $want)"; fi
}
D=$T/in; mkdir -p "$D"; cd "$D" || exit 1
: > empty; printf 'hello world\n' > hw
echo "Hello Worlds!" > hello.txt; echo "Hello Venus!" > venus.txt
echo "base32 test" > b32.txt; echo "file1" > mfs1.txt; echo "IPFS" > file.txt
mkdir -p planets emptydir test cur/hello moons/jupiter moons/saturn
echo "Hello Mars!" > planets/mars.txt; echo "Hello Venus!" > planets/venus.txt
echo "file1" > test/mfs1.txt; echo "file2" > test/mfs2.txt
echo "Hey" > cur/hey; echo "World" > cur/hello/world
echo "Hello Europa!" > moons/jupiter/europa.txt; echo "Hello Titan!" > moons/saturn/titan.txt
echo "hey youre no moon!" > moons/mercury.txt

chk QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH empty
chk bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku --raw-leaves empty
chk QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o hw
chk QmVr26fY1tKyspEJBniVhqxQeEjhF78XerGiqWAwraVLQH hello.txt
chk QmVr26fY1tKyspEJBniVhqxQeEjhF78XerGiqWAwraVLQH --chunker size-64 hello.txt
chk QmUkUQgxXeggyaD5Ckv8ZqfW8wHBX6cYyeiyqvVZYzq5Bi --trickle hello.txt
chk QmU5kp3BH3B8tnWUU2Pikdb2maksBNkb92FHRr56hyghh4 venus.txt
chk QmdFyxZXsFiP4csgfM5uPu99AvFiKH62CSPDw5TP92nr7w file.txt
chk bafkreihm3rktn5z33luic3youqdsn326toaq3ekesmdvsa53sbrd3f5r3a --cid-version 1 mfs1.txt
chk QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn -r emptydir
chk QmWSgS32xQEcXMeqd3YPJLrNBLSdsfYCep2U7CFkyrjXwY -r planets
chk QmfWfQfKCY5Ukv9peBbxM5vqWM9BzmqUSXvdCgjT2wsiBT -r --raw-leaves planets
chk bafybeih7e5dmkyk25up5vxug4q3hrg2fxbzf23dfrac2fns5h7z4aa7ioi -r --cid-version=1 planets
chk bafybeif5tuep5ap2d7zyhbktucey75aoacxufgt6i3v4gebmixyipnyp7y -r --cid-version=1 --raw-leaves=false planets
chk bafybeic7xwqwovt4g4bax6d3udp6222i63vj2rblpbim7uy2uw4a5gahha -r --cid-version 1 test
chk QmZQWnfcqJ6hNkkPvrY9Q5X39GP3jUnUbAV4AbmbbR3Cb1 -r cur
chk QmVKvomp91nMih5j6hYBA8KjbiaYvEetU2Q7KvtZkLe9nQ -r moons
# stdin gives the same CID as the file
got=$(run add -Q -n - < hello.txt)
[ "$got" = QmVr26fY1tKyspEJBniVhqxQeEjhF78XerGiqWAwraVLQH ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL add -Q -n - (stdin) => $got"; }
# t0040 "ipfs add --cid-base=base32": CIDv0 of b32.txt converted to CIDv1 base32
v0=$(run add -Q -n b32.txt); b32=$(run cid base32 "$v0")
[ "$b32" = bafybeibyosqxljd2eptb4ebbtvk7pb4aoxzqa6ttdsflty6rsslz5y6i34 ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL cid base32 $v0 => $b32"; }
b32=$(run cid format -v 1 -b base32 "$v0")
[ "$b32" = bafybeibyosqxljd2eptb4ebbtvk7pb4aoxzqa6ttdsflty6rsslz5y6i34 ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL cid format -v 1 -b base32 $v0 => $b32"; }
# -w: the file first, then the wrapping directory with an empty name (Kubo's output format)
out=$(run add -n -w file.txt)
first=$(printf '%s\n' "$out" | head -1)
[ "$first" = "added QmdFyxZXsFiP4csgfM5uPu99AvFiKH62CSPDw5TP92nr7w file.txt" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL add -n -w file.txt first line: $first"; }
last=$(printf '%s\n' "$out" | tail -1)
case $last in "added Qm"*) [ "$(printf '%s' "$last" | wc -w)" -eq 2 ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL add -n -w file.txt last line: '$last'"; } ;;
  *) fail=$((fail+1)); echo "FAIL add -n -w file.txt last line: '$last'" ;; esac
# add -r output: one line per entry, children before parents, the root last
out=$(run add -n -r planets)
want="added QmPrrHqJzto9m7SyiRzarwkqPcCSsKR2EB1AyqJfe8L8tN planets/mars.txt
added QmU5kp3BH3B8tnWUU2Pikdb2maksBNkb92FHRr56hyghh4 planets/venus.txt
added QmWSgS32xQEcXMeqd3YPJLrNBLSdsfYCep2U7CFkyrjXwY planets"
[ "$out" = "$want" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL add -n -r planets printed:"; printf '%s\n' "$out" | head -5; }
# -q prints CIDs only, one per entry
out=$(run add -n -q -r planets | tail -1)
[ "$out" = QmWSgS32xQEcXMeqd3YPJLrNBLSdsfYCep2U7CFkyrjXwY ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL add -n -q -r planets last line: $out"; }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
