// Curator's InterProcessSemaphoreV2 (curator-wire-format.md §3): `<path>/locks` is a plain
// InterProcessMutex that serialises acquirers; under it each acquirer creates a protected
// ephemeral-sequential `<path>/leases/_c_<uuid>-lease-<seq>` node and, still holding the
// mutex, waits (child watch on `leases/`) until the leases number at most the count. Every
// child of `leases/` counts, whatever its name. The count comes from the constructor or from
// a SharedCount node.
import { Deadline } from './engine/deadline.js';
import { describeValue } from '../util/describe-value.js';
import { LockNodeDeletedError, LockTimeoutError, NoNodeError, SessionExpiredError, ValidationError, WouldDeadlockError } from '../errors.js';
import { flowNodesUnder, holdsOfLeases, runHolding } from './engine/flow-holds.js';
import { Hold, type HoldHost } from './engine/hold.js';
import { Lease, type LeaseOwner } from './engine/lease.js';
import { StandardLockDriver, type LockDriver } from './engine/lock-driver.js';
import { resolveLockAcls, type LockAclOptions } from '../framework/lock-acl.js';
import { reportAcquired, reportAcquireFailed, reportAcquireStarted } from '../framework/lock-events.js';
import { LockEngine, type HeldNode } from './engine/lock-engine.js';
import { newProtectedPrefix } from './engine/lock-node-name.js';
import {
  validateLockPath, validateLossPolicy, validateMaxLeases, validateNodeData, validateSignal, validateTimeout,
} from './engine/lock-path.js';
import { localAddressData } from '../framework/local-address.js';
import { ACQUIRE_OPTIONS_ELSEWHERE, ReentrantLock } from './engine/reentrant-lock.js';
import { checkOptions, type OptionsSpec } from '../framework/check-options.js';
import { SharedCount } from './shared-count.js';
import { deleteGuaranteed } from './engine/guaranteed-delete.js';
import type { LossPolicy, ZkClient } from '../framework/zk-client.js';

/** Curator's child names under the semaphore path. */
export const SEMAPHORE_LOCKS = 'locks';
export const SEMAPHORE_LEASES = 'leases';
/** The lease nodes' name: `_c_<uuid>-lease-<seq>`. */
export const LEASE_NAME = 'lease-';

/** Options for {@link Semaphore}: the count from `maxLeases` or from `sharedCount`, not both. */
export interface SemaphoreOptions extends LockAclOptions {
  /** How many leases at once: a convention every participant must share (Curator's `maxLeases`). */
  maxLeases?: number;
  /** Take the count from this started {@link SharedCount} (Curator's `SharedCountReader`). */
  sharedCount?: SharedCount;
  /**
   * Data of our lease nodes (default: the local IP address, as Curator writes): a Buffer or
   * Uint8Array of at most MAX_NODE_DATA_BYTES, copied. Others read it with `participants()`.
   */
  nodeData?: Buffer | Uint8Array;
  /**
   * Data of our nodes in the internal mutex `<path>/locks`, where acquirers queue (default: the
   * local IP address and more, as for a Mutex; Curator writes its IP address). The HTTP gateway
   * puts its lock record there too, so a queued gateway client is shown as such.
   */
  queueNodeData?: Buffer | Uint8Array;
  /** When a held lease counts as lost; default: the client's (`'suspended'`). */
  lossPolicy?: LossPolicy;
}

/** Options for one {@link Semaphore.acquire}. */
export interface SemaphoreAcquireOptions {
  /** How many leases to take, all or none (default 1). */
  count?: number;
  /** Milliseconds for the whole acquire, every lease included; `0` tries once; omitted waits forever. */
  timeout?: number;
  /** Cancels the acquire: it rejects with `signal.reason`, having released what it took. */
  signal?: AbortSignal;
}

/** One lease node under `<path>/leases`, as {@link Semaphore.participants} lists it. */
export interface SemaphoreParticipant {
  /** The child name (what Curator's `getParticipantNodes()` returns). */
  readonly name: string;
  /** Its full path. */
  readonly path: string;
  /** Its data (Curator and zkurator write the holder's IP address by default); undefined if it went away meanwhile. */
  readonly data: Buffer | undefined;
}

