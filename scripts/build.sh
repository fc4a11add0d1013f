#!/usr/bin/env bash
# Configure and build ipfs-kit (Release, Ninja) into build/; the binary is build/bin/ipfs-kit.
# Extra arguments go to the configure step, e.g. -DIPFS_KIT_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build
