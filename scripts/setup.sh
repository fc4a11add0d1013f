#!/usr/bin/env bash
# Install everything ipfs-kit needs to build and test on Debian 12 (bookworm). Idempotent:
# apt is skipped when every package is already installed, `npm ci` when node_modules matches
# the lockfile. Runs as root, or through sudo otherwise. No interaction needed (CI-safe).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

# Build: compiler, CMake, Ninja; libraries: OpenSSL (SHA via EVP), CLI11, nlohmann-json;
# Parquet: zstd, snappy, xxhash; tests: GoogleTest/GoogleMock, Google Benchmark;
# fuzzing: clang + libFuzzer runtime;
# interop: node/npm (reference JS importer), ipfs-cid (Debian's Rust CIDv0 tool), git;
# management plane: Boost (Beast/Asio, header-only), libcurl (HTTP client, S3 SigV4), SQLite;
# benchmarks: wrk and nginx (the reference server), curl; the dashboard test: Debian's chromium.
PKGS=(build-essential cmake ninja-build pkg-config libssl-dev libgtest-dev libgmock-dev
      libbenchmark-dev libcli11-dev nlohmann-json3-dev clang libclang-rt-14-dev ipfs-cid git
      python3 diffutils libzstd-dev libsnappy-dev libxxhash-dev
      libboost-dev libcurl4-openssl-dev libsqlite3-dev curl wrk nginx-light chromium)

# Node: keep an existing node >= 18 with npm (e.g. from NodeSource, which bundles npm and
# conflicts with Debian's npm package); otherwise use Debian's nodejs (18.x) + npm.
node_ok () {
  command -v node >/dev/null && command -v npm >/dev/null || return 1
  local major; major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$major" -ge 18 ]
}
node_ok || PKGS+=(nodejs npm)

missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages already installed"
fi
node_ok || { echo "setup: node >= 18 with npm is required" >&2; exit 1; }

# Interop test packages, exact versions from each package-lock.json. A stamp (hash of the
# lockfile) avoids re-running npm ci when nothing changed.
for INTEROP in tests/interop tests/interop/parquet tests/interop/services tests/interop/jsipfs \
    tests/interop/gateway tests/interop/mcp tests/interop/dashboard; do
  [ -f "$INTEROP/package-lock.json" ] || continue
  stamp=$INTEROP/node_modules/.ipfs-kit-lock.sha256
  want=$(sha256sum "$INTEROP/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "setup: $INTEROP/node_modules up to date"
  else
    echo "setup: npm ci in $INTEROP"
    (cd "$INTEROP" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
done
echo "setup: done"
