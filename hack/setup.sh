#!/usr/bin/env bash
# setup.sh: installs everything Skiff needs on a fresh Debian 12 machine (run as root) and
# builds it. Idempotent: running it again changes nothing that is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

# skopeo: only the pull benchmark's baseline (npm run bench:pull).
APT_PACKAGES=(etcd-server etcd-client crun runc conmon docker-registry busybox-static iptables iproute2 kmod util-linux ca-certificates curl skopeo)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's etcd-server package starts a system etcd where systemd runs; Skiff runs its own.

# The compatibility and end-to-end tests drive the real kubectl. Debian has no package for it:
# fetch the official release binary if it is missing (best effort; the cluster itself needs only skiff).
if ! command -v kubectl >/dev/null; then
  KUBECTL_VERSION=${KUBECTL_VERSION:-v1.32.4}
  echo "setup: installing kubectl $KUBECTL_VERSION"
  arch=$(dpkg --print-architecture)
  if curl -fsSL --retry 3 -o /usr/local/bin/kubectl "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/linux/$arch/kubectl"; then
    chmod 0755 /usr/local/bin/kubectl
  else
    rm -f /usr/local/bin/kubectl
    echo "setup: warning: could not download kubectl; the kubectl tests need it on PATH" >&2
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building"
npm run -s build
if [ -f hack/images/build.ts ]; then
  echo "setup: building sample images"
  node --import tsx hack/images/build.ts --out .data/images >/dev/null
fi
echo "setup: done"
