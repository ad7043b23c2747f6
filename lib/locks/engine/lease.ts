// What acquire() hands back: proof of one hold, released exactly once.
import { describeValue } from '../../util/describe-value.js';
import { LockLostError, NotHeldError, ValidationError } from '../../errors.js';
import type { HeldNode } from './lock-engine.js';

/** Where a hold stands. */
export type HoldStatus = 'held' | 'suspended' | 'lost' | 'released';

/**
 * The shared state of one held lock node and its re-entrant holds: how a Lease reaches its hold.
 * Not for applications, but kept in the declarations: Lease's declaration refers to it.
 */
export interface LeaseOwner {
  readonly lockPath: string;
  readonly nodePath: string;
  readonly node: HeldNode;
  readonly status: HoldStatus;
  readonly signal: AbortSignal;
  readonly fencingToken: bigint;
  readonly revocable: boolean;
  readonly revokeRequested: boolean;
  readonly revokeSignal: AbortSignal;
  onRevokeRequested(listener: () => unknown): () => void;
  untilSafe(): Promise<void>;
  validFor(): number;
  assertValid(minMs: number): void;
  releaseLease(lease: Lease): Promise<void>;
}

/**
 * One hold of a lock. Release it exactly once, with {@link Lease.release} or by disposal:
 * `await using lease = await mutex.acquire();`. Re-entrant holds share the node of the first
 * hold; the node is deleted when the last of them is released.
 */
export class Lease implements AsyncDisposable {
  #released = false;
  /** Removes this lease's revocation listeners (the hold may outlive it: re-entrant leases). */
  #revokeUnsubscribes: Array<() => void> = [];

  /** @internal */
  constructor(protected readonly owner: LeaseOwner) {}

  /** @internal The hold behind this lease (what the current flow holds: flow-holds.ts). */
  get holdOwner(): LeaseOwner {
    return this.owner;
  }

  /** Full path of the lock node backing this hold, e.g. `/locks/a/_c_…-lock-0000000003`. */
  get path(): string {
    return this.owner.nodePath;
  }

  /** The lock path this lease is on. */
  get lockPath(): string {
    return this.owner.lockPath;
  }

  /**
   * Aborts (reason: a LockLostError) as soon as the lock may no longer be held, per the loss
   * policy: on a dropped connection (`'suspended'`, the default) or only once the session is
   * gone (`'lost'`); also when our node is deleted, the client closes, or the lease is
   * released; and when no server has answered for our session for a whole session timeout
   * (a paused process: see {@link Lease.validFor}). Reading its `aborted` (or calling
   * `throwIfAborted()`) checks that clock first, so it is right even before the watchdog timer
   * that fires the `abort` event has run. After a recovered disconnect this returns a NEW,
   * unaborted signal: read it again when you start the next piece of work.
   */
  get signal(): AbortSignal {
    return this.owner.signal;
  }

  /** `held`, `suspended` (connection down, outcome unknown), `lost`, or `released`. */
  get status(): HoldStatus {
    return this.#released ? 'released' : this.owner.status;
  }

  /**
   * The czxid of our lock node: a 64-bit number that ZooKeeper never reuses and that grows with
   * every create, so a later holder of this lock always has a larger token. Hand it to the
   * resource you protect and have it reject writes carrying a token smaller than the largest
   * it has seen: that fences off a holder that lost the lock without knowing (a long GC pause).
   */
  get fencingToken(): bigint {
    return this.owner.fencingToken;
  }

