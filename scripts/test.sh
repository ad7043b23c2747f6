#!/usr/bin/env bash
# The one command: install what is missing (Debian packages, npm dependencies), build, and run
# the whole suite against real ZooKeeper servers and real Curator peers that the tests start.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

# npm ci when node_modules is absent or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

npm test
