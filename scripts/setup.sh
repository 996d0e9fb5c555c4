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
# The project needs Node 24 (package.json engines), which comes as the `node` npm package. npm run by
# the machine's older Node would warn EBADENGINE for the project and every dependency needing Node
# 22+, so Node 24 is fetched first (that package has no engines field) and installs the rest.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  node_version="$(node -p "require('./package-lock.json').packages['node_modules/node'].version")"
  bootstrap="$HOME/.cache/istio-canary/node-$node_version"
  if [ ! -x "$bootstrap/node_modules/.bin/node" ]; then
    mkdir -p "$bootstrap"
    printf '{"private": true, "allowScripts": {"node": true}}\n' > "$bootstrap/package.json"
    npm install --prefix "$bootstrap" --no-save --no-package-lock --no-audit --no-fund --no-update-notifier "node@$node_version"
  fi
  "$bootstrap/node_modules/.bin/node" "$(npm root -g)/npm/bin/npm-cli.js" ci --no-audit --no-fund --no-update-notifier
else
  echo "node_modules is current"
fi
node_modules/.bin/node --version

step "API server build"
node_modules/.bin/node test/env/mesh.ts build

# Argo CD's Application and Flux's Kustomization CRDs, from their Go modules (pinned by checksum in
# test/env/gitops-crds.ts) into the Go module cache; the local API server serves them.
step "GitOps controllers' CRDs"
node_modules/.bin/node test/env/gitops-crds.ts download

# actionlint, GitHub's workflow linter, built from its Go module (the proxy and the checksum
# database pin a version's source, so the version is the cache key).
step "actionlint"
actionlint_version="$(tr -d '[:space:]' < test/env/actionlint.version)"
actionlint_bin="${ISTIO_CANARY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/istio-canary}/bin/actionlint-$actionlint_version"
if [ ! -x "$actionlint_bin" ]; then
  build_dir="$(mktemp -d)"
  GOBIN="$build_dir" go install "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version"
  mkdir -p "$(dirname "$actionlint_bin")"
  mv "$build_dir/actionlint" "$actionlint_bin"
  rm -rf "$build_dir"
fi
"$actionlint_bin" -version | head -1

step "Istio's own code: istioctl and the pilot route oracle"
# Built from the istio.io/istio module pinned in test/oracle/go.mod (cold: module download and a
# build of several minutes on 2 cores; then cached in ~/.cache/istio-canary by version + source hash).
node_modules/.bin/node test/env/istio-tools.ts build
