#!/usr/bin/env bash
# setup.sh: installs everything Skiff needs on a fresh Debian 12 machine (run as root) and
# builds it. Idempotent: running it again changes nothing that is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(etcd-server etcd-client crun runc conmon docker-registry busybox-static iptables iproute2 kmod ca-certificates curl)

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
