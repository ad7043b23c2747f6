// Curator's LeaderLatch (5.4.0 and later), wire-compatible: each member creates one protected
// ephemeral-sequential node `<path>/_c_<uuid>-latch-<seq>` holding its id, the first node in
// Curator's order leads, every other member watches only the node just before its own. Where
// Curator had double-leader bugs we do what the fixes do, or better:
// - one loop per latch does every look and every create, so two reconnects in quick succession,
//   a reset and a start, or a close during a create can never interleave (CURATOR-504/644/645);
// - after a reconnect we list first and keep our node if it is still there and still our
//   session's; it is re-created only when missing, from an older session, or its path is gone
//   (CURATOR-724);
// - we lead only after reading our node's stat on the current session: ephemeralOwner must be
//   our session id (CURATOR-498/620/696);
// - a create in flight at close() is deleted when it returns (CURATOR-18);
// - the leader watches its own node, so a deleted node ends leadership (CURATOR-171);
// - the term's signal follows the leases' clock rule (leadership.ts);
// - a path holding LeaderSelector (`lock-`) nodes too is refused (ElectionConflictError).
// The queue itself is the lock engine's (create with lost-reply recovery, one watch on the
// predecessor, guaranteed delete), with the latch's driver.
import { EventEmitter } from 'node:events';
import { ClientClosedError, ElectionConflictError, ElectionStateError, SessionExpiredError, ValidationError, type LeadershipLossReason } from '../errors.js';
import { reportLeaderError, type ElectionMember } from '../framework/leader-events.js';
import { resolveLockAcls, type LockAclOptions } from '../framework/lock-acl.js';
import type { ConnectionState, LossPolicy, NodeStat, ZkClient } from '../framework/zk-client.js';
import { Deadline, type QueuePosition } from '../locks/engine/deadline.js';
import { LockEngine, type HeldNode } from '../locks/engine/lock-engine.js';
import { validateLockPath, validateLossPolicy, validateNodeData, validateSignal, validateTimeout } from '../locks/engine/lock-path.js';
import { ReentrantLock } from '../locks/engine/reentrant-lock.js';
import { describeValue } from '../util/describe-value.js';
import { setLongTimeout, type LongTimer } from '../util/timer.js';
import { checkBeforeJoining, watchForConflict } from './conflict-watch.js';
import { ElectionDriver } from './election-driver.js';
import { LATCH_NODE_NAME } from './election-nodes.js';
import { LeadershipTerm, type Leadership } from './leadership.js';
import { NO_LEADER, readParticipants, type ElectionParticipant } from './participants.js';
import { retryDelay, type ElectionState } from './election-state.js';

/** Options for {@link LeaderLatch}. */
export interface LeaderLatchOptions extends LockAclOptions {
  /**
   * This member's participant id, written into its node as UTF-8 (at most 1,000,000 bytes) and
   * shown by `getParticipants()` (Curator's and ours). Default `''` (empty data), as in Curator.
   */
  id?: string;
  /** When leadership ends on connection trouble (see LossPolicy); default: the client's (`'suspended'`). */
  lossPolicy?: LossPolicy;
  /**
   * What `close()` does by default (Curator's CloseMode): `'silent'` (default) ends leadership
   * without a `notLeader` event; `'notifyLeader'` emits `notLeader` if this member led.
   */
  closeMode?: 'silent' | 'notifyLeader';
}

/** Options for {@link LeaderLatch.await}. */
export interface LeaderLatchAwaitOptions {
  /** Milliseconds to wait at most (`0`: just look); omitted waits until leader or closed. */
  timeout?: number;
  /** Stops waiting: the promise rejects with `signal.reason` (the latch keeps taking part). */
  signal?: AbortSignal;
}

/** Options for {@link LeaderLatch.close}. */
export interface LeaderLatchCloseOptions {
  /** Emit `notLeader` if this member leads (Curator's CloseMode.NOTIFY_LEADER); default: the latch's `closeMode`. */
  notifyLeader?: boolean;
}