  /**
   * Resolves when the lock is certainly held again after a dropped connection (at once if it
   * is held); rejects with LockLostError if it was lost.
   */
  untilSafe(): Promise<void> {
    if (this.#released) return Promise.reject(new NotHeldError(`this lease on ${this.lockPath} was released`));
    return this.owner.untilSafe();
  }

  /**
   * Milliseconds for which the lock is surely still held, judged by the clock; 0 when it may
   * be lost. The session lives on the server at least a session timeout after the latest
   * request the server answered; past that, a holder that was paused (GC, SIGSTOP, a blocked
   * event loop) may have lost the lock without any event having reached it yet. Synchronous
   * and cheap: call it right before a side effect. It is not a lease on the future: if the
   * process pauses after the call, the time still runs out. Fence your writes
   * ({@link Lease.fencingToken}).
   */
  validFor(): number {
    return this.#released ? 0 : this.owner.validFor();
  }

  /**
   * Throws a {@link LockLostError} (its `reason` says why) unless the lock is surely held for
   * more than `minMs` milliseconds (default 0): a synchronous check to put right before a side
   * effect. Reading it aborts `signal` too when the clock says the lock may be lost.
   */
  assertValid(minMs = 0): void {
    if (typeof minMs !== 'number' || !(minMs >= 0) || !Number.isFinite(minMs)) {
      throw new ValidationError(`minMs must be a finite number >= 0, got ${String(minMs)}`);
    }
    if (this.#released) throw new LockLostError(this.lockPath, 'the lease was released', 'RELEASED');
    this.owner.assertValid(minMs);
  }

  /**
   * True when the lock was made revocable (`revocable: true`, Curator's `makeRevocable`): its
   * node starts empty and a revocation request written into it (see {@link revoke}) is passed
   * on through {@link Lease.revokeSignal} and {@link Lease.onRevokeRequested}.
   */
  get revocable(): boolean {
    return this.owner.revocable;
  }

  /** True once someone has asked for this lock back (a revocable lock only). */
  get revokeRequested(): boolean {
    return this.owner.revocable && this.owner.revokeRequested;
  }

  /**
   * Aborts, with a {@link RevokeRequestedError}, at the first revocation request: someone wants
   * the lock back (Curator's `Revoker.attemptRevoke` or zkurator's `revoke()`). Revocation is
   * cooperative: the lock stays held until you release it. Already aborted if a request came
   * before you read it (also one written while the acquire was still queued). To stop work on
   * either a loss or a revocation: `AbortSignal.any([lease.signal, lease.revokeSignal])`.
   * @throws ValidationError when the lock is not revocable (the request would never be seen).
   */
  get revokeSignal(): AbortSignal {
    this.assertRevocable('revokeSignal');
    return this.owner.revokeSignal;
  }

  /**
   * Calls `listener(lease)` at every revocation request while this lease is held (Curator's
   * RevocationListener); at once (in a microtask) if one is already pending. The listener
   * decides: release to honour the request, or keep the lock. What it throws or rejects with
   * is ignored. Returns a function that removes the listener; releasing the lease removes it too.
   * @throws ValidationError when the lock is not revocable or `listener` is not a function;
   *   NotHeldError when the lease was released.
   */
  onRevokeRequested(listener: (lease: this) => unknown): () => void {
    this.assertRevocable('onRevokeRequested');
    if (typeof listener !== 'function') throw new ValidationError(`onRevokeRequested needs a function, got ${describeValue(listener)}`);
    if (this.#released) throw new NotHeldError(`this lease on ${this.lockPath} was released`);
    const off = this.owner.onRevokeRequested(() => listener(this));
    this.#revokeUnsubscribes.push(off);
    return off;
  }

  private assertRevocable(what: string): void {
    if (!this.owner.revocable) {
      throw new ValidationError(`${what}: the lock on ${this.lockPath} is not revocable; make it so with { revocable: true } when creating the lock`);
    }
  }

  /** True once released. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Releases this hold. When it is the last hold of the node, the node is deleted (retried in
   * the background if the connection is down). Releasing a lost lease is fine: nothing is
   * deleted. A second call rejects with {@link NotHeldError}.
   */
  async release(): Promise<void> {
    if (this.#released) {
      throw new NotHeldError(`this lease on ${this.lockPath} (${this.path}) was already released`);
    }
    this.#released = true;
    for (const off of this.#revokeUnsubscribes) off();
    this.#revokeUnsubscribes = [];
    await this.owner.releaseLease(this);
  }

  /** Releases the hold if it is still held (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#released) await this.release();
  }
}
