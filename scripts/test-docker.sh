#!/usr/bin/env bash
# The whole suite on the testcontainers backend: every ZooKeeper server the tests start runs in
# a Docker container (host networking, config and data bind-mounted from a host temp dir).
# Installs docker.io and debootstrap if missing; starts a Docker engine the only way this kind
# of machine allows (no bridge network, no iptables: containers use --network host) if none
# answers; builds the ZooKeeper image locally if it is missing (scripts/docker/build-image.sh);
# runs `npm test` with ZKURATOR_TEST_BACKEND=docker; stops the engine if it started it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test docker.io debootstrap
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

started=""
stop_engine() {
  if [ -n "$started" ]; then
    kill "$started" 2>/dev/null || true
    wait "$started" 2>/dev/null || true
  fi
}
trap stop_engine EXIT
if ! docker info >/dev/null 2>&1; then
  echo "test-docker: starting dockerd --bridge=none --iptables=false --storage-driver=vfs (log: /tmp/zkurator-dockerd.log)"
  dockerd --bridge=none --iptables=false --storage-driver=vfs >/tmp/zkurator-dockerd.log 2>&1 &
  started=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "test-docker: dockerd did not come up; see /tmp/zkurator-dockerd.log" >&2; exit 1; }
fi

image="${ZKURATOR_ZOOKEEPER_IMAGE:-zkurator/zookeeper:3.8}"
docker image inspect "$image" >/dev/null 2>&1 || bash scripts/docker/build-image.sh

since="$(date +%s)"
ZKURATOR_TEST_BACKEND=docker npm test
echo "test-docker: ZooKeeper containers started during the run: $(docker events --since "$since" --until "$(date +%s)" \
  --filter type=container --filter event=start --filter "image=$image" | wc -l)"
