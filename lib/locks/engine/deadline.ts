// One deadline per acquire (curator-wire-format.md §1): it covers the create, the listings
// and every wait. ZooKeeper requests already sent are not cut short (the server answers them
// in milliseconds, and a dropped connection fails them at once); the deadline is checked
// between steps and bounds every wait. The caller's AbortSignal and the client closing
// interrupt everything.
import { ClientClosedError, LockTimeoutError } from '../../errors.js';
import { setLongTimeout } from '../../util/timer.js';
import type { ZkClient } from '../../framework/zk-client.js';

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
  /** The client's time without a connection when the acquire began (see timeoutError). */
  private readonly disconnectedAtStart: number;
  private readonly generationAtStart: number;

  constructor(
    private readonly client: ZkClient,
    private readonly lockPath: string,
    /** ms; undefined waits forever, 0 is a try-lock. */
    readonly timeoutMs: number | undefined,
    readonly signal: AbortSignal | undefined,
    /** The caller's progress callback, told each time the acquire has to wait. */
    readonly onQueued?: (position: QueuePosition) => void,
  ) {
    this.expiresAt = timeoutMs === undefined || timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    this.disconnectedAtStart = client.disconnectedMs;
    this.generationAtStart = client.sessionGeneration;
  }

  /** Milliseconds left (Infinity when waiting forever, 0 once expired). */
  remaining(): number {
    return Math.max(0, this.expiresAt - performance.now());
  }

  /**
   * The timeout, said as an outage when the connection was down for part of the wait (or is
   * down now): for how long, whether the session was replaced, and the connection's problem as
   * the cause. A timeout across an outage is not contention, and must not read like it.
   */
  timeoutError(): LockTimeoutError {
    const timeoutMs = this.timeoutMs ?? Infinity;
    const client = this.client;
    // Of the wait: a timer that fires late must not make the outage longer than the timeout.
    // Rounded up: an outage shorter than half a millisecond (a reconnect that found the server
    // at once) is still an outage, not "down for 0 ms" nor contention.
    const downMs = Math.min(client.disconnectedMs - this.disconnectedAtStart, timeoutMs);
    const stillDisconnected = !client.isConnected;
    if (downMs <= 0 && !stillDisconnected) return new LockTimeoutError(this.lockPath, timeoutMs);
    const disconnectedMs = Math.ceil(downMs);
    const lastConnectError = client.lastConnectError;
    const outage = {
      disconnectedMs, stillDisconnected, sessionRenewed: client.sessionGeneration !== this.generationAtStart,
      ...(lastConnectError === undefined ? {} : { lastConnectError }),
    };
    return new LockTimeoutError(this.lockPath, timeoutMs, outage, { cause: stillDisconnected ? client.connectFailure(disconnectedMs) : client.lastDisconnect });
  }

  /** Throws the abort reason, a closed-client error, or (with `timeout`) a timeout error. */
  check(timeout = true): void {
    if (this.signal?.aborted) throw this.signal.reason;
    if (this.client.isClosed) throw new ClientClosedError();
    if (timeout && this.remaining() <= 0) throw this.timeoutError();
  }

  /**
   * Waits for `promise`, but no longer than the deadline, the abort signal or the client.
   * `onGiveUp` runs if we stop waiting (or the promise rejects), so the caller can drop its
   * listener. The time left is read once, by the same check that admits the wait: a deadline
   * that passes in between cannot turn into anything but a LockTimeoutError. The timer takes
   * any length (setLongTimeout): a long timeout waits as long as asked.
   */
  async wait<T>(promise: Promise<T>, onGiveUp?: () => void): Promise<T> {
    const left = this.remaining();
    try {
      if (this.signal?.aborted) throw this.signal.reason;
      if (this.client.isClosed) throw new ClientClosedError();
      if (left <= 0) throw this.timeoutError();
    } catch (err) {
      onGiveUp?.(); // the caller registered something for this wait: let it go
      throw err;
    }
    return new Promise<T>((resolve, reject) => {
      const signal = this.signal;
      let settled = false;
      const cleanup = (): void => {
        settled = true;
        timer?.clear();
        signal?.removeEventListener('abort', onAbort);
        this.client.off('state', onState);
      };
      const fail = (err: unknown): void => {
        if (settled) return;
        cleanup();
        onGiveUp?.();
        reject(err);
      };
      const onAbort = (): void => fail(signal?.reason);
      const onState = (state: string): void => {
        if (state === 'CLOSED') fail(new ClientClosedError());
      };
      const timer = left === Infinity ? undefined : setLongTimeout(() => fail(this.timeoutError()), left);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.client.on('state', onState);
      promise.then((value) => {
        if (settled) return;
        cleanup();
        resolve(value);
      }, fail);
    });
  }
}
