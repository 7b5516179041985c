#!/usr/bin/env bash
# down.sh: stops the local Skiff started by hack/up.sh (by its PID) — etcd stops with it.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${SKIFF_DATA:-$PWD/.data/server}
if [ -f "$DATA/server.pid" ]; then
  pid=$(cat "$DATA/server.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$DATA/server.pid"
  echo "down: stopped skiff server (pid $pid)"
else
  echo "down: nothing running"
fi