/** A lease of a {@link Semaphore}: a Lease plus Curator's `Lease.getNodeName()` / `getData()`. */
export class SemaphoreLease extends Lease {
  /** @internal */
  constructor(owner: LeaseOwner, private readonly client: ZkClient) {
    super(owner);
  }

  /** The lease node's name under `<path>/leases` (Curator's `getNodeName()`). */
  get nodeName(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1);
  }

  /** Reads the lease node's data (Curator's `getData()`); NoNodeError once it is gone. */
  async getData(): Promise<Buffer> {
    return (await this.client.getData(this.path)).data;
  }
}

/**
 * Our lease node vanished while we waited (session lost, or deleted by someone): Curator's
 * RETRY_DUE_TO_MISSING_NODE. The acquire starts over, within its deadline.
 */
class LeaseNodeGone extends Error {
  constructor(readonly sessionGone: boolean) {
    super('own lease node gone');
  }
}

/** The keys of {@link SemaphoreAcquireOptions}. */
const SEMAPHORE_ACQUIRE_KEYS = ['count', 'timeout', 'signal'] as const;

/** The options check of each acquiring call. */
const SEMAPHORE_ACQUIRE_SPECS = {
  acquire: { call: 'acquire', known: SEMAPHORE_ACQUIRE_KEYS },
  tryAcquire: { call: 'tryAcquire', known: SEMAPHORE_ACQUIRE_KEYS },
  withLeases: { call: 'withLeases', known: SEMAPHORE_ACQUIRE_KEYS },
} as const satisfies Record<string, OptionsSpec>;

/** Lease nodes deleted under us in a row (same session) before giving up: an outside actor. */
const MAX_NODE_DELETIONS = 16;

/** Names lease nodes and sorts them by sequence; the semaphore's rule is in {@link Semaphore}. */
const leaseNames: LockDriver = {
  lockName: LEASE_NAME,
  sortNames: [LEASE_NAME],
  decide: () => ({ held: true }), // unused: leases are judged by their number, not their order
};

/**
 * A counting semaphore across processes, wire-compatible with Curator's
 * `InterProcessSemaphoreV2`: at most `maxLeases` (or the shared count's value) leases are held
 * at once by all participants, zkurator and Curator alike. Not re-entrant: every acquire takes
 * new leases. Each lease is released on its own.
 */
export class Semaphore {
  /** The semaphore path. */
  readonly path: string;
  /** `<path>/leases`: one child per lease held or being waited for. */
  readonly leasesPath: string;
  /** The client the semaphore's nodes are made through. */
  readonly client: ZkClient;
  /** When a held lease counts as lost. */
  readonly lossPolicy: LossPolicy;
  /** The lease nodes' engine (create with lost-reply recovery, release, own-node watch). */
  private readonly engine: LockEngine;
  /** What each lease's Hold needs of us. */
  private readonly host: HoldHost;
  /** The internal `<path>/locks` mutex (Curator's `InterProcessMutex` inside the semaphore). */
  private readonly lock: LockEngine;
  private readonly fixedLeases: number | undefined;
  private readonly sharedCount: SharedCount | undefined;

