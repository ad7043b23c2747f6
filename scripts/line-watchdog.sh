#!/usr/bin/env bash
# Watches one mocha run (a Node line of scripts/test.sh, or test-docker.sh's Docker subset;
# scripts/watched-suite.sh runs it as a job: process group $1, output in $2) and ends it when it
# must:
# - it outlives the line's limit ($3 seconds): marks $4.overran;
# - every test has ended (mocha's "N passed, N failed" line is in the output) but the mocha
#   process is still there $GRACE seconds later (ZKURATOR_TEST_EXIT_GRACE, default 90): marks $4.stuck.
#   test/support/exit-watch.ts makes a mocha kept alive by an open handle list it and exit within 30 s; a process still
#   there after that is stuck in Node itself (its shutdown), not in a test.
# Before ending it, it prints where the process is: each thread's state, kernel wait channel
# and CPU time, and the native stacks if gdb is installed.
set -uo pipefail
group="$1" log="$2" limit="$3" mark="$4"
GRACE="${ZKURATOR_TEST_EXIT_GRACE:-90}"
started=$SECONDS
ended_at=""

alive() { kill -0 -- "-$group" 2>/dev/null; }

describe() {
  echo "test: processes of the line (pid, state, seconds, cpu, command):"
  ps -eo pid=,pgid=,stat=,etimes=,time=,args= | awk -v g="$group" '$2 == g' | cut -c1-300
  for pid in $(ps -eo pid=,pgid=,args= | awk -v g="$group" '$2 == g && /\/mocha( |$)/ {print $1}'); do
    echo "test: threads of pid $pid (name, state, wait channel, user+system ticks, then again 5 s later):"
    threads "$pid" > "$mark.threads.$pid.a"
    sleep 5
    threads "$pid" > "$mark.threads.$pid.b"
    sampled "$pid"
    if command -v gdb >/dev/null; then
      echo "test: native stacks of pid $pid:"
      timeout 60 gdb -p "$pid" -batch -nx -ex 'set pagination off' -ex 'thread apply all bt 40' 2>&1 \
        | grep -E '^(Thread|#|ptrace|Could not|warning: process)' | sed -E 's/^(#[0-9]+) +(0x[0-9a-f]+ in )?(.*)$/  \1 \3/; s/^(  #[0-9]+ [^ ]+) \(.*/\1/; s/^(Thread [0-9]+) .*(LWP [0-9]+).*/\1 (\2)/' \
        | tee "$mark.stacks.$pid" | head -500
    fi
  done
}

# One line per thread of $1: name, state, kernel wait channel, user+system ticks so far.
threads() {
  local task stat wchan
  for task in /proc/"$1"/task/*; do
    read -r -a stat < "$task/stat" 2>/dev/null || continue
    wchan="$(cat "$task/wchan" 2>/dev/null)"
    # fields after the name: 3 state ... 14 utime 15 stime (node's thread names have no spaces)
    printf '  %s %s %s %s %s\n' "${task##*/}" "$(cat "$task/comm" 2>/dev/null | tr ' ' _)" "${stat[2]}" "${wchan:--}" "$((stat[13] + stat[14]))"
  done
}

# The two samples of pid $1's threads side by side: tid, name, state, wait channel, ticks then
# and 5 s later.
sampled() {
  paste -d' ' "$mark.threads.$1.a" <(awk '{print $NF}' "$mark.threads.$1.b") 2>/dev/null
}

# The main thread's frames (its LWP is the pid) of the mocha process, from the stacks above.
main_thread_frames() {
  local file
  for file in "$mark".stacks.*; do
    [ -e "$file" ] || continue
    awk -v lwp="(LWP ${file##*.})" '/^Thread / { on = index($0, lwp) > 0; next } on' "$file"
  done
}

