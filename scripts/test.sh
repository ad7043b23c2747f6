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
suite=""
watchdog=""
# On the way out (done, Ctrl-C, killed): end the line still running, its watchdog, the logs.
stop_jobs() {
  for job in $suite $watchdog ${shower:-}; do kill -TERM -- "-$job" 2>/dev/null || true; done
  rm -rf "$logs"
}
trap stop_jobs EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
summary=()
failed=0
for line in "${lines[@]}"; do
  bin="$(bash scripts/node-line.sh "$line")"
  version="$(PATH="$bin:$PATH" node --version)"
  echo "== test: Node $version ($line)"
  started=$SECONDS
  status=0
  # `npm test` builds (pretest) and runs mocha, both on the `node` first on PATH; every process
  # the tests start runs on process.execPath, the same binary. It runs as a job (its own process
  # group, with every process it starts) that scripts/line-watchdog.sh ends if it outlives the
  # limit or does not exit once every test has ended.
  # Its output goes to a file that tail shows, not through a pipe: a process the suite left
  # behind holding the pipe would keep a `| tee` open after mocha exited, and the line would
  # look like a mocha that does not end.
  (PATH="$bin:$PATH" ZKURATOR_TEST_EXIT_MARK="$logs/$line.exit" exec npm test >"$logs/$line.log" 2>&1) &
  suite=$!
  bash scripts/line-watchdog.sh "$suite" "$logs/$line.log" "$limit" "$logs/$line" &
  watchdog=$!
  tail -n +1 -f "$logs/$line.log" &
  shower=$!
  wait "$suite" || status=$?
  kill -TERM -- "-$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  sleep 0.5 # tail's last read
  kill -TERM -- "-$shower" 2>/dev/null || true
  wait "$shower" 2>/dev/null || true
  # Every process a test starts must be gone when the suite is: list and end any left behind.
  # (a zombie is already dead: the process that would reap it was ended first)
  leftovers="$(ps -eo pid=,pgid=,stat=,etimes=,args= | awk -v g="$suite" '$2 == g && $3 !~ /^Z/' || true)"
  if [ -n "$leftovers" ]; then
    echo "test: the suite exited but left these processes running (pid, group, state, seconds, command):"
    printf '%s\n' "$leftovers" | cut -c1-400
    kill -KILL -- "-$suite" 2>/dev/null || true
    touch "$logs/$line.leftovers"
  fi
  suite=""
  watchdog=""
  counts="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/$line.log" | tail -n 1 || true)"
  elapsed=$((SECONDS - started))
  verdict=passed
  if [ -e "$logs/$line.overran" ]; then
    verdict="FAILED (still running after $limit s: ended; where it was is below)"; failed=1
  elif [ -e "$logs/$line.stuck" ] && [ -e "$logs/$line.node-shutdown" ] && [[ "$counts" =~ ^[0-9]+\ passed,\ 0\ failed$ ]] \
    && ! grep -q 'what keeps it alive:$' "$logs/$line.log"; then
    # every test passed and no handle was left open (exit-watch.ts said nothing); Node then hung
    # in its own shutdown (scripts/line-watchdog.sh tells this from the main thread's native stack)
    verdict="passed, then Node hung in its own shutdown ($(cat "$logs/$line.node-shutdown")): ended; where it was is below"
  elif [ -e "$logs/$line.stuck" ]; then
    verdict="FAILED (every test ended, but Node did not exit: where it was is below)"; failed=1
  elif grep -q 'what keeps it alive:$' "$logs/$line.log"; then
    verdict="FAILED (a handle kept the process alive after the last test: below)"; failed=1
  elif [ "$status" -ne 0 ]; then
    verdict="FAILED (exit $status)"; failed=1
  elif [ -e "$logs/$line.leftovers" ]; then
    verdict="FAILED (left processes running)"; failed=1
  fi
  summary+=("Node $version: $verdict, ${counts:-no test summary}, $((elapsed / 60)) min $((elapsed % 60)) s")
  # a line that had to be ended: where it was, again under the summary (a CI log may keep only its tail)
  if [ -e "$logs/$line.diagnosis" ]; then mapfile -t -O "${#summary[@]}" summary < "$logs/$line.diagnosis"; fi
  # and what exit-watch.ts found keeping the process alive, if it said so
  if grep -q 'what keeps it alive:$' "$logs/$line.log"; then
    mapfile -t -O "${#summary[@]}" summary < <(grep -A 12 'what keeps it alive:$' "$logs/$line.log" | cut -c1-300)
  fi
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
