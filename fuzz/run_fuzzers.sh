#!/usr/bin/env bash
# Runs every libFuzzer target briefly over a scratch copy of its seed corpus.
#
# usage: fuzz/run_fuzzers.sh BUILD_DIR SECONDS
#   BUILD_DIR  a build configured with clang and -DIPFS_KIT_FUZZ=ON
#   SECONDS    time budget per target (-max_total_time)
#
# Exits non-zero if any target crashes, leaks, times out on an input, or is
# missing. Crash reproducers are kept under $FUZZ_ARTIFACTS (default: a temp
# directory that is printed); the committed corpus is never modified.
set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ipfs-kit-fuzz.XXXXXX")
artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$artifacts"

failed=0
for target in cid_fuzzer dagpb_fuzzer car_fuzzer parquet_fuzzer http_request_fuzzer daemon_input_fuzzer mcp_jsonrpc_fuzzer \
    gateway_request_fuzzer vfs_path_fuzzer mcp_rest_fuzzer; do
  bin=$build_dir/fuzz/$target
  if [ ! -x "$bin" ]; then
    echo "FAIL $target: $bin not built" >&2
    failed=1
    continue
  fi
  corpus=$work/corpus/$target
  mkdir -p "$corpus"
  cp -r "$here/corpus/$target/." "$corpus/" 2>/dev/null || true
  log=$work/$target.log
  echo "== $target (${seconds}s)"
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$artifacts/$target-" "$corpus" >"$log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|#[0-9]+ *DONE)' "$log" | tail -2
    echo "ok   $target"
  else
    echo "FAIL $target (log: $log)" >&2
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -20 >&2
    failed=1
  fi
done
if [ $failed -ne 0 ]; then
  echo "fuzzing found problems; artifacts in $artifacts" >&2
  exit 1
fi
rm -rf "$work"
exit 0
