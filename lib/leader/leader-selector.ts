// Curator's LeaderSelector, wire-compatible: it is an InterProcessMutex on the election path
// (nodes `_c_<uuid>-lock-<seq>`, the id as data), so it is built on the library's mutex engine
// and a zkurator Mutex on the same path is the same lock. The member that holds the mutex leads
// for as long as its callback runs; then the mutex is released, and with `autoRequeue` it
// queues again. Connection trouble (per the loss policy), our node's deletion and the clock end
// leadership early: the callback's signal aborts (Curator interrupts the leader's thread,
// CURATOR-518/671), and the mutex is released once the callback has settled, never before, so a
// callback that is still winding down never overlaps the next leader through us.
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { ClientClosedError, ElectionStateError, LockLostError, ValidationError, type LeadershipLossReason } from '../errors.js';
import { reportLeaderError, type ElectionMember } from '../framework/leader-events.js';
import { localAddressData } from '../framework/local-address.js';
import { resolveLockAcls, type LockAclOptions, type LockAcls } from '../framework/lock-acl.js';
import type { LossPolicy, ZkClient } from '../framework/zk-client.js';
import type { Lease } from '../locks/engine/lease.js';
import { LockEngine } from '../locks/engine/lock-engine.js';
import { validateLockPath, validateLossPolicy, validateNodeData } from '../locks/engine/lock-path.js';
import { ReentrantLock } from '../locks/engine/reentrant-lock.js';
import { describeValue } from '../util/describe-value.js';
import { checkBeforeJoining, watchForConflict } from './conflict-watch.js';
import { ElectionDriver } from './election-driver.js';
import { SELECTOR_NODE_NAME } from './election-nodes.js';
import { retryDelay, type ElectionState } from './election-state.js';
import { LeadershipTerm, type Leadership } from './leadership.js';
import { NO_LEADER, readParticipants, type ElectionParticipant } from './participants.js';

/**
 * What a leader does: called with the term when this member becomes leader; leadership lasts
 * until it returns (or the promise it returns settles). Stop when `leadership.signal` aborts.
 */
export type LeaderSelectorCallback = (leadership: Leadership) => unknown;

/** Options for {@link LeaderSelector}. */
export interface LeaderSelectorOptions extends LockAclOptions {
  /**
   * This member's participant id, written into its node as UTF-8 (Curator's `setId`). Default:
   * none, and the node holds the library's default lock data (`<local IP> zkurator/<version> pid
   * <pid>`; Curator writes the bare IP address), which is then what participants show as its id.
   */
  id?: string;
  /** Queue again each time leadership ends (Curator's `autoRequeue()`). Default false. */
  autoRequeue?: boolean;
  /** When connection trouble ends leadership (see LossPolicy); default: the client's (`'suspended'`). */
  lossPolicy?: LossPolicy;
}

/** The events of a {@link LeaderSelector}. */
export interface LeaderSelectorEvents {
  /** This member became leader; its callback is called next. */
  isLeader: [];
  /** Its term ended (the callback may still be winding down; the mutex is released after it settles). */
  notLeader: [];
  /**
   * The callback threw (or its promise rejected), or queueing failed (a refused create, a path
   * holding LeaderLatch nodes too...). A callback that rejects with its signal's reason (or an
   * AbortError) after its term ended is stopping as asked: no error. Emitted only if someone listens: without a listener the
   * error is not thrown anywhere (no crash, no unhandled rejection); it is always published on
   * `zkurator:leader:error`.
   */
  error: [error: unknown];
}

/** The selector whose callback the current async flow runs in: close() there must not wait for itself. */
const insideCallback = new AsyncLocalStorage<LeaderSelector>();

/** The mutex under a selector: Curator's InterProcessMutex with the election driver. */
class SelectorMutex extends ReentrantLock {
  constructor(client: ZkClient, path: string, data: Buffer, acls: LockAcls, lossPolicy: LossPolicy) {
    super(client, path, new LockEngine(client, path, new ElectionDriver(path, SELECTOR_NODE_NAME, true), data, acls), lossPolicy);
  }
}

/** The term's reason for a lost lease: the lease's own reason (the same names). */
function lossReasonOf(reason: unknown): LeadershipLossReason {
  return reason instanceof LockLostError ? reason.reason : 'SESSION_LOST';
}

/**
 * A member of a leader election, wire-compatible with Curator's LeaderSelector (an
 * InterProcessMutex on the path): Curator's LeaderSelector members and zkurator's on one path
 * take turns as leader. The leader's `callback` runs for as long as it leads.
 *
 * ```ts
 * const selector = new LeaderSelector(client, '/services/compactor/leader',
 *   async ({ signal, fencingToken }) => { await compact({ signal, fencingToken }); },
 *   { id: 'node-a', autoRequeue: true });
 * selector.start();
 * ```
 */
