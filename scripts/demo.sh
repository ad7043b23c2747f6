#!/usr/bin/env bash
# `npm run demo`: install what is missing (Debian packages, npm dependencies), build, and run
# the demo (scripts/demo/demo.ts). Exits by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --demo >&2
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
npm run --silent build >&2
node dist/scripts/demo/demo.js
