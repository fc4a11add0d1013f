#!/usr/bin/env bash
# The whole suite: set-up, Release build, the libFuzzer smoke run (when fuzz/ has its
# script), then every CTest suite (unit, cli, interop). Fuzzing runs BEFORE ctest so the
# last line printed is ctest's summary; a fuzzer failure is reported, ctest still runs, and
# the script then exits non-zero.
#   IPFS_KIT_SKIP_FUZZ=1  skip the fuzz smoke;  FUZZ_SECONDS=N  seconds per fuzzer (10)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh

if [ -f fuzz/run_fuzzers.sh ] && [ "${IPFS_KIT_SKIP_FUZZ:-0}" != 1 ]; then
  echo "test: fuzz smoke (${FUZZ_SECONDS:-10}s per target)"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DIPFS_KIT_FUZZ=ON -DIPFS_KIT_TESTS=OFF -DIPFS_KIT_BENCH=OFF
  # Only the fuzzers (not the CLI) are needed from this build.
  cmake --build build-fuzz --target cid_fuzzer dagpb_fuzzer car_fuzzer parquet_fuzzer http_request_fuzzer \
    daemon_input_fuzzer mcp_jsonrpc_fuzzer gateway_request_fuzzer vfs_path_fuzzer mcp_rest_fuzzer
  bash fuzz/run_fuzzers.sh build-fuzz "${FUZZ_SECONDS:-10}" || fuzz_failed=1
fi

# Unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (libraries and unit
# tests only; the CLI/interop suites run against the Release binary below).
if [ "${IPFS_KIT_SKIP_ASAN:-0}" != 1 ]; then
  echo "test: unit tests under ASan/UBSan"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPFS_KIT_SANITIZE=ON \
    -DIPFS_KIT_BENCH=OFF > /dev/null
  units=$(cd build-asan && ninja -t targets all | sed -n 's/^\([a-z0-9_]*_test\): .*/\1/p' | sort -u)
  # shellcheck disable=SC2086
  cmake --build build-asan --target $units
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan -L unit --output-on-failure || asan_failed=1
fi

rc=0
ctest --test-dir build --output-on-failure || rc=$?
if [ "${fuzz_failed:-0}" = 1 ] || [ "${asan_failed:-0}" = 1 ]; then exit 1; fi
exit $rc
