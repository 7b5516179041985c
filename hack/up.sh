#!/usr/bin/env bash
# up.sh: starts a local Skiff control plane in the background (data in .data/server), waits
# until it is ready, and applies the sample app in manifests/. `hack/down.sh` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${SKIFF_DATA:-$PWD/.data/server}
LISTEN=${SKIFF_LISTEN:-127.0.0.1:6443}
mkdir -p "$DATA"
if [ -f "$DATA/server.pid" ] && kill -0 "$(cat "$DATA/server.pid")" 2>/dev/null; then
  echo "up: skiff server already running (pid $(cat "$DATA/server.pid"))"
else
  nohup node cmd/skiff/bin.js server --data-dir "$DATA" --listen "$LISTEN" >"$DATA/server.log" 2>&1 &
  echo $! >"$DATA/server.pid"
  echo "up: skiff server started (pid $!), log in $DATA/server.log"
fi
for _ in $(seq 1 150); do
  curl -fs "http://$LISTEN/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://$LISTEN/readyz" >/dev/null || { echo "up: server did not become ready"; tail -20 "$DATA/server.log"; exit 1; }
export KUBECONFIG="$DATA/kubeconfig.yaml"
kubectl apply -f manifests/web.yaml
echo
kubectl get all -o wide
cat <<MSG

Skiff is up. Use it with:
  export KUBECONFIG=$DATA/kubeconfig.yaml
  kubectl get pods -o wide
Stop it with: bash hack/down.sh
MSG
