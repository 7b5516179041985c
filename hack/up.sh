#!/usr/bin/env bash
# up.sh: brings up a local two-node Skiff cluster (`skiff cluster up`: a control plane and two
# agents, each agent a simulated host in its own network namespace; state in .data), applies
# the sample app in manifests/, waits until it runs and prints how to reach it.
# `hack/down.sh` removes everything it made. SKIFF_NODES sets the node count.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${SKIFF_DATA:-$PWD/.data}
NODES=${SKIFF_NODES:-2}
skiff() { node cmd/skiff/bin.js "$@"; }
if skiff cluster status --data-dir "$DATA" >/dev/null 2>&1 && skiff cluster status --data-dir "$DATA" | grep -q '(running)'; then
  echo "up: a cluster is already running in $DATA (hack/down.sh stops it)"
else
  skiff cluster down --data-dir "$DATA" >/dev/null 2>&1 || true
  skiff cluster up --nodes "$NODES" --data-dir "$DATA" >/dev/null
fi
export KUBECONFIG="$DATA/server/kubeconfig.yaml"
skiff apply -f manifests/
skiff rollout status deployment/web --timeout=180s
echo
skiff get nodes -o wide
echo
skiff get pods -o wide
cat <<MSG

Skiff is up: $NODES nodes, the sample app "web" (a Deployment behind the Service "web"),
a CronJob "tick" and a ConfigMap. Use it with skiff or the real kubectl:
  export KUBECONFIG=$KUBECONFIG
  node cmd/skiff/bin.js get pods -o wide          # or: kubectl get pods -o wide
Reach the app from inside the cluster:
  node cmd/skiff/bin.js run client --rm -i --restart=Never --image=skiff.local/busybox:latest -- \\
    sh -c 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc web 80'
Roll out v2 and back:
  kubectl set image deployment/web web=skiff.local/web:v2 && kubectl rollout status deployment/web
  kubectl rollout undo deployment/web
Stop and remove everything: bash hack/down.sh
MSG