export class LeaderSelector extends EventEmitter<LeaderSelectorEvents> {
  /** The client this member uses. */
  readonly client: ZkClient;
  /** The election path (the mutex's path). */
  readonly path: string;
  /** This member's participant id (`''` when none was given). */
  readonly id: string;
  /** Whether leadership is sought again each time it ends. */
  readonly autoRequeue: boolean;
  /** When connection trouble ends leadership. */
  readonly lossPolicy: LossPolicy;
  /** @internal For tests (Curator's debugLeadershipWaitLatch): awaited between the grant and the callback. */
  debugBeforeLeadership: (() => Promise<void>) | undefined;
  private readonly callback: LeaderSelectorCallback;
  private readonly mutex: SelectorMutex;
  private readonly member: ElectionMember;
  private stateValue: ElectionState = 'latent';
  /** Queued: from requeue() until the callback settles (Curator's ourTask). */
  private queued = false;
  /** The running attempt (queueing, leading, releasing), if any. */
  private task: Promise<void> | undefined;
  private taskAbort: AbortController | undefined;
  private term: LeadershipTerm | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  /**
   * @param client a client from {@link connect}
   * @param path the election path, the same for every member (Curator's `leaderPath`)
   * @param callback what the leader does (see {@link LeaderSelectorCallback})
   * @throws ValidationError for a bad path, callback, id or option (before any ZooKeeper call)
   */
  constructor(client: ZkClient, path: string, callback: LeaderSelectorCallback, options: LeaderSelectorOptions = {}) {
    super();
    this.client = ReentrantLock.checkClient(client);
    this.path = validateLockPath(path, 'election path');
    if (typeof callback !== 'function') throw new ValidationError(`callback must be a function, got ${describeValue(callback)}`);
    this.callback = callback;
    if (typeof options !== 'object' || options === null) throw new ValidationError(`options must be an object, got ${describeValue(options)}`);
    const id = options.id ?? '';
    if (typeof id !== 'string') throw new ValidationError(`id must be a string, got ${describeValue(id)}`);
    this.id = id;
    const autoRequeue = options.autoRequeue ?? false;
    if (typeof autoRequeue !== 'boolean') throw new ValidationError(`autoRequeue must be a boolean, got ${describeValue(autoRequeue)}`);
    this.autoRequeue = autoRequeue;
    this.lossPolicy = validateLossPolicy(options.lossPolicy ?? this.client.lossPolicy);
    const data = id === '' ? localAddressData() : validateNodeData(Buffer.from(id, 'utf8'), 'id');
    this.mutex = new SelectorMutex(this.client, this.path, data, resolveLockAcls(this.client, options), this.lossPolicy);
    this.member = { client: this.client, path: this.path, recipe: 'selector', id };
  }

  /** `latent` (made), `started`, or `closed`. */
  get state(): ElectionState {
    return this.stateValue;
  }

  /**
   * True while this member leads, judged now (the clock included). It turns false as soon as
   * the term ends (interrupted, connection trouble...), possibly before the callback returns.
   */
  get hasLeadership(): boolean {
    return this.leadership !== undefined;
  }

  /** The current term while this member leads (the callback's argument), else undefined. */
  get leadership(): Leadership | undefined {
    return LeadershipTerm.current(this.term);
  }

  /**
   * Joins the election: queues for leadership once (again after each term with `autoRequeue`).
   * Returns at once; the callback runs when this member leads.
   * @throws ElectionStateError when already started or closed
   */
  start(): void {
    if (this.stateValue !== 'latent') {
      throw new ElectionStateError(`LeaderSelector ${this.path}: start() ${this.stateValue === 'started' ? 'was already called' : 'after close()'}`);
    }
    this.stateValue = 'started';
    this.internalRequeue();
  }

  /**
   * Queues for leadership again (Curator's requeue()): `true` if it was not queued (nor leading)
   * and now is, `false` if it already was.
   * @throws ElectionStateError when not started or closed
   */
  requeue(): boolean {
    if (this.stateValue !== 'started') {
      throw new ElectionStateError(`LeaderSelector ${this.path}: requeue() on a selector that is ${this.stateValue === 'latent' ? 'not started' : 'closed'}`);
    }
    return this.internalRequeue();
  }

  /**
   * Ends the current term if this member leads: the callback's signal aborts with reason
   * `INTERRUPTED` (Curator interrupts the leader's thread). The mutex is released once the
   * callback settles; with `autoRequeue` the member queues again.
   */
  interruptLeadership(): void {
    this.term?.end('INTERRUPTED', 'interruptLeadership() was called');
  }

  /**
   * Every member in election order, the leader first, with its id (Curator's getParticipants:
   * the mutex's participant nodes and their data).
   * @throws ElectionConflictError when the path holds LeaderLatch nodes too
   */
  getParticipants(): Promise<ElectionParticipant[]> {
    return readParticipants(this.client, this.path, SELECTOR_NODE_NAME);
  }

  /**
   * The leader (Curator's getLeader): the first member in election order; `{ id: '', isLeader:
   * false }` when nobody takes part.
   * @throws ElectionConflictError when the path holds LeaderLatch nodes too
   */
  async getLeader(): Promise<ElectionParticipant> {
    return (await this.getParticipants())[0] ?? NO_LEADER;
  }