  /**
   * @throws ValidationError for a bad client, path, count source (exactly one of `maxLeases`,
   *   `sharedCount`), nodeData, queueNodeData, lossPolicy, acl or parentAcl, or an unknown
   *   option (before any ZooKeeper call)
   */
  constructor(client: ZkClient, path: string, options?: SemaphoreOptions) {
    this.client = ReentrantLock.checkClient(client);
    this.path = validateLockPath(path);
    options = checkOptions(options, {
      call: 'new Semaphore',
      known: ['maxLeases', 'sharedCount', 'nodeData', 'queueNodeData', 'lossPolicy', 'acl', 'parentAcl'],
      elsewhere: { ...ACQUIRE_OPTIONS_ELSEWHERE, count: 'acquire({ count })' },
    });
    const { maxLeases, sharedCount } = options;
    if ((maxLeases === undefined) === (sharedCount === undefined)) {
      throw new ValidationError('a Semaphore needs exactly one of maxLeases (a number) and sharedCount (a SharedCount)');
    }
    if (sharedCount !== undefined && !(sharedCount instanceof SharedCount)) {
      throw new ValidationError(`sharedCount must be a SharedCount, got ${describeValue(sharedCount)}`);
    }
    this.fixedLeases = maxLeases === undefined ? undefined : validateMaxLeases(maxLeases);
    this.sharedCount = sharedCount;
    const nodeData = options.nodeData === undefined ? localAddressData() : validateNodeData(options.nodeData);
    const queueNodeData = options.queueNodeData === undefined ? localAddressData() : validateNodeData(options.queueNodeData, 'queueNodeData');
    this.lossPolicy = validateLossPolicy(options.lossPolicy ?? this.client.lossPolicy);
    this.leasesPath = `${this.path}/${SEMAPHORE_LEASES}`;
    // Both halves (the internal mutex's nodes and the lease nodes) get the same ACLs.
    const acls = resolveLockAcls(this.client, options);
    this.lock = new LockEngine(this.client, `${this.path}/${SEMAPHORE_LOCKS}`, new StandardLockDriver(1), queueNodeData, acls);
    this.engine = new LockEngine(this.client, this.leasesPath, leaseNames, nodeData, acls);
    this.host = { path: this.path, engine: this.engine, createLease: (owner) => new SemaphoreLease(owner, this.client) };
  }

  /** The number of leases the semaphore admits now (the shared count's latest value, if any). */
  get maxLeases(): number {
    return this.fixedLeases ?? (this.sharedCount as SharedCount).count;
  }

  /**
   * Takes `count` leases (default 1), all or none, within one deadline. Resolves one
   * {@link SemaphoreLease} per lease; on timeout (LockTimeoutError), abort (the signal's
   * reason) or any error, the leases already taken are released before it rejects.
   * ValidationError before any request for a bad option, a count above a fixed `maxLeases`
   * (it could never be granted), or a shared count not started.
   */
  async acquire(options?: SemaphoreAcquireOptions): Promise<SemaphoreLease[]> {
    return this.acquireChecked(checkOptions(options, SEMAPHORE_ACQUIRE_SPECS.acquire));
  }

  private async acquireChecked(options: SemaphoreAcquireOptions): Promise<SemaphoreLease[]> {
    const count = this.validateCount(options.count);
    const timeout = validateTimeout(options.timeout);
    const signal = validateSignal(options.signal);
    if (timeout !== 0) this.refuseWaitOnOwnFlow(count); // a try-lock does not wait: it reports busy, as ever
    const deadline = new Deadline(this.client, this.path, timeout, signal);
    // Events and metrics (lock-events.ts): each lease asked for counts as one acquire, so every
    // lease has its acquired and its released (or lost) event, as a lock's hold does.
    const started = performance.now();
    for (let i = 0; i < count; i++) reportAcquireStarted(this.client);
    let nodes: HeldNode[];
    try {
      nodes = await this.acquireNodes(count, deadline);
    } catch (err) {
      const outcome = err instanceof LockTimeoutError ? 'timeout' : signal?.aborted && err === signal.reason ? 'aborted' : 'failed';
      for (let i = 0; i < count; i++) reportAcquireFailed(this.client, this.path, LEASE_NAME, outcome, performance.now() - started, err);
      throw err;
    }
    for (const node of nodes) reportAcquired(this.client, this.path, LEASE_NAME, node.path, performance.now() - started, node.czxid);
    return nodes.map((node) => new Hold(this.host, node, this.lossPolicy).newLease() as SemaphoreLease);
  }

  /**
   * @internal {@link acquire} for a caller that keeps track of its lease nodes itself (the HTTP
   * gateway holds them for its clients across requests): the held nodes, no Lease objects and
   * no lock events. Release each with {@link Semaphore.leaseEngine}.
   */
  acquireNodesWithin(count: number, deadline: Deadline): Promise<HeldNode[]> {
    return this.acquireNodes(this.validateCount(count), deadline);
  }

