// The clock half of loss detection. A holder paused longer than the session timeout (a GC
// pause, SIGSTOP, an event loop blocked by CPU work) may have lost its lock without any event
// telling it: the client only notices once its own timers or sockets get a turn, and timers
// that came due during the pause run in the order they came due. So holds also judge
// themselves by the clock (ZkClient.sessionAliveUntil): synchronously whenever the lease's
// signal, validFor() or assertValid() is read, and from this watchdog, a timer that runs every
// WATCHDOG_INTERVAL_MS while a client has holds, so that after a pause it is among the first
// overdue timers to run: only a timer that came due within that interval after the
// watchdog's last run can run before it.
import type { ZkClient } from '../../framework/zk-client.js';

/** How often the watchdog looks at the clock while a client has holds. */
export const WATCHDOG_INTERVAL_MS = 100;

/** A hold that judges itself by the clock. */
export interface ClockWatched {
  /** Called when the client's session is no longer surely alive. */
  checkClock(): void;
}

class Watchdog {
  private readonly holds = new Set<ClockWatched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly client: ZkClient) {}

  add(hold: ClockWatched): void {
    this.holds.add(hold);
    if (this.timer) return;
    // One timer per client, re-armed in place; unref'd: it must not keep a process alive.
    this.timer = setTimeout(this.tick, WATCHDOG_INTERVAL_MS);
    this.timer.unref();
  }

  delete(hold: ClockWatched): void {
    this.holds.delete(hold); // the timer stops at its next run if no hold is left
  }

  private readonly tick = (): void => {
    if (this.holds.size === 0 || this.client.isClosed) {
      this.timer = undefined;
      return;
    }
    if (this.client.sessionAliveUntil <= performance.now()) {
      for (const hold of [...this.holds]) hold.checkClock();
    }
    this.timer?.refresh();
  };
}

const watchdogs = new WeakMap<ZkClient, Watchdog>();

/** The watchdog of this client's holds. */
export function watchdogOf(client: ZkClient): Watchdog {
  let dog = watchdogs.get(client);
  if (!dog) watchdogs.set(client, (dog = new Watchdog(client)));
  return dog;
}
