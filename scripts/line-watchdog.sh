#!/usr/bin/env bash
# Watches one Node line of the suite (scripts/test.sh runs it as a job: process group $1, output
# in $2) and ends it when it must:
# - it outlives the line's limit ($3 seconds): marks $4.overran;
# - every test has ended (mocha's "N passed, N failed" line is in the output) but the mocha
#   process is still there $GRACE seconds later (ZKURATOR_TEST_EXIT_GRACE, default 90): marks $4.stuck. test/support/exit-watch.ts
#   makes a mocha kept alive by an open handle list it and exit within 30 s; a process still
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
  for pid in $(ps -eo pid=,pgid=,args= | awk -v g="$group" '$2 == g && /mocha/ && !/npm/ {print $1}'); do
    echo "test: threads of pid $pid (name, state, wait channel, user+system ticks):"
    for task in /proc/"$pid"/task/*; do
      read -r -a stat < "$task/stat" 2>/dev/null || continue
      # fields after the name: 3 state ... 14 utime 15 stime (the name has no spaces for node's threads)
      printf '  %s %s %s %s\n' "$(cat "$task/comm" 2>/dev/null)" "${stat[2]}" "$(cat "$task/wchan" 2>/dev/null)" "$((stat[13] + stat[14]))"
    done
    if command -v gdb >/dev/null; then
      echo "test: native stacks of pid $pid:"
      timeout 60 gdb -p "$pid" -batch -nx -ex 'set pagination off' -ex 'thread apply all bt 25' 2>/dev/null \
        | grep -E '^(Thread|#)' | sed -E 's/^(#[0-9]+) +(0x[0-9a-f]+ in )?(.*)$/  \1 \3/; s/^(  #[0-9]+ [^ ]+) \(.*/\1/; s/^(Thread [0-9]+) .*(LWP [0-9]+).*/\1 (\2)/' \
        | tee "$mark.stacks.$pid" | head -400
    fi
  done
}

# The main thread's frames (its LWP is the pid) of the mocha process, from the stacks above.
main_thread_frames() {
  local file
  for file in "$mark".stacks.*; do
    [ -e "$file" ] || continue
    awk -v lwp="(LWP ${file##*.})" '/^Thread / { on = index($0, lwp) > 0; next } on' "$file"
  done
}

# Where Node's own shutdown can hang after the last JavaScript has run (its platform's task
# drain and worker-thread join: nodejs/node#54918 and #47748 have these frames). A mocha process
# found there has run every test and closed every handle (exit-watch.ts would have said
# otherwise), so its results stand; the line says so instead of failing on a Node defect.
classify_stuck() {
  local frame
  frame="$(main_thread_frames | grep -oE 'node::(NodePlatform::DrainTasks|NodePlatform::Shutdown|WorkerThreadsTaskRunner::[A-Za-z]+|PerIsolatePlatformData::FlushForegroundTasksInternal)' | head -n 1)"
  if [ -n "$frame" ]; then echo "$frame" > "$mark.node-shutdown"; fi
}

stop() {
  describe
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
    classify_stuck
    break
  fi
done