  /**
   * Leaves the election: stops queueing, withdraws a waiting node, and ends a term in progress
   * (the callback's signal aborts with reason `CLOSED`). Resolves once the callback has settled
   * and our node is deleted (retried in the background while disconnected). A callback that
   * ignores its signal keeps leading, and keeps close() waiting, until it returns. Called from
   * inside the callback it does not wait for that callback. Closing again resolves when the
   * first close does.
   */
  async close(): Promise<void> {
    if (this.stateValue !== 'closed') {
      this.stateValue = 'closed';
      this.queued = false;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.taskAbort?.abort(new ElectionStateError(`LeaderSelector ${this.path} was closed`));
      this.term?.end('CLOSED', 'the selector was closed');
    }
    if (insideCallback.getStore() === this) return;
    await this.task;
  }

  private internalRequeue(): boolean {
    if (this.queued || this.stateValue !== 'started') return false;
    this.queued = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // A task still releasing the last term starts the next attempt when it is done.
    if (!this.task) this.task = this.runTask();
    return true;
  }

  /** One or more attempts in a row: queue, lead, release; again while queued (requeue() during a release). */
  private async runTask(): Promise<void> {
    let failed = false;
    try {
      while (this.queued && this.stateValue === 'started' && !this.client.isClosed) {
        const abort = new AbortController();
        this.taskAbort = abort;
        let lease: Lease;
        try {
          // A path used by LeaderLatch members is refused before our node appears there.
          await checkBeforeJoining(this.client, this.path, SELECTOR_NODE_NAME, abort.signal);
          lease = await this.mutex.acquire({ signal: abort.signal });
        } catch (err) {
          this.queued = false;
          if (!abort.signal.aborted && !(err instanceof ClientClosedError)) {
            failed = true;
            this.reportError(err);
          }
          break;
        } finally {
          this.taskAbort = undefined;
        }
        this.failures = 0;
        await this.lead(lease);
      }
    } finally {
      this.task = undefined;
      if (this.autoRequeue && this.stateValue === 'started' && !this.client.isClosed) {
        if (failed) {
          // Refused, or a conflict on the path: someone must mend it; try again later.
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.internalRequeue();
          }, retryDelay(++this.failures));
          this.retryTimer.unref(); // the client keeps the process alive while in use, not this timer
        } else {
          this.internalRequeue();
        }
      }
    }
  }

  /** Leads while holding `lease`: runs the callback, then ends the term and releases. */
  private async lead(lease: Lease): Promise<void> {
    let told = false;
    const term = new LeadershipTerm(this.member, lease.path, lease.fencingToken, () => {
      if (told) this.emitSafely('notLeader');
    });
    this.term = term;
    // Connection trouble per the loss policy, our node deleted, the clock: the lease says so.
    const leaseSignal = lease.signal;
    const onLeaseLost = (): void => {
      const reason = leaseSignal.reason as unknown;
      term.end(lossReasonOf(reason), reason instanceof Error ? reason.message : 'the mutex was lost');
    };
    if (leaseSignal.aborted) onLeaseLost();
    else leaseSignal.addEventListener('abort', onLeaseLost, { once: true });
    // A LeaderLatch member joining the path while we lead: end the term, tell, let go.
    void watchForConflict(this.client, this.path, term, (err) => {
      term.end('CONFLICT', err.message);
      this.reportError(err);
    });
    try {
      if (this.debugBeforeLeadership) await this.debugBeforeLeadership();
      // Lost (or closed, interrupted) between the grant and now: the callback is not called (Curator's testRaceAtStateChanged).
      if (term.active) {
        told = true;
        this.emitSafely('isLeader');
        try {
          if (term.active) await insideCallback.run(this, () => this.callback(term));
        } catch (err) {
          // Stopping because the term ended (rethrowing its signal's reason, or an AbortError
          // from an API given the signal) is what a leader should do, not an error (Curator
          // swallows the interruption likewise).
          if (!(term.signal.aborted && (err === term.signal.reason || (err instanceof Error && err.name === 'AbortError')))) this.reportError(err);
        }
      }
    } finally {
      leaseSignal.removeEventListener('abort', onLeaseLost);
      this.queued = false; // done with this attempt: requeue() from here on queues the next one
      term.end('RELEASED', 'the leader callback settled: leadership is given up');
      if (this.term === term) this.term = undefined;
      try {
        await lease.release();
      } catch (err) {
        this.reportError(err);
      }
    }
  }

  /** Emits an event; what a listener throws is reported, never thrown into the selector. */
  private emitSafely(event: 'isLeader' | 'notLeader'): void {
    try {
      this.emit(event);
    } catch (err) {
      this.reportError(err);
    }
  }

  /** Publishes an error on `zkurator:leader:error`, and emits `'error'` if anyone listens. */
  private reportError(err: unknown): void {
    reportLeaderError(this.member, err);
    if (this.listenerCount('error') === 0) return;
    try {
      this.emit('error', err);
    } catch {
      // an 'error' listener that throws: nothing more to tell it
    }
  }
}