/** The events of a {@link LeaderLatch}. */
export interface LeaderLatchEvents {
  /** This member became leader: `latch.leadership` is the new term. */
  isLeader: [];
  /** This member's term ended (the term's `signal.reason` says why). Not emitted by a silent close. */
  notLeader: [];
  /**
   * An error the latch cannot act on by itself after `start()` resolved (e.g. a refused
   * create, or the path holding LeaderSelector nodes too): it retries with a growing delay (up
   * to 30 s). Emitted only if someone listens (it never throws for want of a listener); also
   * published on `zkurator:leader:error`.
   */
  error: [error: unknown];
}

/** A promise with its settlers, settled once. */
class Deferred {
  settled = false;
  resolve!: () => void;
  reject!: (err: unknown) => void;
  readonly promise = new Promise<void>((resolve, reject) => {
    this.resolve = () => { if (!this.settled) { this.settled = true; resolve(); } };
    this.reject = (err) => { if (!this.settled) { this.settled = true; reject(err); } };
  });
}

/**
 * A member of a leader election, wire-compatible with Curator's LeaderLatch (5.4.0+): Curator's
 * LeaderLatch members and zkurator's on one path elect one leader among them. An EventEmitter:
 * `isLeader` when this member becomes leader, `notLeader` when its term ends, `error`.
 *
 * ```ts
 * const latch = new LeaderLatch(client, '/services/scheduler/leader', { id: 'node-a' });
 * latch.on('isLeader', () => runScheduler(latch.leadership!.signal));
 * await latch.start();
 * ```
 */
export class LeaderLatch extends EventEmitter<LeaderLatchEvents> {
  /** The client this member uses. */
  readonly client: ZkClient;
  /** The election path (its children are the members' nodes). */
  readonly path: string;
  /** This member's participant id. */
  readonly id: string;
  /** When leadership ends on connection trouble. */
  readonly lossPolicy: LossPolicy;
  private readonly closeMode: 'silent' | 'notifyLeader';
  private readonly engine: LockEngine;
  private readonly member: ElectionMember;
  private stateValue: ElectionState = 'latent';
  private term: LeadershipTerm | undefined;
  /** Aborts the current look (wait, create...) of the loop: close() and reset(). */
  private turn = new AbortController();
  private running: Promise<void> | undefined;
  private startup: Deferred | undefined;
  private silentClose = false;
  private resetRequested = false;
  /** Our node's path while we have one (waiting in line or leading). */
  private nodePath: string | undefined;
  private wakeRetry: (() => void) | undefined;
  private readonly awaiters = new Set<() => void>();
  /** The conflict that ended the last term, if one did. */
  private conflict: ElectionConflictError | undefined;

  /**
   * @param client a client from {@link connect}
   * @param path the election path, the same for every member (Curator's `latchPath`)
   * @throws ValidationError for a bad path, id or option (before any ZooKeeper call)
   */
  constructor(client: ZkClient, path: string, options: LeaderLatchOptions = {}) {
    super();
    this.client = ReentrantLock.checkClient(client);
    this.path = validateLockPath(path, 'election path');
    if (typeof options !== 'object' || options === null) throw new ValidationError(`options must be an object, got ${describeValue(options)}`);
    const id = options.id ?? '';
    if (typeof id !== 'string') throw new ValidationError(`id must be a string, got ${describeValue(id)}`);
    this.id = id;
    const data = validateNodeData(Buffer.from(id, 'utf8'), 'id');
    this.lossPolicy = validateLossPolicy(options.lossPolicy ?? this.client.lossPolicy);
    const closeMode = options.closeMode ?? 'silent';
    if (closeMode !== 'silent' && closeMode !== 'notifyLeader') {
      throw new ValidationError(`closeMode must be 'silent' or 'notifyLeader', got ${describeValue(closeMode)}`);
    }
    this.closeMode = closeMode;
    const acls = resolveLockAcls(this.client, options);
    this.engine = new LockEngine(this.client, this.path, new ElectionDriver(this.path, LATCH_NODE_NAME, false), data, acls);
    this.member = { client: this.client, path: this.path, recipe: 'latch', id };
  }