  /** @internal The lease nodes' engine: release, conditional delete, own-node watch. */
  get leaseEngine(): LockEngine {
    return this.engine;
  }

  /**
   * Like {@link acquire}, but resolves `null` instead of rejecting with LockTimeoutError when
   * the leases are not available (at once, or within `timeout`), leaving nothing behind.
   */
  async tryAcquire(options?: SemaphoreAcquireOptions): Promise<SemaphoreLease[] | null> {
    options = checkOptions(options, SEMAPHORE_ACQUIRE_SPECS.tryAcquire);
    try {
      return await this.acquireChecked({ ...options, timeout: options.timeout ?? 0 });
    } catch (err) {
      if (err instanceof LockTimeoutError) return null;
      throw err;
    }
  }

  /**
   * Runs `fn(leases)` holding `count` leases and releases them afterwards, whatever `fn` does;
   * resolves `fn`'s result.
   */
  async withLeases<T>(fn: (leases: SemaphoreLease[]) => T | Promise<T>, options?: SemaphoreAcquireOptions): Promise<T> {
    if (typeof fn !== 'function') throw new ValidationError(`withLeases needs a function, got ${describeValue(fn)}`);
    const leases = await this.acquireChecked(checkOptions(options, SEMAPHORE_ACQUIRE_SPECS.withLeases));
    try {
      return await runHolding(holdsOfLeases(leases), () => fn(leases));
    } finally {
      await Promise.all(leases.filter((l) => !l.released).map((l) => l.release()));
    }
  }

  /**
   * Every child of `<path>/leases` (holders, and the one acquirer waiting for room), in
   * sequence order, each with its node data. Curator's `getParticipantNodes()` lists the names.
   * An empty list when the semaphore was never used.
   */
  async participants(): Promise<SemaphoreParticipant[]> {
    const paths = await this.engine.participants(); // sorted by the lease- sequence
    return Promise.all(paths.map(async (path) => {
      const name = path.slice(this.leasesPath.length + 1);
      try {
        return { name, path, data: (await this.client.getData(path)).data };
      } catch (err) {
        if (err instanceof NoNodeError) return { name, path, data: undefined };
        throw err;
      }
    }));
  }

  /**
   * Refuses (WouldDeadlockError) `count` leases that, with the ones the current flow holds
   * (inside withLeases or a SemaphoreMutex's withLock), are more than a fixed maxLeases: they
   * could only be had by releasing the flow's own, so the acquire would wait forever, and hold
   * the internal mutex that every other acquirer queues for meanwhile. A shared count may
   * grow: no refusal then.
   */
  private refuseWaitOnOwnFlow(count: number): void {
    if (this.fixedLeases === undefined) return;
    const own = flowNodesUnder(this.client, this.leasesPath);
    if (own.length + count <= this.fixedLeases) return;
    const nodes = own.map((node) => node.path);
    throw new WouldDeadlockError(this.path, nodes, false,
      `semaphore ${this.path}: this flow holds ${own.length} of its ${this.fixedLeases} lease${this.fixedLeases > 1 ? 's' : ''} ` +
      `(${nodes.join(', ')}) and asks for ${count} more: they could only be had by releasing its own, so it would wait forever ` +
      `(holding the semaphore's internal lock, which every other acquirer needs, meanwhile). Release first, or ask for at most ` +
      `${this.fixedLeases - own.length}`);
  }

