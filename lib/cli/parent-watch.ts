// Noticing that the process that started us has ended. `npx zkurator dev-server &` then
// `kill $!` signals npm, which passes the signal to the `sh -c` it runs the command with, and
// that shell dies without passing it on: the dev-server is left running, re-parented, with
// nobody to stop it. Node has no "parent died" event, so the parent pid is compared with the
// one we started with, every `intervalMs`.
import { clearInterval, setInterval } from 'node:timers';

/** Stops watching. */
export type StopWatching = () => void;

/**
 * Calls `onGone` once when this process's parent has ended (it was re-parented). Does nothing
 * when the parent is pid 1 from the start: init never ends, and a process started by it has no
 * parent to outlive.
 */
export function whenParentEnds(onGone: () => void, intervalMs = 500): StopWatching {
  const parent = process.ppid;
  if (parent <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref(); // the dev-server is kept alive by its server, not by this check
  return () => clearInterval(timer);
}