  /** `latent` (made), `started`, or `closed` (Curator's getState). */
  get state(): ElectionState {
    return this.stateValue;
  }

  /** True while this member leads, judged now (the clock included: see {@link Leadership.signal}). */
  get hasLeadership(): boolean {
    return this.leadership !== undefined;
  }

  /** The current term while this member leads (its signal, fencing token, validFor()), else undefined. */
  get leadership(): Leadership | undefined {
    return this.stateValue === 'started' ? LeadershipTerm.current(this.term) : undefined;
  }

  /** Full path of this member's node while it has one (Curator's getOurPath). */
  get node(): string | undefined {
    return this.nodePath;
  }

  /**
   * Joins the election. Resolves once this member's node exists (it leads or waits in line),
   * or when the latch is closed before that; waits for the connection if it is down. Rejects,
   * leaving no node and the latch closed, if the node cannot be placed: ElectionConflictError
   * (the path holds LeaderSelector nodes too), NoAuthError, ClientClosedError...
   * @throws ElectionStateError when already started or closed
   */
  start(): Promise<void> {
    if (this.stateValue !== 'latent') {
      return Promise.reject(new ElectionStateError(`LeaderLatch ${this.path}: start() ${this.stateValue === 'started' ? 'was already called' : 'after close()'}`));
    }
    this.stateValue = 'started';
    const startup = new Deferred();
    this.startup = startup;
    this.running = this.run(startup);
    return startup.promise;
  }

  /**
   * Resolves `true` once this member leads (at once if it does), `false` when `timeout` runs
   * out first, or when the latch is not started or gets closed while a `timeout` was given
   * (Curator's `await(timeout, unit)`). Without a timeout, a latch that is not started or gets
   * closed rejects with ElectionStateError (Curator's `await()`). `signal` rejects it with its reason.
   */
  async await(options: LeaderLatchAwaitOptions = {}): Promise<boolean> {
    if (typeof options !== 'object' || options === null) throw new ValidationError(`options must be an object, got ${describeValue(options)}`);
    const timeout = validateTimeout(options.timeout);
    const signal = validateSignal(options.signal);
    signal?.throwIfAborted();
    const notRunning = (): boolean | never => {
      if (timeout !== undefined) return false;
      throw new ElectionStateError(`LeaderLatch ${this.path}: await() on a latch that is ${this.stateValue === 'latent' ? 'not started' : 'closed'}`);
    };
    if (this.stateValue !== 'started') return notRunning();
    if (this.hasLeadership) return true;
    if (timeout === 0) return false;
    return new Promise<boolean>((resolve, reject) => {
      let timer: LongTimer | undefined;
      const finish = (settle: () => void): void => {
        this.awaiters.delete(check);
        timer?.clear();
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const check = (): void => {
        if (this.hasLeadership) finish(() => resolve(true));
        else if (this.stateValue !== 'started') {
          finish(() => {
            try {
              resolve(notRunning());
            } catch (err) {
              reject(err);
            }
          });
        }
      };
      const onAbort = (): void => finish(() => reject(signal?.reason));
      this.awaiters.add(check);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== undefined) timer = setLongTimeout(() => finish(() => resolve(this.hasLeadership)), timeout);
    });
  }

  /**
   * Every member in election order, the leader first, with the id each wrote (Curator's
   * getParticipants: the same list a Curator member gives). A node gone in between is left
   * out; a path that does not exist has none.
   * @throws ElectionConflictError when the path holds LeaderSelector nodes too
   */
  getParticipants(): Promise<ElectionParticipant[]> {
    return readParticipants(this.client, this.path, LATCH_NODE_NAME);
  }

  /**
   * The leader (Curator's getLeader): the first member in election order; `{ id: '', isLeader:
   * false }` when nobody takes part.
   * @throws ElectionConflictError when the path holds LeaderSelector nodes too
   */
  async getLeader(): Promise<ElectionParticipant> {
    return (await this.getParticipants())[0] ?? NO_LEADER;
  }

