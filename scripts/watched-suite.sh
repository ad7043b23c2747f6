# Sourced by scripts/test.sh (each Node line) and scripts/test-docker.sh (the Docker subset):
# runs one mocha run under watch and says how it ended. The caller has `set -m` on (every
# background job gets a process group of its own, so a run that must be ended is ended whole)
# and calls watched_suite_stop from its EXIT trap.
#
#   watched_suite <out-dir> <name> <limit-seconds> <command> [args...]
#
# The command's output goes to <out-dir>/<name>.log, which tail shows as it grows (no pipe: a
# process the run left behind holding a `| tee` would keep the pipeline open after mocha had
# exited). scripts/line-watchdog.sh ends the run if it outlives the limit, or if mocha has not
# exited $ZKURATOR_TEST_EXIT_GRACE s after its last test; test/support/exit-watch.ts (the
# suite's global teardown) lists what keeps a finished mocha alive and records how far it got on
# its way out. Sets:
#   WATCHED_VERDICT  "passed", or why not, with the test counts ("614 passed, 0 failed")
#   WATCHED_DETAILS  lines to repeat under a summary (a CI log may keep only its tail): where a
#                    stuck process was, what exit-watch found keeping it alive
# and returns 0 if the verdict is a pass.

watched_suite_jobs=""

watched_suite_stop() {
  local job
  for job in $watched_suite_jobs; do kill -TERM -- "-$job" 2>/dev/null || true; done
  watched_suite_jobs=""
}

watched_suite() {
  local out="$1" name="$2" limit="$3"
  shift 3
  local log="$out/$name.log" mark="$out/$name"
  local here suite watchdog shower status=0 leftovers counts kept_alive=no
  here="$(dirname "${BASH_SOURCE[0]}")"
  (ZKURATOR_TEST_EXIT_MARK="$mark.exit" exec "$@" >"$log" 2>&1) &
  suite=$!
  bash "$here/line-watchdog.sh" "$suite" "$log" "$limit" "$mark" &
  watchdog=$!
  tail -n +1 -f "$log" &
  shower=$!
  watched_suite_jobs="$suite $watchdog $shower"
  wait "$suite" || status=$?
  kill -TERM -- "-$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  sleep 0.5 # tail's last read
  kill -TERM -- "-$shower" 2>/dev/null || true
  wait "$shower" 2>/dev/null || true
  # Every process a test starts must be gone when the run is: list and end any left behind
  # (a zombie is already dead: the process that would reap it was ended first).
  leftovers="$(ps -eo pid=,pgid=,stat=,etimes=,args= | awk -v g="$suite" '$2 == g && $3 !~ /^Z/' || true)"
  if [ -n "$leftovers" ]; then
    echo "test: the run exited but left these processes running (pid, group, state, seconds, command):"
    printf '%s\n' "$leftovers" | cut -c1-400
    kill -KILL -- "-$suite" 2>/dev/null || true
  fi
  watched_suite_jobs=""

  counts="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)"
  counts="${counts:-no test summary}"
  # exit-watch.ts's message: a handle kept the finished process alive
  if grep -q 'what keeps it alive:$' "$log"; then kept_alive=yes; fi
  WATCHED_DETAILS=()
  if [ -e "$mark.diagnosis" ]; then mapfile -t WATCHED_DETAILS < "$mark.diagnosis"; fi
  if [ "$kept_alive" = yes ]; then
    mapfile -t -O "${#WATCHED_DETAILS[@]}" WATCHED_DETAILS < <(grep -A 12 'what keeps it alive:$' "$log" | cut -c1-300)
  fi
  if [ -e "$mark.overran" ]; then
    WATCHED_VERDICT="FAILED (still running after $limit s: ended; where it was is below), $counts"
  elif [ -e "$mark.stuck" ] && [ -e "$mark.node-shutdown" ] && [[ "$counts" =~ ^[0-9]+\ passed,\ 0\ failed$ ]] \
    && [ "$kept_alive" = no ]; then
    # every test passed and no handle was left open (exit-watch.ts said nothing); Node then hung
    # in its own teardown (scripts/line-watchdog.sh tells how it knows)
    WATCHED_VERDICT="passed, then Node hung in its own shutdown ($(cat "$mark.node-shutdown")): ended; where it was is below, $counts"
    return 0
  elif [ -e "$mark.stuck" ]; then
    WATCHED_VERDICT="FAILED (every test ended, but Node did not exit: where it was is below), $counts"
  elif [ "$kept_alive" = yes ]; then
    WATCHED_VERDICT="FAILED (a handle kept the process alive after the last test: below), $counts"
  elif [ "$status" -ne 0 ]; then
    WATCHED_VERDICT="FAILED (exit $status), $counts"
  elif [ -n "$leftovers" ]; then
    WATCHED_VERDICT="FAILED (left processes running), $counts"
  else
    WATCHED_VERDICT="passed, $counts"
    return 0
  fi
  return 1
}
