#!/usr/bin/env bash
# The suite on the testcontainers backend: every ZooKeeper server the tests start runs in a
# Docker container (host networking, config and data bind-mounted from a host temp dir).
#
#   scripts/test-docker.sh                 the whole suite on that backend
#   scripts/test-docker.sh --ci [--no-build]
#       CI's Docker part (scripts/test.sh runs it after the local suite): the tests in
#       scripts/docker/ci-subset.mocharc.cjs (standalone servers and 3-node ensembles in
#       containers: Curator interop, faults, ensembles), then docker-compose.yml's ensemble
#       brought up, a smoke test through each member (scripts/docker/compose-smoke.ts), and
#       brought down. --no-build: dist/ is fresh (test.sh has just built and tested it).
#
# Installs docker.io and debootstrap (with --ci also Debian's docker-compose) if missing;
# starts a Docker engine the only way this kind of machine allows (no bridge network, no
# iptables: containers use --network host) if none answers, and stops it, by its pid, at the
# end; builds the ZooKeeper image locally if it is missing (scripts/docker/build-image.sh);
# removes the containers the run made. Prints the time of each part. One run at a time per
# machine: a second one waits for the first (a lock file), since the first stops the engine.
set -euo pipefail
set -m # the Docker subset runs as a job of its own (scripts/watched-suite.sh), ended whole if it must be
cd "$(dirname "$0")/.."
source scripts/watched-suite.sh
watch_dir="$(mktemp -d)"

mode=full
build=yes
for arg in "$@"; do
  case "$arg" in
    --ci) mode=ci ;;
    --no-build) build=no ;;
    *) echo "test-docker: unknown argument $arg (--ci, --no-build)" >&2; exit 64 ;;
  esac
done
image="${ZKURATOR_ZOOKEEPER_IMAGE:-zkurator/zookeeper:3.8}"
compose_project=zkurator-compose-smoke

# --- timing: each part's wall-clock time, printed as it ends and together at the end ---
times=()
part_name=""
part_began=0
part() {
  part_name="$1"
  part_began="${EPOCHREALTIME/./}"
  echo "test-docker: --- $part_name"
}
part_done() {
  local us=$(( ${EPOCHREALTIME/./} - part_began ))
  local text
  text="$(printf '%d.%d s' $(( us / 1000000 )) $(( us / 100000 % 10 )))"
  times+=("$part_name: $text${1:+ ($1)}")
  echo "test-docker: --- $part_name: $text${1:+ ($1)}"
}
run_began="${EPOCHREALTIME/./}"

# --- cleanup, whatever happens: compose ensemble, leftover containers, the engine we started ---
engine_pid=""
engine_ready=no
containers_before=""
compose_up=no
alive() { # a pid that runs (our own exited child stays a zombie until waited for)
  local stat
  stat="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ "$stat" != Z* ]]
}
compose() {
  if docker compose version >/dev/null 2>&1; then docker compose -p "$compose_project" "$@"; else docker-compose -p "$compose_project" "$@"; fi
}
# Containers of the image made during this run and still there (the rig and the dev-server
# remove theirs; what is left here after a clean run is a bug, reported by the caller).
run_containers() {
  comm -13 <(printf '%s\n' "$containers_before" | sort) \
    <(docker ps -aq --no-trunc --filter "ancestor=$image" 2>/dev/null | sort) | sed '/^$/d'
}
cleanup() {
  local status=$?
  watched_suite_stop
  rm -rf "$watch_dir"
  if [ "$compose_up" = yes ]; then compose down --volumes --remove-orphans >/dev/null 2>&1 || true; fi
  if [ "$engine_ready" = yes ]; then
    local left
    left="$(run_containers || true)"
    [ -z "$left" ] || docker rm -f $left >/dev/null 2>&1 || true
  fi
  if [ -n "$engine_pid" ]; then
    kill -TERM "$engine_pid" 2>/dev/null || true
    for _ in $(seq 1 120); do alive "$engine_pid" || break; sleep 0.25; done
    if alive "$engine_pid"; then
      echo "test-docker: dockerd (pid $engine_pid) did not stop within 30 s: SIGKILL" >&2
      local containerd
      containerd="$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)"
      kill -KILL "$engine_pid" 2>/dev/null || true
      # its containerd would outlive it; the pid file is the one dockerd wrote for it
      [ -z "$containerd" ] || kill -KILL "$containerd" 2>/dev/null || true
    fi
    wait "$engine_pid" 2>/dev/null || true
    echo "test-docker: stopped the Docker engine it started (pid $engine_pid)"
  fi
  exit "$status"
}
trap cleanup EXIT

