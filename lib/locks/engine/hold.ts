// One held lock node over its lifetime: held -> (suspended -> held)* -> lost | released.
// It turns connection states and our own node's watch into the lease's AbortSignal, under
// the lock's loss policy. Re-entrant leases of one flow share one Hold.
import { LockLostError, NotHeldError, RevokeRequestedError, type LockLossReason } from '../../errors.js';
import type { HoldStatus, Lease, LeaseOwner } from './lease.js';
import { watchdogOf, type ClockWatched } from './lease-watchdog.js';
import { clockCheckedSignal } from './clock-checked-signal.js';
import type { HeldNode, LockEngine } from './lock-engine.js';
import { reportHoldEnded, reportHoldStarted } from '../../framework/lock-events.js';
import type { ConnectionState, LossPolicy, ZkClient } from '../../framework/zk-client.js';

/** What a Hold needs from the lock that made it. */
export interface HoldHost {
  readonly path: string;
  readonly engine: LockEngine;
  /** Revocation requests in our node's data are passed on to the leases (Curator's makeRevocable); default false. */
  readonly revocable?: boolean;
  createLease(owner: LeaseOwner): Lease;
}

/**
 * Runs an application's revocation listener. What it throws (or rejects with) is its own
 * business: the library must not crash or print, and the other listeners still run.
 */
function callListener(listener: () => unknown): void {
  try {
    const result = listener();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // ignored: see above
  }
}

function releasedError(lockPath: string): LockLostError {
  return new LockLostError(lockPath, 'the lease was released', 'RELEASED');
}

export class Hold implements LeaseOwner, ClockWatched {
  readonly leases: Lease[] = [];
  private state: HoldStatus = 'held';
  /** Made when the signal is first read: most holds never look at it, and it is not free. */
  private controller: AbortController | undefined;
  /** Why the signal must start aborted if it is first read after a loss or release. */
  private abortReason: LockLostError | undefined;
  private lostError: LockLostError | undefined;
  private readonly safeWaiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  private readonly onState = (s: ConnectionState): void => this.onConnectionState(s);
  /** The revocation request the leases were last told of (its mzxid; 0n: none yet). */
  private notifiedRevokeZxid = 0n;
  /** Made when a lease's revokeSignal is first read. */
  private revokeController: AbortController | undefined;
  private readonly revokeListeners = new Set<() => unknown>();
  /** When the hold began, for its hold time. */
  private readonly heldSince = performance.now();

  constructor(
    private readonly host: HoldHost,
    readonly node: HeldNode,
    private readonly policy: LossPolicy,
  ) {
    const client = host.engine.client;
    reportHoldStarted(client);
    client.on('state', this.onState);
    node.onChange = () => void this.onOwnNodeChanged();
    // The session may have moved on between our acquire and now.
    if (client.sessionGeneration !== node.generation) this.lose('SESSION_LOST', 'the session that created our node is gone');
    else if (!client.isConnected) this.onConnectionState('SUSPENDED');
    if (this.state !== 'lost') watchdogOf(client).add(this);
    // A request written while we still waited in the queue counts (Curator's listener hears it too).
    this.checkRevoke();
    // The own-node watch (NODE_DELETED) is armed once the acquire's caller has had its turn: a
    // lock released at once never sets it, so its delete brings no watch event back (one reply
    // fewer per cycle). A tick queued from here runs after the promise jobs queued by the
    // reply that granted the lock (the caller's turn, in which a quick release happens), and
    // before any other I/O is handled: the read leaves as early as a holder's watch can.
    if (!node.ownWatchArmed) process.nextTick(() => this.armDeferredWatch());
  }

  get lockPath(): string {
    return this.host.path;
  }

  /** The client the node was created with. */
  get client(): ZkClient {
    return this.host.engine.client;
  }

  /** The parent of the node (the lock path; a semaphore's `<path>/leases`). */
  get basePath(): string {
    return this.host.engine.basePath;
  }

  get nodePath(): string {
    return this.node.path;
  }

  get status(): HoldStatus {
    return this.state;
  }

  /** Aborted once the lock may no longer be held (per policy); a fresh one after recovery. */
  get signal(): AbortSignal {
    this.checkClock();
    if (!this.controller) {
      this.controller = new AbortController();
      // A signal captured before a pause (withLock's `signal` argument) reads aborted at once after it.
      clockCheckedSignal(this.controller.signal, () => this.checkClock());
      if (this.abortReason) this.controller.abort(this.abortReason);
      else if (this.state === 'released') this.controller.abort(releasedError(this.lockPath));
    }
    return this.controller.signal;
  }