  private validateCount(count: unknown): number {
    if (this.sharedCount && !this.sharedCount.started) {
      throw new ValidationError(`the SharedCount ${this.sharedCount.path} is not started (call start() first)`);
    }
    if (count === undefined) return 1;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) {
      throw new ValidationError(`count must be an integer >= 1, got ${describeValue(count)}`);
    }
    if (this.fixedLeases !== undefined && count > this.fixedLeases) {
      throw new ValidationError(`count ${count} is more than the semaphore's maxLeases ${this.fixedLeases}: it could never be granted`);
    }
    return count;
  }

  /**
   * Takes the internal mutex once for all `count` leases (Curator takes it once per lease: two
   * acquirers of several leases each could then both hold part and wait on each other), creates
   * the lease nodes one by one, each waiting for room, and releases the mutex. On failure every
   * lease node of this attempt is deleted; a vanished lease node starts the attempt over.
   */
  private async acquireNodes(count: number, deadline: Deadline): Promise<HeldNode[]> {
    deadline.check(false);
    for (let deletions = 0; ;) {
      const lockNode = await this.lock.acquire(deadline);
      let lockReleased: Promise<void> | undefined;
      const taken: HeldNode[] = [];
      try {
        while (taken.length < count) {
          const node = await this.engine.createOurNode(newProtectedPrefix(), deadline);
          taken.push(node);
          await this.waitForRoom(node, deadline);
        }
        // Granted. Free the internal mutex for the next acquirer while we set the own-node
        // watches (loss of a lease) and read the fencing tokens: one round trip, not two.
        const armed = Promise.allSettled(taken.map((node) => this.armLease(node, deadline)));
        lockReleased = this.lock.release(lockNode);
        for (const outcome of await armed) if (outcome.status === 'rejected') throw outcome.reason;
        await lockReleased;
        return taken;
      } catch (err) {
        await Promise.all(taken.map((node) => deleteGuaranteed(this.client, node.path, node.generation)));
        if (!(err instanceof LeaseNodeGone)) throw err;
        if (err.sessionGone) deletions = 0;
        else if (++deletions > MAX_NODE_DELETIONS) throw new LockNodeDeletedError(this.path, deletions);
      } finally {
        await (lockReleased ?? this.lock.release(lockNode));
      }
    }
  }

  private async armLease(node: HeldNode, deadline: Deadline): Promise<void> {
    const stat = await this.engine.read(deadline, () => this.engine.armOwnWatch(node));
    if (!stat || node.generation !== this.client.sessionGeneration) throw new LeaseNodeGone(node.generation !== this.client.sessionGeneration);
  }

  /**
   * Waits until the leases (ours included) number at most the count: Curator's loop of
   * getChildren with a watch. The first look is the listing sent right behind our create;
   * a watch is set only when we must wait. A change of the shared count wakes us too.
   */
  private async waitForRoom(node: HeldNode, deadline: Deadline): Promise<void> {
    const ourName = node.path.slice(this.leasesPath.length + 1);
    const first = node.firstLook;
    node.firstLook = undefined;
    if (first) {
      const listed = await first.listing.catch(() => undefined);
      if (listed && node.generation === this.client.sessionGeneration && listed.children.includes(ourName)
        && listed.children.length <= this.maxLeases) return;
    }
    for (;;) {
      if (node.generation !== this.client.sessionGeneration) throw new LeaseNodeGone(true);
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => { wake = resolve; });
      const stop = (): void => {
        this.client.unwatchChildren(this.leasesPath, wake);
        this.sharedCount?.off('change', wake);
      };
      this.sharedCount?.on('change', wake); // before the listing: no change can slip between
      let children: string[];
      try {
        children = await this.engine.read(deadline, () => this.client.watchChildren(this.leasesPath, wake));
      } catch (err) {
        stop();
        if (err instanceof SessionExpiredError) throw new LeaseNodeGone(true);
        if (err instanceof NoNodeError) throw new LeaseNodeGone(node.generation !== this.client.sessionGeneration);
        throw err;
      }
      // The listing may come from a new session, after the old one (and our node) was given up.
      if (node.generation !== this.client.sessionGeneration) {
        stop();
        throw new LeaseNodeGone(true);
      }
      if (!children.includes(ourName)) {
        stop();
        throw new LeaseNodeGone(false);
      }
      if (children.length <= this.maxLeases) {
        stop();
        return;
      }
      if (deadline.remaining() <= 0) {
        stop();
        throw deadline.timeoutError();
      }
      try {
        await deadline.wait(woken, stop);
      } finally {
        stop();
      }
    }
  }
}
