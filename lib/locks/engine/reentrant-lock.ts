// Re-entrancy and the public acquire/withLock/release surface shared by Mutex and the
// read-write lock's two halves. Curator counts holds per thread; we count them per async flow,
// where a flow is the callback of withLock() and everything it awaits or starts. A flow that
// holds the lock re-enters without a second node; any other flow queues for its own node.
import { Deadline, type QueuePosition } from './deadline.js';
import { describeValue } from '../../util/describe-value.js';
import { LockTimeoutError, NotHeldError, ValidationError, WouldDeadlockError } from '../../errors.js';
import { flowHoldOf, flowNodesUnder, runHolding } from './flow-holds.js';
import { sortChildren } from './lock-node-name.js';
import { reportAcquired, reportAcquireFailed, reportAcquireStarted } from '../../framework/lock-events.js';
import { Hold } from './hold.js';
import { Lease, type LeaseOwner } from './lease.js';
import type { HeldNode, LockEngine } from './lock-engine.js';
import { validateLossPolicy, validateOnQueued, validateSignal, validateTimeout } from './lock-path.js';
import { ZkClient, type LossPolicy } from '../../framework/zk-client.js';
import { checkOptions, type OptionsSpec } from '../../framework/check-options.js';

/** The keys of {@link AcquireOptions}. */
const ACQUIRE_KEYS = ['timeout', 'signal', 'onQueued'] as const;

/** The options check of each acquiring call. */
const ACQUIRE_SPECS = {
  acquire: { call: 'acquire', known: ACQUIRE_KEYS },
  tryAcquire: { call: 'tryAcquire', known: ACQUIRE_KEYS },
  withLock: { call: 'withLock', known: ACQUIRE_KEYS },
} as const satisfies Record<string, OptionsSpec>;

/**
 * The per-acquire options a caller may put in a lock's constructor by mistake, and where they
 * go instead (for the constructors' options checks).
 */
export const ACQUIRE_OPTIONS_ELSEWHERE: Readonly<Record<string, string>> = {
  timeout: 'acquire({ timeout })', signal: 'acquire({ signal })', onQueued: 'acquire({ onQueued })',
};

/** Options for one acquire. */
export interface AcquireOptions {
  /**
   * Milliseconds to wait in all (create, listing and waiting). `0` is a try-lock; omitted
   * waits forever. On timeout the promise rejects with LockTimeoutError and our node is gone.
   */
  timeout?: number;
  /** Cancels the wait: the promise rejects with `signal.reason` and our node is deleted. */
  signal?: AbortSignal;
  /**
   * Called each time the acquire looks at the queue and has to wait: how many nodes sort
   * before ours and which one it now watches. For progress displays; it costs no request.
   * If it throws, the acquire stops, deletes its node and rejects with that error.
   */
  onQueued?: (position: QueuePosition) => void;
}

/**
 * What every lock of the library shares (Mutex, ReadLock, WriteLock): acquire with a deadline
 * and a signal, re-entry per async flow, leases, `withLock`. Not made directly: use a recipe.
 */
export abstract class ReentrantLock {
  /** @internal */
  readonly engine: LockEngine;

  /** When a held lock counts as lost (see LossPolicy). */
  readonly lossPolicy: LossPolicy;

  protected constructor(
    /** The client the lock's nodes are made through. */
    readonly client: ZkClient,
    /** The lock path (the parent of the lock nodes). */
    readonly path: string,
    engine: LockEngine,
    lossPolicy: LossPolicy | undefined,
    /** Revocation requests reach the leases (Curator's makeRevocable); see Lease.revokeSignal. */
    readonly revocable = false,
  ) {
    this.engine = engine;
    this.lossPolicy = validateLossPolicy(lossPolicy ?? client.lossPolicy);
  }