  /**
   * Milliseconds for which the lock is surely still ours, judged by the clock: until the
   * server could expire our session (a session timeout after the latest request it answered).
   * 0 once the lock may be lost (the signal is aborted, or that time has passed).
   */
  validFor(): number {
    this.checkClock();
    if (this.abortReason || (this.state !== 'held' && this.state !== 'suspended')) return 0;
    return Math.max(0, this.host.engine.client.sessionAliveUntil - performance.now());
  }

  /** Throws the LockLostError that says why, unless the lock is surely ours for more than `minMs`. */
  assertValid(minMs: number): void {
    const left = this.validFor();
    if (left > minMs) return;
    if (this.abortReason) throw this.abortReason;
    if (this.state === 'released') throw releasedError(this.lockPath);
    throw new LockLostError(this.lockPath, `the lock is surely held for ${Math.floor(left)} ms more, not the ${minMs} ms asked for`, 'SESSION_UNCONFIRMED');
  }

  /**
   * The clock check (see lease-watchdog.ts): once a whole session timeout has passed since a
   * server last answered for our session, the server may have expired it and handed the lock
   * on, whatever the client has noticed so far. Abort the signal (under either policy) and ask
   * the server: a reply means the session, and with it our node, is still there.
   */
  checkClock(): void {
    if (this.abortReason || (this.state !== 'held' && this.state !== 'suspended')) return;
    const client = this.host.engine.client;
    if (client.sessionAliveUntil > performance.now()) return;
    client.checkSessionClock(); // disconnected: the client gives the session up now (LOST)
    if (this.abortReason || (this.state !== 'held' && this.state !== 'suspended')) return;
    this.state = 'suspended';
    this.abort(sessionUnconfirmed(this.lockPath));
    void this.verifyAfterReconnect();
  }

  get fencingToken(): bigint {
    return this.node.czxid;
  }

  get revocable(): boolean {
    return this.host.revocable === true;
  }

  /** A revocation of our node has been requested while we held it (or waited for it). */
  get revokeRequested(): boolean {
    return this.notifiedRevokeZxid !== 0n;
  }

  /** Aborts (reason: RevokeRequestedError) at the first revocation request. */
  get revokeSignal(): AbortSignal {
    if (!this.revokeController) {
      this.revokeController = new AbortController();
      if (this.revokeRequested) this.revokeController.abort(new RevokeRequestedError(this.lockPath, this.nodePath));
    }
    return this.revokeController.signal;
  }

  /**
   * Calls `listener` at every revocation request while held; once soon (a microtask) if one
   * is already pending. Returns the function that removes it.
   */
  onRevokeRequested(listener: () => unknown): () => void {
    this.revokeListeners.add(listener);
    if (this.revokeRequested) {
      queueMicrotask(() => {
        if (this.revokeListeners.has(listener)) callListener(listener);
      });
    }
    return () => {
      this.revokeListeners.delete(listener);
    };
  }

  /** Tells the leases of a revocation request our own-node read found, once per request. */
  private checkRevoke(): void {
    if (!this.host.revocable || (this.state !== 'held' && this.state !== 'suspended')) return;
    if (this.node.revokeZxid <= this.notifiedRevokeZxid) return;
    this.notifiedRevokeZxid = this.node.revokeZxid;
    const signal = this.revokeController?.signal;
    if (signal && !signal.aborted) this.revokeController?.abort(new RevokeRequestedError(this.lockPath, this.nodePath));
    // A listener may release at once: the ones after it are then no longer registered.
    for (const listener of [...this.revokeListeners]) if (this.revokeListeners.has(listener)) callListener(listener);
  }

  /** Still usable for re-entry by its flow. */
  get active(): boolean {
    return this.leases.length > 0;
  }

  newLease(): Lease {
    if (this.state === 'lost') throw this.lostError ?? new LockLostError(this.lockPath, 'the lock was lost');
    const lease = this.host.createLease(this);
    this.leases.push(lease);
    return lease;
  }

  async releaseLease(lease: Lease): Promise<void> {
    const at = this.leases.indexOf(lease);
    if (at < 0) throw new NotHeldError(`lease on ${this.lockPath} is not part of this hold`);
    this.leases.splice(at, 1);
    if (this.leases.length > 0) return;
    const wasLost = this.state === 'lost';
    this.finish('released');
    // A lost node belongs to a dead session or was deleted: never touch the path again.
    if (!wasLost) await this.host.engine.release(this.node);
  }

  /** Resolves when the hold is certain again; rejects with LockLostError once it is lost. */
  untilSafe(): Promise<void> {
    if (this.state === 'held') return Promise.resolve();
    if (this.state === 'released') return Promise.reject(new NotHeldError(`the lease on ${this.lockPath} was released`));
    if (this.state === 'lost') return Promise.reject(this.lostError);
    return new Promise((resolve, reject) => this.safeWaiters.add({ resolve, reject }));
  }

