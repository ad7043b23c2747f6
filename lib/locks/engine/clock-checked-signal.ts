// An AbortSignal whose synchronous looks consult the clock first. A holder paused past its
// session timeout (GC, SIGSTOP, a blocked event loop) may have lost what it holds without any
// event having reached it yet; a signal captured before the pause (withLock's `signal`, a
// leader's `leadership.signal`) must read aborted at once after it, even before the watchdog's
// timer (lease-watchdog.ts) has had its turn. Shared by lock holds and leadership terms.

// AbortSignal's own accessors, called by the clock-checked ones.
const nativeAborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get! as (this: AbortSignal) => boolean;
const nativeThrowIfAborted = AbortSignal.prototype.throwIfAborted;

/**
 * Makes `signal.aborted` and `signal.throwIfAborted()` call `check` first; `check` aborts the
 * signal's controller when the clock says the session may be gone.
 */
export function clockCheckedSignal(signal: AbortSignal, check: () => void): AbortSignal {
  Object.defineProperty(signal, 'aborted', {
    configurable: true,
    get(this: AbortSignal): boolean {
      check();
      return nativeAborted.call(this);
    },
  });
  Object.defineProperty(signal, 'throwIfAborted', {
    configurable: true,
    writable: true,
    value(this: AbortSignal): void {
      check();
      nativeThrowIfAborted.call(this);
    },
  });
  return signal;
}