# --- one run at a time on this machine ---
exec 9>"${TMPDIR:-/tmp}/zkurator-test-docker.lock"
if ! flock -n 9; then
  echo "test-docker: another run holds ${TMPDIR:-/tmp}/zkurator-test-docker.lock: waiting for it"
  flock 9
fi

part "install (Debian packages, npm)"
extra=(docker.io debootstrap)
[ "$mode" = ci ] && extra+=(docker-compose)
bash scripts/install-deps.sh --test "${extra[@]}"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
part_done

part "Docker engine"
if docker info >/dev/null 2>&1; then
  part_done "one answered already: $(docker version --format '{{.Server.Version}}'), left running"
else
  dockerd_log="$(mktemp -t zkurator-dockerd-XXXXXX.log)"
  # No --storage-driver: dockerd takes overlay2 where the kernel has it (a container starts in
  # well under a second), and falls back by itself (vfs copies the whole image per container).
  dockerd --bridge=none --iptables=false >"$dockerd_log" 2>&1 &
  engine_pid=$!
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    alive "$engine_pid" || break
    sleep 0.25
  done
  if ! docker info >/dev/null 2>&1; then
    echo "test-docker: dockerd did not come up within 30 s; the end of its log ($dockerd_log):" >&2
    tail -n 25 "$dockerd_log" >&2
    exit 1
  fi
  part_done "started dockerd --bridge=none --iptables=false, pid $engine_pid, $(docker info --format '{{.Driver}}') storage, log $dockerd_log"
fi
containers_before="$(docker ps -aq --no-trunc | sort)"
engine_ready=yes

part "ZooKeeper image"
if docker image inspect "$image" >/dev/null 2>&1; then
  part_done "$image was there"
else
  bash scripts/docker/build-image.sh >/dev/null
  part_done "built $image"
fi

since="$(date +%s)"
failed=()
if [ "$mode" = full ]; then
  part "the whole suite on the Docker backend"
  ZKURATOR_TEST_BACKEND=docker npm test || failed+=("the suite")
  part_done
else
  [ "$build" = no ] || npm run --silent build
  part "the Docker subset (scripts/docker/ci-subset.mocharc.cjs)"
  # watched as a Node line is (scripts/test.sh): ended if it does not end, with where it was
  if watched_suite "$watch_dir" docker-subset "${ZKURATOR_TEST_LINE_TIMEOUT:-1200}" \
    env ZKURATOR_TEST_BACKEND=docker npx mocha --config scripts/docker/ci-subset.mocharc.cjs; then
    echo "test-docker: the Docker subset: $WATCHED_VERDICT"
  else
    failed+=("the Docker subset: $WATCHED_VERDICT")
  fi
  [ ${#WATCHED_DETAILS[@]} -eq 0 ] || printf '%s\n' "${WATCHED_DETAILS[@]}"
  part_done
fi
started="$(docker events --since "$since" --until "$(date +%s)" --filter type=container --filter event=start --filter "image=$image" | wc -l)"
left="$(run_containers)"
if [ -n "$left" ]; then
  echo "test-docker: the run left $(wc -l <<<"$left") container(s) of $image behind:" >&2
  docker ps -a --filter "ancestor=$image" --format '  {{.ID}} {{.Names}} {{.Status}}' >&2
  failed+=("container clean-up")
  docker rm -f $left >/dev/null
fi
echo "test-docker: $started ZooKeeper containers started and removed by the tests"

if [ "$mode" = ci ]; then
  part "docker-compose.yml ensemble: up, smoke test, down"
  compose_tool="$(docker compose version >/dev/null 2>&1 && echo 'docker compose' || echo "docker-compose $(docker-compose version --short)")"
  busy="$(ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E ':(218[123]|288[89]|2890|388[89]|3890)$' || true)"
  if [ -n "$busy" ]; then
    echo "test-docker: docker-compose.yml's ports are taken on this machine: $(echo $busy)" >&2
    failed+=("compose smoke (ports taken)")
    part_done "not run"
  else
    compose_up=yes
    compose up -d
    if node dist/scripts/docker/compose-smoke.js; then
      compose down --volumes --remove-orphans
      compose_up=no
      part_done "$compose_tool"
    else
      compose logs --tail 30 >&2 || true
      failed+=("the compose smoke test")
      part_done "$compose_tool, FAILED"
    fi
  fi
fi

total_us=$(( ${EPOCHREALTIME/./} - run_began ))
echo "test-docker: times (wall clock):"
printf '  %s\n' "${times[@]}" "total: $(( total_us / 1000000 )) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "test-docker: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test-docker: passed"
