#!/usr/bin/env bash
# The one command: install what is missing (Debian packages, npm dependencies), build, and run
# the whole suite against real ZooKeeper servers and real Curator peers that the tests start,
# once per Node.js line: the machine's own `node` and the supported lines 22 and 24 (official
# binaries from the npm registry, see scripts/node-line.sh). ZKURATOR_TEST_NODE_LINES picks the
# lines, e.g. ZKURATOR_TEST_NODE_LINES=system for the machine's Node alone, or "22 24 26".
# Every line runs even when one fails; the exit status is non-zero if any failed. Each line is
# bounded in time (ZKURATOR_TEST_LINE_TIMEOUT seconds, default 1200), so a run that does not end
# cannot use up a CI job's time (a Node 24 line was seen three times with every test passed and
# the process not exiting; test/support/exit-watch.ts says what keeps mocha alive and how far it
# got on its way out, scripts/line-watchdog.sh where it is stuck, and the summary at the end
# repeats it, since a CI log may keep only its tail).
# Then the Docker-backed part (below).
set -euo pipefail
set -m # every background job gets a process group of its own: a line that overruns is ended whole
cd "$(dirname "$0")/.."
limit="${ZKURATOR_TEST_LINE_TIMEOUT:-1200}"
[[ "$limit" =~ ^[1-9][0-9]*$ ]] || { echo "test: ZKURATOR_TEST_LINE_TIMEOUT must be a number of seconds" >&2; exit 2; }

bash scripts/install-deps.sh --test

# npm ci when node_modules is absent or older than the lock file. Once, with the machine's Node,
# for every line: the suite loads no native addon (the native `zookeeper` binding, built here
# for this Node, is only the benchmark's W1 contender), and the build is plain JavaScript.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

read -r -a lines <<< "${ZKURATOR_TEST_NODE_LINES:-system 22 24}"
[ ${#lines[@]} -gt 0 ] || { echo "test: ZKURATOR_TEST_NODE_LINES names no Node line" >&2; exit 2; }

logs="$(mktemp -d)"
source scripts/watched-suite.sh
# On the way out (done, Ctrl-C, killed): end the line still running, its watchdog, the logs.
trap 'watched_suite_stop; rm -rf "$logs"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
summary=()
failed=0
for line in "${lines[@]}"; do
  bin="$(bash scripts/node-line.sh "$line")"
  version="$(PATH="$bin:$PATH" node --version)"
  echo "== test: Node $version ($line)"
  started=$SECONDS
  # `npm test` builds (pretest) and runs mocha, both on the `node` first on PATH; every process
  # the tests start runs on process.execPath, the same binary.
  watched_suite "$logs" "$line" "$limit" env PATH="$bin:$PATH" npm test || failed=1
  elapsed=$((SECONDS - started))
  summary+=("Node $version: $WATCHED_VERDICT, $((elapsed / 60)) min $((elapsed % 60)) s" "${WATCHED_DETAILS[@]}")
done

# --- The Docker-backed part (needs root: it starts a Docker engine if none runs) ---
# The tests that start, kill and restart servers and ensembles, and the Curator interop, again
# with every ZooKeeper in a container (testcontainers); then docker-compose.yml's ensemble and a
# smoke test through each member. dist/ is the one the last line's `npm test` just built and tested.
# ZKURATOR_TEST_DOCKER=0 leaves it out (a machine where no Docker engine can run).
if [ "${ZKURATOR_TEST_DOCKER:-1}" != 0 ]; then
  echo "== test: Docker-backed part"
  started=$SECONDS
  status=0
  bash scripts/test-docker.sh --ci --no-build || status=$?
  elapsed=$((SECONDS - started))
  verdict=passed
  if [ "$status" -ne 0 ]; then verdict="FAILED (exit $status)"; failed=1; fi
  summary+=("Docker-backed part: $verdict, $((elapsed / 60)) min $((elapsed % 60)) s")
fi

echo "== test: summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
