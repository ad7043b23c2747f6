// Curator's InterProcessMutex, plus maxLeases (Curator's v1 InterProcessSemaphore, kazurator's
// max_leases): up to maxLeases holders at once on the same path, the rest queued in order.
import { StandardLockDriver } from './engine/lock-driver.js';
import { LockEngine } from './engine/lock-engine.js';
import { validateLockPath, validateMaxLeases, validateNodeData, validateRevocable } from './engine/lock-path.js';
import { localAddressData } from '../framework/local-address.js';
import { resolveLockAcls, type LockAclOptions } from '../framework/lock-acl.js';
import { ACQUIRE_OPTIONS_ELSEWHERE, ReentrantLock } from './engine/reentrant-lock.js';
import { checkOptions } from '../framework/check-options.js';
import type { LossPolicy, ZkClient } from '../framework/zk-client.js';

/** Options for {@link Mutex}. */
export interface MutexOptions extends LockAclOptions {
  /** How many holders at once (default 1: a mutex). Every participant must agree on it. */
  maxLeases?: number;
  /**
   * Data written into our lock node (default: `<local IP> zkurator/<version> pid <pid>`; Curator
   * writes the bare IP address): a
   * Buffer or Uint8Array of at most {@link MAX_NODE_DATA_BYTES} (1,000,000) bytes, copied when
   * the Mutex is made.
   */
  nodeData?: Buffer | Uint8Array;
  /** When a held lock counts as lost; default: the client's (`'suspended'`). */
  lossPolicy?: LossPolicy;
  /**
   * Curator's `makeRevocable`: the node is created empty and watched for a revocation request
   * (see `revoke()`), which reaches the lease as `lease.revokeSignal` and
   * `lease.onRevokeRequested(listener)`. Not combinable with `nodeData`. Default false.
   */
  revocable?: boolean;
}

/**
 * A distributed mutex, wire-compatible with Curator's InterProcessMutex (and, with
 * `maxLeases > 1`, its v1 InterProcessSemaphore). Nodes: `<path>/_c_<uuid>-lock-<seq>`.
 */
export class Mutex extends ReentrantLock {
  /** How many holders the lock admits at once. */
  readonly maxLeases: number;

  /**
   * @throws ValidationError for a bad path, maxLeases, nodeData, acl or parentAcl, or an
   *   unknown option (before any ZooKeeper call).
   */
  constructor(client: ZkClient, path: string, options?: MutexOptions) {
    const zk = ReentrantLock.checkClient(client);
    const lockPath = validateLockPath(path);
    options = checkOptions(options, {
      call: 'new Mutex', known: ['maxLeases', 'nodeData', 'lossPolicy', 'revocable', 'acl', 'parentAcl'], elsewhere: ACQUIRE_OPTIONS_ELSEWHERE,
    });
    const maxLeases = validateMaxLeases(options.maxLeases ?? 1);
    const revocable = validateRevocable(options.revocable, options.nodeData);
    const nodeData = revocable ? Buffer.alloc(0) : options.nodeData === undefined ? localAddressData() : validateNodeData(options.nodeData);
    const acls = resolveLockAcls(zk, options);
    super(zk, lockPath, new LockEngine(zk, lockPath, new StandardLockDriver(maxLeases), nodeData, acls), options.lossPolicy, revocable);
    this.maxLeases = maxLeases;
  }
}