  /** @internal */
  static checkClient(client: unknown): ZkClient {
    if (!(client instanceof ZkClient)) {
      // The dual-package hazard: a client from zkurator's other build (require vs import) or another install.
      const fromOtherCopy = typeof client === 'object' && client !== null && client.constructor?.name === 'ZkClient';
      throw new ValidationError(fromOtherCopy
        ? 'client is a ZkClient from another copy of zkurator (one loaded with require() and one with import, or two installs): ' +
          'take connect() and the locks from the same one'
        : `client must be a ZkClient returned by connect(), got ${describeValue(client)}`);
    }
    return client;
  }

  /** The hold of the current flow on this lock, if it has one. */
  protected currentHold(): Hold | undefined {
    const hold = flowHoldOf(this);
    return hold?.active ? hold : undefined; // a released hold has no leases left
  }

  /** @internal The node the current flow holds on this lock, if any. */
  heldNodeOfCurrentFlow(): HeldNode | undefined {
    return this.currentHold()?.node;
  }

  /** @internal Makes the lease object for a hold; recipes may return a richer lease. */
  createLease(owner: LeaseOwner): Lease {
    return new Lease(owner);
  }

  /** @internal A lease for a node obtained outside acquire() (e.g. a downgrade). */
  adoptNode(node: HeldNode): Lease {
    reportAcquireStarted(this.client);
    reportAcquired(this.client, this.path, this.engine.driver.lockName, node.path, 0, node.czxid);
    return new Hold(this, node, this.lossPolicy).newLease();
  }

  /** True when the current async flow holds this lock (inside its withLock callback). */
  isHeldByCurrentFlow(): boolean {
    return this.currentHold() !== undefined;
  }

  /**
   * Acquires the lock. Inside a flow that already holds it (a withLock callback), re-enters
   * at once without a new node. Bad options (a non-object such as Curator's `acquire(5000)`, an
   * unknown key) reject with ValidationError before any request.
   */
  async acquire(options?: AcquireOptions): Promise<Lease> {
    return (await this.acquireHold(checkOptions(options, ACQUIRE_SPECS.acquire))).lease;
  }

  /**
   * Tries to take the lock without waiting: resolves a lease, or `null` when the lock is busy
   * (Curator's `acquire(0, ms)` returning false). With `timeout` (ms, default 0) it waits that
   * long first; `null` then means the time ran out (also when no server could be reached in
   * that time). Nothing is left behind when it resolves `null`. Rejects like
   * {@link acquire} otherwise: ValidationError for a bad option, the signal's reason,
   * ClientClosedError, NoChildrenForEphemeralsError.
   */
  async tryAcquire(options?: AcquireOptions): Promise<Lease | null> {
    options = checkOptions(options, ACQUIRE_SPECS.tryAcquire);
    try {
      return await this.acquire({ ...options, timeout: options.timeout ?? 0 });
    } catch (err) {
      if (err instanceof LockTimeoutError) return null;
      throw err;
    }
  }

  /**
   * True when at least one participant holds the lock right now (for a Mutex with maxLeases,
   * any of its holders; for a read lock, any reader; for a write lock, the writer), judged
   * from one children listing by the recipe's own rule, as Curator decides. Nodes that are
   * not this recipe's (foreign nodes) never count. A snapshot: it may change at once.
   * Rejects with a ZooKeeperError (e.g. ConnectionLossError) or ClientClosedError.
   */
  isLocked(): Promise<boolean> {
    return this.engine.hasHolder();
  }

