#!/usr/bin/env bash
# Stop services started by start-s3.sh or ../jsipfs/start.sh, and wait until they are gone.
#   stop-services.sh PID... [DIR...]
# Each PID gets SIGTERM; any still alive after STOP_TIMEOUT seconds (default 10) gets SIGKILL.
# Only node processes are signalled (a stale or mistyped PID is not killed). A DIR argument is
# removed afterwards, but only if it carries the .ipfs-kit-services marker the start scripts
# put there (S3_DIR, JSIPFS_DIR). PIDs already gone are fine. Exit 0, or 2 on a bad argument.
set -uo pipefail
TIMEOUT=${STOP_TIMEOUT:-10}
pids=(); dirs=(); rc=0
for a in "$@"; do
  if [[ $a =~ ^[0-9]+$ ]]; then
    pids+=("$a")
  elif [ -d "$a" ]; then
    if [ -f "$a/.ipfs-kit-services" ]; then dirs+=("$a")
    else echo "stop-services: not removing $a (no .ipfs-kit-services marker)" >&2; rc=2; fi
  elif [ -n "$a" ] && [ ! -e "$a" ] && [[ $a == /* ]]; then
    :   # a service dir already removed (e.g. by the owner watchdog)
  else
    echo "stop-services: ignoring '$a' (neither a PID nor a service directory)" >&2; rc=2
  fi
done

alive () {     # exists and is not a zombie (PID 1 of a container may never reap orphans)
  kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/stat" ] || return 0
  [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]
}
is_node () {   # alive and running the node binary (js-ipfs renames its process title, so
  alive "$1" || return 1   # look at /proc/PID/exe, not at the command line)
  local exe
  exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 0   # no /proc: trust the caller
  [[ ${exe##*/} == node* || ${exe##*/} == nodejs* ]]
}

targets=()
for p in "${pids[@]}"; do
  if is_node "$p"; then targets+=("$p"); kill -TERM "$p" 2>/dev/null || true
  elif alive "$p"; then echo "stop-services: PID $p is not a node process, left alone" >&2; rc=2
  fi
done
deadline=$((SECONDS + TIMEOUT))
for p in "${targets[@]}"; do
  while alive "$p" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if alive "$p"; then
    echo "stop-services: PID $p ignored SIGTERM for ${TIMEOUT}s, sending SIGKILL" >&2
    kill -KILL "$p" 2>/dev/null || true
    for _ in $(seq 50); do alive "$p" || break; sleep 0.1; done
  fi
done
for d in "${dirs[@]}"; do rm -rf "$d"; done
exit $rc
