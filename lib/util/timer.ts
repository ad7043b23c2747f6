// Timers of any length. Node's setTimeout takes at most 2**31-1 ms: a longer delay fires after
// 1 ms and prints a TimeoutOverflowWarning. Every wait the caller sizes (acquire timeouts,
// connect timeouts) goes through setLongTimeout, which chains timers of at most that length
// and never prints. Infinity means "never": no timer at all.

/** The longest delay setTimeout honours (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer made by {@link setLongTimeout}. */
export interface LongTimer {
  /** Cancels it; the callback will not run. Idempotent. */
  clear(): void;
  /** Lets the process exit while only this timer is pending (like `Timeout.unref()`). */
  unref(): LongTimer;
  /** Undoes {@link unref}. */
  ref(): LongTimer;
}

class ChainedTimer implements LongTimer {
  private timer: NodeJS.Timeout | undefined;
  private refed = true;
  private done = false;
  private readonly dueAt: number;

  constructor(private readonly callback: () => void, delayMs: number, private readonly maxSliceMs: number) {
    const delay = Number.isNaN(delayMs) || delayMs < 0 ? 0 : delayMs;
    this.dueAt = performance.now() + delay;
    if (Number.isFinite(this.dueAt)) this.arm(delay);
    else this.done = true; // Infinity: never fires
  }

  private arm(leftMs: number): void {
    // At least 1 ms (what setTimeout does with less anyway), at most one slice.
    this.timer = setTimeout(this.step, Math.min(Math.max(1, Math.ceil(leftMs)), this.maxSliceMs));
    if (!this.refed) this.timer.unref();
  }

  private readonly step = (): void => {
    this.timer = undefined;
    if (this.done) return;
    // A slice ended, or Node's millisecond clock fired a little before ours: go on.
    const left = this.dueAt - performance.now();
    if (left > 0) {
      this.arm(left);
      return;
    }
    this.done = true;
    this.callback();
  };

  clear(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  unref(): LongTimer {
    this.refed = false;
    this.timer?.unref();
    return this;
  }

  ref(): LongTimer {
    this.refed = true;
    this.timer?.ref();
    return this;
  }
}

/**
 * Runs `callback` once, `delayMs` milliseconds from now (measured on `performance.now()`),
 * for any delay: up to Number.MAX_SAFE_INTEGER and beyond, chained in slices of at most
 * {@link MAX_TIMER_MS}; `Infinity` never fires (and holds no timer). A negative or NaN delay
 * counts as 0. It never fires early and never prints a warning.
 *
 * @param maxSliceMs the longest single setTimeout (tests shorten it to see the chaining).
 */
export function setLongTimeout(callback: () => void, delayMs: number, maxSliceMs = MAX_TIMER_MS): LongTimer {
  return new ChainedTimer(callback, delayMs, Math.max(1, Math.min(maxSliceMs, MAX_TIMER_MS)));
}
