// Curator's InterProcessReadWriteLock: many readers at once, one writer alone, both kinds of
// node under the same path in one shared order. The two halves are thin layers on the same
// lock engine; only their drivers differ.
import { Deadline } from './engine/deadline.js';
import { NotHeldError, ValidationError, WouldDeadlockError } from '../errors.js';
import { Lease } from './engine/lease.js';
import { StandardLockDriver } from './engine/lock-driver.js';
import { LockEngine, type HeldNode } from './engine/lock-engine.js';
import { newProtectedPrefix, sequenceOf } from './engine/lock-node-name.js';
import { validateLockPath, validateNodeData, validateRevocable } from './engine/lock-path.js';
import { localAddressData } from '../framework/local-address.js';
import { resolveLockAcls, type LockAclOptions, type LockAcls } from '../framework/lock-acl.js';
import { READ_LOCK_NAME, READ_WRITE_SORT_NAMES, ReadLockDriver, WRITE_LOCK_NAME } from './engine/read-lock-driver.js';
import { ACQUIRE_OPTIONS_ELSEWHERE, ReentrantLock, type AcquireOptions } from './engine/reentrant-lock.js';
import { checkOptions } from '../framework/check-options.js';
import type { LossPolicy, ZkClient } from '../framework/zk-client.js';
import type { LeaseOwner } from './engine/lease.js';

/** Options for {@link ReadWriteLock}. */
export interface ReadWriteLockOptions extends LockAclOptions {
  /**
   * Data written into our lock nodes (default: `<local IP> zkurator/<version> pid <pid>`; Curator
   * writes the bare IP address): a
   * Buffer or Uint8Array of at most {@link MAX_NODE_DATA_BYTES} (1,000,000) bytes, copied when
   * the lock is made.
   */
  nodeData?: Buffer | Uint8Array;
  /** When a held lock counts as lost; default: the client's (`'suspended'`). */
  lossPolicy?: LossPolicy;
  /**
   * Both halves revocable (Curator's `makeRevocable` on readLock() and writeLock()): nodes
   * are created empty and a revocation request reaches the lease (`lease.revokeSignal`,
   * `lease.onRevokeRequested`). Not combinable with `nodeData`. Default false.
   */
  revocable?: boolean;
}

/**
 * A lease on the write lock. Besides releasing, it can be downgraded to a read lease without
 * letting a queued writer in between.
 */
export class WriteLease extends Lease {
  /** The downgrade under way, if any: a write lease is downgraded at most once at a time. */
  #downgrading: Promise<Lease> | undefined;

  /** @internal */
  constructor(owner: LeaseOwner, private readonly readLock: ReadLock) {
    super(owner);
  }

  /**
   * Takes the read lock and then releases this write lease, atomically with respect to other
   * participants: the read node (Curator 5.5+ form, `_c_<uuid>-__READ__<our write seq>`)
   * sorts where our write node was, so a writer queued behind us stays queued until the read
   * lease is released too (CURATOR-621). Resolves the read lease.
   *
   * Rejects with NotHeldError, before any request, when this lease was released or another
   * downgrade of it is under way (one downgrade per lease: the first one's read lease is the
   * only one); with the signal's reason when aborted, LockLostError when the session that
   * holds the write lock is gone, ClientClosedError when the client closes. A downgrade that
   * fails leaves no read node and the write lease held.
   */
  async downgrade(options?: Pick<AcquireOptions, 'signal'>): Promise<Lease> {
    const { signal } = checkOptions(options, { call: 'downgrade', known: ['signal'] });
    if (this.released) throw new NotHeldError(`cannot downgrade: this write lease on ${this.lockPath} was already released`);
    if (this.#downgrading) throw new NotHeldError(`cannot downgrade: a downgrade of this write lease on ${this.lockPath} is already under way`);
    const downgrading = (async () => {
      const readLease = await this.readLock.downgradeFrom(this.owner.node, signal);
      await super.release();
      return readLease;
    })();
    this.#downgrading = downgrading;
    try {
      return await downgrading;
    } finally {
      this.#downgrading = undefined;
    }
  }

  /**
   * Releases the write lease (see Lease.release). During a downgrade it first waits for the
   * downgrade: if that succeeded, the downgrade has released this lease and this call rejects
   * with NotHeldError; if it failed, the write lease is released now. (Releasing the write node
   * before the downgrade's read node exists would let a queued writer in beside that reader.)
   */
  override async release(): Promise<void> {
    const downgrading = this.#downgrading;
    if (downgrading) await downgrading.catch(() => undefined);
    return super.release();
  }
}

/** The write half: Curator's mutex rule over ALL children (read and write): be first. */
export class WriteLock extends ReentrantLock {
  /** @internal */
  readLock!: ReadLock;

  /** @internal */
  constructor(client: ZkClient, path: string, nodeData: Buffer, lossPolicy: LossPolicy | undefined, revocable = false, acls?: LockAcls) {
    super(client, path, new LockEngine(client, path, new StandardLockDriver(1, WRITE_LOCK_NAME, READ_WRITE_SORT_NAMES), nodeData, acls), lossPolicy, revocable);
  }

  /** Acquires the write lock; the lease can be downgraded. */
  override async acquire(options?: AcquireOptions): Promise<WriteLease> {
    return (await super.acquire(options)) as WriteLease;
  }

