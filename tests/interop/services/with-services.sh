#!/usr/bin/env bash
# Runs a command with real services started for it on free 127.0.0.1 ports, and stopped
# afterwards on every exit path:
#   s3     s3rver behind the SigV4 gate   -> IPFS_KIT_TEST_S3_ENDPOINT/_BUCKET/_ACCESS_KEY/_SECRET_KEY/_REGION
#   kubo   an offline js-ipfs node (RPC)  -> IPFS_KIT_TEST_KUBO_URL
# usage: with-services.sh s3|kubo|s3,kubo -- COMMAND ARGS...
# The command's exit code is the script's.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
JSIPFS=$(cd "$HERE/../jsipfs" && pwd)
[ $# -ge 3 ] && [ "$2" = "--" ] || { echo "usage: with-services.sh s3|kubo|s3,kubo -- COMMAND..." >&2; exit 2; }
want=$1
shift 2
free_port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export SERVICES_OWNER_PID=$$
stop=()
cleanup () { [ ${#stop[@]} -gt 0 ] && bash "$HERE/stop-services.sh" "${stop[@]}" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
if [[ ",$want," == *",s3,"* ]]; then
  eval "$(bash "$HERE/start-s3.sh" "$(free_port)" "$(free_port)")"
  stop+=("$S3_GATE_PID" "$S3RVER_PID" "$S3_DIR")
  export IPFS_KIT_TEST_S3_ENDPOINT=$S3_ENDPOINT IPFS_KIT_TEST_S3_BUCKET=$S3_BUCKET
  export IPFS_KIT_TEST_S3_ACCESS_KEY=$S3_ACCESS_KEY IPFS_KIT_TEST_S3_SECRET_KEY=$S3_SECRET_KEY
  export IPFS_KIT_TEST_S3_REGION=$S3_REGION
  echo "with-services: s3 at $S3_ENDPOINT"
fi
if [[ ",$want," == *",kubo,"* ]]; then
  eval "$(bash "$JSIPFS/start.sh" "$(free_port)" "$(free_port)")"
  stop+=("$JSIPFS_PID" "${JSIPFS_DIR:-}")
  export IPFS_KIT_TEST_KUBO_URL=$JSIPFS_API
  echo "with-services: kubo (js-ipfs) at $JSIPFS_API"
fi
set +e
"$@"
rc=$?
set -e
exit $rc
