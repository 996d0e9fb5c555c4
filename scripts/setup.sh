#!/usr/bin/env bash
# Installs what the demo and the tests need, only what is missing: Debian's Prometheus, the npm
# packages (Node 24 comes with them), and the Go builds of the Kubernetes API server, istioctl and
# the pilot route oracle (cached in ~/.cache/istio-canary). Safe to run again; quick when
# everything is there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n=== %s ===\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages without letting their services start: we run our own processes on our
# own ports and must not find the packaged Prometheus already bound to 9090 or restarted by it.
apt_install() {
  local added_policy=no
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    added_policy=yes
  fi
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
  if [ "$added_policy" = yes ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
}

step "tools"
command -v go >/dev/null || { echo "Go is required (test/env/apiserver/go.mod names the version)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt_install "${missing[@]}"
fi
go version
prometheus --version 2>&1 | head -1

step "npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  echo "node_modules is current"
fi
node_modules/.bin/node --version

step "API server build"
node_modules/.bin/node test/env/mesh.ts build

step "Istio's own code: istioctl and the pilot route oracle"
# Built from the istio.io/istio module pinned in test/oracle/go.mod (cold: module download and a
# build of several minutes on 2 cores; then cached in ~/.cache/istio-canary by version + source hash).
node_modules/.bin/node test/env/istio-tools.ts build