  private onConnectionState(s: ConnectionState): void {
    if (this.state === 'lost' || this.state === 'released') return;
    switch (s) {
      case 'SUSPENDED':
        this.state = 'suspended';
        // A process paused past the session timeout often learns of it first from the dropped
        // connection: the clock's verdict is then the truer reason (the client is not asked to
        // give the session up here: its state listeners are still being told of SUSPENDED).
        if (this.host.engine.client.sessionAliveUntil <= performance.now()) {
          this.abort(sessionUnconfirmed(this.lockPath));
        } else if (this.policy === 'suspended') {
          this.abort(new LockLostError(this.lockPath, 'the connection to ZooKeeper dropped: the lock may be lost (it may come back if the session survives)', 'SUSPENDED'));
        }
        break;
      case 'RECONNECTED':
        void this.verifyAfterReconnect();
        break;
      case 'LOST':
        this.lose('SESSION_LOST', 'the ZooKeeper session was lost: our lock node is gone');
        break;
      case 'CLOSED':
        this.lose('CLIENT_CLOSED', 'the client was closed');
        break;
      default:
        break;
    }
  }

  /** Same session back: the node should still be there. Check before calling it safe. */
  private async verifyAfterReconnect(): Promise<void> {
    const client = this.host.engine.client;
    try {
      const stat = this.node.ownWatchArmed ? await client.exists(this.node.path) : await this.host.engine.armOwnWatch(this.node);
      this.checkRevoke();
      if (this.state !== 'suspended') return;
      if (!this.host.engine.isOurs(stat, this.node.generation)) {
        this.lose('NODE_DELETED', `our lock node ${this.node.path} is gone`);
        return;
      }
      // Answered: the session is alive again by the clock too (the watchdog may have run).
      if (client.sessionAliveUntil <= performance.now()) return;
      this.state = 'held';
      this.abortReason = undefined;
      if (this.controller?.signal.aborted) this.controller = undefined; // a fresh one on next read
      for (const w of this.safeWaiters) w.resolve();
      this.safeWaiters.clear();
    } catch {
      // another state change (SUSPENDED again, LOST) will decide
    }
  }

  /** Released in the caller's turn: nothing to watch. Disconnected: reconnect verifies it. */
  private armDeferredWatch(): void {
    if (this.state === 'held' && !this.node.ownWatchArmed && this.host.engine.client.isConnected) void this.onOwnNodeChanged();
  }

  /** Arms (or re-arms) the own-node watch; a missing node means someone deleted it. */
  private async onOwnNodeChanged(): Promise<void> {
    if (this.state === 'lost' || this.state === 'released') return;
    try {
      // Re-arm: a data change (e.g. a revocation request) leaves the node in place.
      const stat = await this.host.engine.armOwnWatch(this.node);
      this.checkRevoke();
      if (!stat && (this.state === 'held' || this.state === 'suspended')) {
        this.lose('NODE_DELETED', `our lock node ${this.node.path} was deleted by someone else`);
      }
    } catch {
      // connection trouble: the state events decide
    }
  }

  private abort(err: LockLostError): void {
    this.abortReason ??= err;
    if (this.controller && !this.controller.signal.aborted) this.controller.abort(this.abortReason);
  }

  private lose(reason: LockLossReason, message: string): void {
    if (this.state === 'lost' || this.state === 'released') return;
    this.lostError = new LockLostError(this.lockPath, message, reason);
    this.abort(this.lostError);
    for (const w of this.safeWaiters) w.reject(this.lostError);
    this.finish('lost');
  }

  private finish(state: 'lost' | 'released'): void {
    const ended = this.state !== 'lost' && this.state !== 'released'; // a lost hold released later ended already
    this.state = state;
    if (ended) {
      const engine = this.host.engine;
      reportHoldEnded(engine.client, this.host.path, engine.driver.lockName, this.node.path, performance.now() - this.heldSince,
        state === 'lost' ? this.lostError?.reason : undefined);
    }
    this.host.engine.client.off('state', this.onState);
    watchdogOf(this.host.engine.client).delete(this);
    this.node.onChange = () => undefined;
    this.revokeListeners.clear();
    if (state === 'released') {
      // Errors (and their stack traces) only for someone who looks: most holds are released
      // without their signal ever being read.
      if (this.controller && !this.controller.signal.aborted) this.abort(releasedError(this.lockPath));
      if (this.safeWaiters.size > 0) {
        const err = new NotHeldError(`the lease on ${this.lockPath} was released`);
        for (const w of this.safeWaiters) w.reject(err);
      }
    }
    this.safeWaiters.clear();
  }
}

/** A lease's clock has run out: a whole session timeout without a server answering for the session. */
function sessionUnconfirmed(lockPath: string): LockLostError {
  return new LockLostError(lockPath, 'no ZooKeeper server has answered for our session for a whole session timeout (was the process paused?): the server may have expired it and given the lock to someone else', 'SESSION_UNCONFIRMED');
}
