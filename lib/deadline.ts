// One deadline per acquire (curator-wire-format.md §1): it covers the create, the listings
// and every wait. ZooKeeper requests already sent are not cut short (the server answers them
// in milliseconds, and a dropped connection fails them at once); the deadline is checked
// between steps and bounds every wait. The caller's AbortSignal and the client closing
// interrupt everything.
import pTimeout from 'p-timeout';
import { ClientClosedError, LockTimeoutError } from './errors.js';
import type { ZkClient } from './zk-client.js';

/** Where an acquire stands in the queue while it waits (see AcquireOptions.onQueued). */
export interface QueuePosition {
  /** Full path of our lock node. */
  readonly node: string;
  /** How many nodes sort before ours (holders and earlier waiters). */
  readonly ahead: number;
  /** Full path of the one node we wait on. */
  readonly watching: string;
}

export class Deadline {
  private readonly expiresAt: number;

  constructor(
    private readonly client: ZkClient,
    private readonly lockPath: string,
    /** ms; undefined waits forever, 0 is a try-lock. */
    readonly timeoutMs: number | undefined,
    readonly signal: AbortSignal | undefined,
    /** The caller's progress callback, told each time the acquire has to wait. */
    readonly onQueued?: (position: QueuePosition) => void,
  ) {
    this.expiresAt = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
  }

  /** Milliseconds left (Infinity when waiting forever, 0 once expired). */
  remaining(): number {
    return Math.max(0, this.expiresAt - performance.now());
  }

  timeoutError(): LockTimeoutError {
    return new LockTimeoutError(this.lockPath, this.timeoutMs ?? Infinity);
  }

  /** Throws the abort reason, a closed-client error, or (with `timeout`) a timeout error. */
  check(timeout = true): void {
    if (this.signal?.aborted) throw this.signal.reason;
    if (this.client.isClosed) throw new ClientClosedError();
    if (timeout && this.remaining() <= 0) throw this.timeoutError();
  }

  /**
   * Waits for `promise`, but no longer than the deadline, the abort signal or the client.
   * `onGiveUp` runs if we stop waiting, so the caller can drop its listener.
   */
  async wait<T>(promise: Promise<T>, onGiveUp?: () => void): Promise<T> {
    try {
      this.check();
    } catch (err) {
      onGiveUp?.(); // the caller registered something for this wait: let it go
      throw err;
    }
    let offState: (() => void) | undefined;
    const closed = new Promise<never>((_resolve, reject) => {
      const onState = (state: string): void => {
        if (state === 'CLOSED') reject(new ClientClosedError());
      };
      this.client.on('state', onState);
      offState = () => this.client.off('state', onState);
    });
    try {
      return await pTimeout(Promise.race([promise, closed]), {
        milliseconds: this.remaining(),
        message: this.timeoutError(),
        ...(this.signal ? { signal: this.signal } : {}),
      });
    } catch (err) {
      onGiveUp?.();
      throw err;
    } finally {
      offState?.();
    }
  }
}