  /** Tries the write lock without waiting (see ReentrantLock.tryAcquire); the lease can be downgraded. */
  override async tryAcquire(options?: AcquireOptions): Promise<WriteLease | null> {
    return (await super.tryAcquire(options)) as WriteLease | null;
  }

  /** @internal */
  override createLease(owner: LeaseOwner): Lease {
    return new WriteLease(owner, this.readLock);
  }

  /** A flow that holds the read lock asks for the write lock: an upgrade, which no reader can get. */
  protected override wouldDeadlock(heldNodes: string[]): WouldDeadlockError {
    const reads = heldNodes.filter((node) => node.slice(this.path.length + 1).includes(READ_LOCK_NAME));
    if (reads.length === 0) return super.wouldDeadlock(heldNodes);
    return new WouldDeadlockError(this.path, heldNodes, true,
      `lock ${this.path}: cannot upgrade a read lock to the write lock: this flow holds the read lock (${reads.join(', ')}), and ` +
      'the write lock waits for every reader, this one included, so it could never be granted (Curator cannot upgrade either). ' +
      'Release the read lock, then take the write lock; or take the write lock first and downgrade it (writeLease.downgrade(), ' +
      'or readLock.acquire() inside writeLock.withLock)');
  }

  /** Write nodes only, in lock order (Curator's writeLock().getParticipantNodes()). */
  override async participants(): Promise<string[]> {
    return (await super.participants()).filter((p) => p.includes(WRITE_LOCK_NAME));
  }
}

/** The read half: held while no write node sorts before ours. */
export class ReadLock extends ReentrantLock {
  /** @internal */
  constructor(client: ZkClient, path: string, nodeData: Buffer, lossPolicy: LossPolicy | undefined, private readonly writeLock: WriteLock, revocable = false, acls?: LockAcls) {
    super(client, path, new LockEngine(client, path, new ReadLockDriver(), nodeData, acls), lossPolicy, revocable);
  }

  /**
   * A flow that holds the write lock (inside writeLock.withLock) gets the read lock at once
   * through a downgrade node, like Curator's write holder; anyone else queues.
   */
  protected override acquireNode(deadline: Deadline): Promise<HeldNode> {
    const writeNode = this.writeLock.heldNodeOfCurrentFlow();
    return writeNode ? this.createDowngradeNode(writeNode, deadline) : super.acquireNode(deadline);
  }

  /** The write holder's flow reads through a downgrade node, which holds at once: nothing to refuse. */
  protected override refuseWaitOnOwnFlow(): void {
    if (!this.writeLock.heldNodeOfCurrentFlow()) super.refuseWaitOnOwnFlow();
  }

  /** @internal The read lease of a downgrade from `writeNode`. */
  async downgradeFrom(writeNode: HeldNode, signal?: AbortSignal): Promise<Lease> {
    const node = await this.createDowngradeNode(writeNode, new Deadline(this.client, this.path, undefined, signal));
    return this.adoptNode(node);
  }

  /** Read nodes only, in lock order (Curator's readLock().getParticipantNodes()). */
  override async participants(): Promise<string[]> {
    return (await super.participants()).filter((p) => p.includes(READ_LOCK_NAME));
  }

  private createDowngradeNode(writeNode: HeldNode, deadline: Deadline): Promise<HeldNode> {
    const writeName = writeNode.path.slice(this.path.length + 1);
    const seq = sequenceOf(writeName, READ_WRITE_SORT_NAMES);
    if (seq === undefined) throw new ValidationError(`write node ${writeNode.path} has no sequence to downgrade from`);
    return this.engine.createHeldNode(`${newProtectedPrefix()}${READ_LOCK_NAME}${seq}`, deadline, writeNode.generation);
  }
}

/**
 * A distributed read-write lock, wire-compatible with Curator's InterProcessReadWriteLock.
 * Nodes: `<path>/_c_<uuid>-__READ__<seq>` and `<path>/_c_<uuid>-__WRIT__<seq>`.
 */
export class ReadWriteLock {
  /** Shared: any number of holders while no writer is ahead of them. */
  readonly readLock: ReadLock;
  /** Exclusive: held alone, first in the queue of both kinds. */
  readonly writeLock: WriteLock;
  /** The lock path. */
  readonly path: string;

  /** @throws ValidationError for a bad path, nodeData, acl or parentAcl, or an unknown option (before any ZooKeeper call). */
  constructor(client: ZkClient, path: string, options?: ReadWriteLockOptions) {
    const zk = ReentrantLock.checkClient(client);
    this.path = validateLockPath(path);
    options = checkOptions(options, {
      call: 'new ReadWriteLock', known: ['nodeData', 'lossPolicy', 'revocable', 'acl', 'parentAcl'], elsewhere: ACQUIRE_OPTIONS_ELSEWHERE,
    });
    const revocable = validateRevocable(options.revocable, options.nodeData);
    const data = revocable ? Buffer.alloc(0) : options.nodeData === undefined ? localAddressData() : validateNodeData(options.nodeData);
    const acls = resolveLockAcls(zk, options);
    this.writeLock = new WriteLock(zk, this.path, data, options.lossPolicy, revocable, acls);
    this.readLock = new ReadLock(zk, this.path, data, options.lossPolicy, this.writeLock, revocable, acls);
    this.writeLock.readLock = this.readLock;
  }

  /** Every node under the path, readers and writers, in the one shared lock order. */
  participants(): Promise<string[]> {
    return this.writeLock.engine.participants();
  }
}