  private async acquireHold(options: AcquireOptions): Promise<{ hold: Hold; lease: Lease }> {
    const timeout = validateTimeout(options.timeout);
    const signal = validateSignal(options.signal);
    const onQueued = validateOnQueued(options.onQueued);
    let hold = this.currentHold();
    if (hold) {
      signal?.throwIfAborted();
    } else {
      if (timeout !== 0) this.refuseWaitOnOwnFlow(); // a try-lock does not wait: it reports busy, as ever
      const lockName = this.engine.driver.lockName;
      const started = performance.now();
      reportAcquireStarted(this.client);
      let node: HeldNode;
      try {
        node = await this.acquireNode(new Deadline(this.client, this.path, timeout, signal, onQueued));
      } catch (err) {
        const outcome = err instanceof LockTimeoutError ? 'timeout' : signal?.aborted && err === signal.reason ? 'aborted' : 'failed';
        reportAcquireFailed(this.client, this.path, lockName, outcome, performance.now() - started, err);
        throw err;
      }
      reportAcquired(this.client, this.path, lockName, node.path, performance.now() - started, node.czxid);
      hold = new Hold(this, node, this.lossPolicy);
    }
    return { hold, lease: hold.newLease() }; // a lost flow hold throws LockLostError here
  }

  /**
   * Refuses (WouldDeadlockError) an acquire that could only ever wait on nodes the current flow
   * holds on this path, taken through other lock objects or recipes (a try-lock, which does not
   * wait, is not asked: acquireHold skips it): judged by this lock's own
   * rule on the flow's nodes alone, with ours after them (a new node sorts last). More nodes
   * of others can only add to what is ahead of ours, so if the flow's own nodes keep ours
   * from holding, nothing else ever will while the flow holds them. Recipes that take a node
   * another way (a downgrade) override.
   */
  protected refuseWaitOnOwnFlow(): void {
    const own = flowNodesUnder(this.client, this.path);
    if (own.length === 0) return;
    const driver = this.engine.driver;
    // The stand-in for our new node: its sort key ('9999999999') sorts after every sequence.
    const ours = `${driver.lockName}9999999999`;
    const names = own.map((node) => node.path.slice(this.path.length + 1));
    const sorted = sortChildren([...names, ours], driver.sortNames);
    if (driver.decide(sorted, sorted.indexOf(ours)).held) return;
    throw this.wouldDeadlock(own.map((node) => node.path));
  }

  /** The error for an acquire that would wait only on `heldNodes`, the current flow's own. */
  protected wouldDeadlock(heldNodes: string[]): WouldDeadlockError {
    return new WouldDeadlockError(this.path, heldNodes, false,
      `lock ${this.path}: this acquire could only ever wait on what its own flow holds here (${heldNodes.join(', ')}, taken through ` +
      'another lock object), so it would wait forever. Re-enter through the same lock object (inside its withLock), or release first');
  }

  /** Takes a node for a flow that does not hold the lock yet. Recipes may override. */
  protected acquireNode(deadline: Deadline): Promise<HeldNode> {
    return this.engine.acquire(deadline);
  }

  /**
   * Runs `fn(lease, signal)` while holding the lock and releases it afterwards, whatever `fn`
   * does. `signal` aborts (reason: LockLostError) if the lock may be lost meanwhile: pass it to
   * your I/O. Inside `fn` (and what it awaits or starts) further acquires of this lock re-enter.
   */
  async withLock<T>(fn: (lease: Lease, signal: AbortSignal) => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    if (typeof fn !== 'function') throw new ValidationError(`withLock needs a function, got ${describeValue(fn)}`);
    const { hold, lease } = await this.acquireHold(checkOptions(options, ACQUIRE_SPECS.withLock));
    try {
      return await runHolding([[this, hold]], () => fn(lease, lease.signal));
    } finally {
      if (!lease.released) await lease.release();
    }
  }

  /**
   * Releases the innermost hold of the current flow (Curator's release()). Rejects with
   * NotHeldError when this flow holds nothing here, e.g. from another flow.
   */
  async release(): Promise<void> {
    const hold = this.currentHold();
    const lease = hold?.leases.at(-1);
    if (!lease) throw new NotHeldError(`the current flow does not hold ${this.path}`);
    await lease.release();
  }

  /** Sorted full paths of every participant (holders first), like getParticipantNodes. */
  participants(): Promise<string[]> {
    return this.engine.participants();
  }
}