# Whether the stuck process is in Node's own teardown, not in a test or the library, from any of
# three signs (the first needs no debugger; the third is below, main_thread_parked):
# - test/support/exit-watch.ts wrote "exit 0" to $mark.exit: the process emitted its 'exit'
#   event with every test passed, so the last JavaScript had run; what follows is Node's
#   environment cleanup, isolate disposal and platform shutdown;
# - the main thread's native stack is in Node's platform: its task drain (run between event
#   loop turns too) or worker-thread join (nodejs/node#54918, #64274 have these frames).
# Writes the reason to $mark.node-shutdown, and a short diagnosis to $mark.diagnosis that
# scripts/watched-suite.sh repeats under the run's summary (a CI log may keep only its tail).
classify_stuck() {
  local stage frame pid
  stage="$(tail -n 1 "$mark.exit" 2>/dev/null)"
  frame="$(main_thread_frames | grep -oE 'node::(NodePlatform::DrainTasks|NodePlatform::Shutdown|WorkerThreadsTaskRunner::[A-Za-z]+|PerIsolatePlatformData::FlushForegroundTasksInternal|FreeEnvironment|Environment::RunCleanup)' | head -n 1)"
  if [ "$stage" = "exit 0" ]; then
    echo "after its 'exit' event (code 0)${frame:+, main thread in $frame}" > "$mark.node-shutdown"
  elif [ -n "$frame" ]; then
    echo "main thread in $frame" > "$mark.node-shutdown"
  elif [ "$stage" = teardown ] && [ -z "$(main_thread_frames)" ] && main_thread_parked; then
    echo "main thread asleep on a lock, no JavaScript run since the last test" > "$mark.node-shutdown"
  fi
  {
    echo "  how far it got on its way out (exit-watch.ts): $(paste -sd' ' "$mark.exit" 2>/dev/null || echo 'nothing written')"
    for pid in $(ls "$mark".threads.*.b 2>/dev/null | sed -E 's/.*\.threads\.([0-9]+)\.b$/\1/'); do
      echo "  main thread (tid, name, state, wait channel, ticks, 5 s later): $(sampled "$pid" | awk -v p="$pid" '$1 == p' | sed 's/^ *//')"
      echo "  busiest threads: $(sampled "$pid" | awk '{print $NF - $(NF-1), $2, $3}' | sort -rn | head -n 3 | paste -sd',' -)"
    done
    if [ -n "$(main_thread_frames)" ]; then
      echo "  main thread's native stack, innermost first:"
      # frames gdb cannot name (JavaScript and JIT code) as one line per run of them
      main_thread_frames | awk '/^  #[0-9]+ \?\?$/ { n++; next } n { print "  (" n " frames of JavaScript or JIT code)"; n = 0 } { print } END { if (n) print "  (" n " frames of JavaScript or JIT code)" }' \
        | cut -c1-200 | head -n 30
    else
      echo "  no native stack of the main thread (gdb $(command -v gdb >/dev/null && echo 'could not attach or unwind' || echo 'not installed'))$(cat "$mark".stacks.* 2>/dev/null | grep -vE '^(Thread|  #)' | head -n 1 | sed 's/^/: /')"
    fi
  } > "$mark.diagnosis"
}

# The third sign, for when no native stack could be taken (a machine that refuses ptrace): the
# event loop never emptied (no "beforeExit"), yet exit-watch.ts's 30 s timer never ran either,
# so no JavaScript has run since the teardown; and the main thread sleeps on a futex (a lock or
# condition variable: Node's platform, as in the task drain between loop turns) and used no CPU
# in 5 s. JavaScript cannot sleep on a futex by itself (no Atomics.wait in the suite); a busy
# loop would be running, a synchronous child process waiting in epoll.
main_thread_parked() {
  local pid
  for pid in $(ls "$mark".threads.*.b 2>/dev/null | sed -E 's/.*\.threads\.([0-9]+)\.b$/\1/'); do
    sampled "$pid" | awk -v p="$pid" '$1 == p && $3 == "S" && $4 ~ /^futex/ && $6 == $5 { found = 1 } END { exit !found }' && return 0
  done
  return 1
}

# Says where the line is, and what that means, before ending it: scripts/watched-suite.sh stops this
# watchdog as soon as the line has ended, so nothing may be left to do after the kill.
stop() {
  describe
  classify_stuck
  kill -TERM -- "-$group" 2>/dev/null
  for _ in $(seq 1 30); do alive || return; sleep 1; done
  kill -KILL -- "-$group" 2>/dev/null
}

while alive; do
  sleep 2
  if [ $((SECONDS - started)) -ge "$limit" ]; then
    touch "$mark.overran"
    echo "test: the line is still running after $limit s: ending it"
    stop
    break
  fi
  if [ -z "$ended_at" ] && grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$log" 2>/dev/null; then ended_at=$SECONDS; fi
  if [ -n "$ended_at" ] && [ $((SECONDS - ended_at)) -ge "$GRACE" ]; then
    touch "$mark.stuck"
    echo "test: every test ended $GRACE s ago, but the mocha process has not exited: ending it"
    stop
    break
  fi
done
