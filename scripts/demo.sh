#!/usr/bin/env bash
# The demo (README's main-job command): installs what is missing, then runs two real releases on
# the local mesh (a healthy v2 promoted, a failing v2 rolled back). The mesh keeps running so you
# can look around; `npm run mesh:down` stops it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
printf '\n=== demo ===\n'
npm run --silent demo