  /**
   * Leaves the election: ends leadership (the term's signal aborts with reason `CLOSED`; a
   * `notLeader` event only with `notifyLeader`, Curator's NOTIFY_LEADER), then deletes our node
   * (retried in the background while the connection is down, like Curator's guaranteed delete);
   * a create still in flight is deleted when it returns. Resolves when done. A closed latch
   * cannot be started again; closing it again resolves at once.
   */
  async close(options: LeaderLatchCloseOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) throw new ValidationError(`options must be an object, got ${describeValue(options)}`);
    const { notifyLeader } = options;
    if (notifyLeader !== undefined && typeof notifyLeader !== 'boolean') {
      throw new ValidationError(`notifyLeader must be a boolean, got ${describeValue(notifyLeader)}`);
    }
    if (this.stateValue === 'closed') {
      await this.running;
      return;
    }
    this.stateValue = 'closed';
    this.silentClose = !(notifyLeader ?? this.closeMode === 'notifyLeader');
    this.turn.abort(new ElectionStateError(`LeaderLatch ${this.path} was closed`));
    this.term?.end('CLOSED', 'the latch was closed');
    this.startup?.resolve();
    this.wakeRetry?.();
    this.wakeAwaiters();
    await this.running;
  }

  /**
   * @internal Curator's reset(), for tests: gives up our node (and leadership) and queues again
   * with a new one, at the end of the line.
   */
  reset(): void {
    if (this.stateValue !== 'started') return;
    this.resetRequested = true;
    this.turn.abort(new ElectionStateError(`LeaderLatch ${this.path}: queueing again`));
    this.term?.end('RELEASED', 'the latch queued again with a new node');
    this.wakeRetry?.();
  }

  /** The one loop that does every look, create and delete of this latch, in turn. */
  private async run(startup: Deferred): Promise<void> {
    let node: HeldNode | undefined;
    let failures = 0;
    const setNode = (n: HeldNode | undefined): void => {
      node = n;
      this.nodePath = n?.path;
    };
    // While we wait in line the engine has our node: it tells us which (and start() is done).
    const queued = (position: QueuePosition): void => {
      this.nodePath = position.node;
      startup.resolve();
    };
    while (this.stateValue === 'started') {
      if (this.resetRequested) {
        this.resetRequested = false;
        this.turn = new AbortController();
        if (node) await this.dropNode(node);
        setNode(undefined);
        continue;
      }
      const deadline = new Deadline(this.client, this.path, undefined, this.turn.signal, queued);
      try {
        // A path used by LeaderSelector members is refused before our node appears there.
        if (!node) await checkBeforeJoining(this.client, this.path, LATCH_NODE_NAME, this.turn.signal);
        // Waits in line, watching only the node ahead; with a node, looks first and keeps it
        // unless it is gone or belongs to an older session. Its failures delete the node.
        const held = await this.engine.acquire(deadline, node);
        setNode(held);
      } catch (err) {
        setNode(undefined);
        if (this.stateValue !== 'started' || this.resetRequested) continue;
        if (!startup.settled) {
          startup.reject(err);
          break;
        }
        if (err instanceof ClientClosedError) break;
        this.reportError(err);
        await this.retryAfter(retryDelay(++failures));
        continue;
      }
      startup.resolve();
      failures = 0;
      if (this.stateValue !== 'started' || this.resetRequested) continue;
      const held = node!;
      let stat: NodeStat | undefined;
      try {
        // Our node's stat on the current session, and the own-node watch that tells the leader
        // its node is gone: we lead only on a node our session owns (CURATOR-498/620/696).
        stat = await this.engine.read(deadline, () => this.engine.armOwnWatch(held));
      } catch (err) {
        if (this.stateValue !== 'started' || this.resetRequested || err instanceof SessionExpiredError) continue; // a new session: the next look replaces the node
        if (err instanceof ClientClosedError) break;
        this.reportError(err);
        await this.dropNode(held);
        setNode(undefined);
        await this.retryAfter(retryDelay(++failures));
        continue;
      }
      if (this.stateValue !== 'started' || this.resetRequested) continue;
      if (!this.engine.isOurs(stat, held.generation)) {
        // Deleted, or not our current session's: a new node (a stale session's node goes with it).
        if (this.client.sessionGeneration === held.generation) {
          await this.dropNode(held);
          setNode(undefined);
        }
        continue;
      }
      // Connection trouble since the look: look again once connected (the next look waits).
      if (!this.client.isConnected || this.client.sessionAliveUntil <= performance.now()) continue;
      const reason = await this.lead(held);
      if (reason === 'NODE_DELETED') setNode(undefined);
      if (reason === 'CONFLICT' && this.stateValue === 'started') {
        // A LeaderSelector (or mutex) member joined the path while we led: withdraw, tell, retry later.
        this.reportError(this.conflict);
        await this.dropNode(held);
        setNode(undefined);
        await this.retryAfter(retryDelay(++failures));
      }
    }
    if (this.stateValue === 'started') this.stateValue = 'closed'; // the client closed, or start() failed
    this.term?.end('CLIENT_CLOSED', 'the client was closed');
    if (node) await this.dropNode(node);
    setNode(undefined);
    this.wakeAwaiters();
  }

  /** Leads on `node` until the term ends; resolves why it ended. */
  private lead(node: HeldNode): Promise<LeadershipLossReason> {
    return new Promise((resolve) => {
      const onState = (state: ConnectionState): void => {
        switch (state) {
          case 'SUSPENDED':
            if (term.endIfClockRanOut()) break;
            if (this.lossPolicy === 'suspended') term.end('SUSPENDED', 'the connection to ZooKeeper dropped: this member may no longer lead (it leads again if the session survives and its node is still first)');
            break;
          case 'RECONNECTED':
            void this.verifyTerm(term, node); // policy 'lost': the term lasted through the disconnect
            break;
          case 'LOST':
            term.end('SESSION_LOST', 'the ZooKeeper session was lost: our node is gone');
            break;
          case 'CLOSED':
            term.end('CLIENT_CLOSED', 'the client was closed');
            break;
          default:
            break;
        }
      };
      const term = new LeadershipTerm(this.member, node.path, node.czxid, (reason) => {
        this.client.off('state', onState);
        node.onChange = () => undefined;
        if (!(reason === 'CLOSED' && this.silentClose)) this.emitSafely('notLeader');
        this.wakeAwaiters();
        resolve(reason);
      });
      this.term = term;
      this.client.on('state', onState);
      node.onChange = () => void this.verifyTerm(term, node);
      this.emitSafely('isLeader');
      this.wakeAwaiters();
      // The own-node watch may have fired between its arming and now: look again.
      if (term.active && !node.ownWatchArmed) void this.verifyTerm(term, node);
      void watchForConflict(this.client, this.path, term, (err) => {
        this.conflict = err;
        term.end('CONFLICT', err.message);
      });
    });
  }

  /** Re-arms the own-node watch and ends the term if our node is gone or no longer ours. */
  private async verifyTerm(term: LeadershipTerm, node: HeldNode): Promise<void> {
    if (!term.active) return;
    try {
      const stat = await this.engine.armOwnWatch(node);
      if (term.active && !this.engine.isOurs(stat, node.generation)) {
        term.end('NODE_DELETED', `our node ${node.path} is gone (deleted by someone else)`);
      }
    } catch {
      // connection trouble: the connection states decide
    }
  }

  /** Deletes our node (guaranteed: retried in the background while disconnected). */
  private async dropNode(node: HeldNode): Promise<void> {
    try {
      await this.engine.release(node);
    } catch (err) {
      this.reportError(err);
    }
  }

  /** Waits `ms` before trying again, or less if the latch is closed or reset meanwhile. */
  private retryAfter(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeRetry = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref(); // the client keeps the process alive while it is in use, not this timer
      this.wakeRetry = done;
    });
  }

  private wakeAwaiters(): void {
    for (const check of [...this.awaiters]) check();
  }

  /** Emits an event; what a listener throws is reported, never thrown into the latch's loop. */
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
