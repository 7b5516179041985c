#!/usr/bin/env bash
# down.sh: stops the local cluster hack/up.sh started and removes everything it made
# (processes by PID, containers, mounts, network namespaces, cgroups, routes, .data files).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${SKIFF_DATA:-$PWD/.data}
node cmd/skiff/bin.js cluster down --data-dir "$DATA"
