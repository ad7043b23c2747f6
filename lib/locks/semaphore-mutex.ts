// Curator's InterProcessSemaphoreMutex: a NON-re-entrant mutex, the V2 semaphore's layout with
// one lease (`<path>/locks` + `<path>/leases`). A second acquire waits for the first lease to
// be released (or times out), as Curator's does; inside this mutex's withLock, where the flow
// is known to hold it, a second acquire could only wait on itself and is refused at once
// (WouldDeadlockError) where Curator's thread would block on itself.
import { NotHeldError } from '../errors.js';
import { Semaphore, type SemaphoreLease, type SemaphoreParticipant } from './semaphore.js';
import type { LossPolicy, ZkClient } from '../framework/zk-client.js';
import type { LockAclOptions } from '../framework/lock-acl.js';
import { holdWhile } from './engine/hold-while.js';
import { checkOptions, type OptionsSpec } from '../framework/check-options.js';
import { ACQUIRE_OPTIONS_ELSEWHERE } from './engine/reentrant-lock.js';

/** The options check of each acquiring call (no `count`: one lease, always). */
const MUTEX_ACQUIRE_SPECS = {
  acquire: { call: 'acquire', known: ['timeout', 'signal'] },
  tryAcquire: { call: 'tryAcquire', known: ['timeout', 'signal'] },
  withLock: { call: 'withLock', known: ['timeout', 'signal'] },
} as const satisfies Record<string, OptionsSpec>;

/** Options for {@link SemaphoreMutex}. */
export interface SemaphoreMutexOptions extends LockAclOptions {
  /** Data of our lease node (default: the local IP address, as Curator writes); copied. */
  nodeData?: Buffer | Uint8Array;
  /** When a held lease counts as lost; default: the client's (`'suspended'`). */
  lossPolicy?: LossPolicy;
}

/** Options for one {@link SemaphoreMutex.acquire}. */
export interface SemaphoreMutexAcquireOptions {
  /** Milliseconds for the whole acquire; `0` tries once; omitted waits forever. */
  timeout?: number;
  /** Cancels the wait: rejects with `signal.reason`, nothing left behind. */
  signal?: AbortSignal;
}

/**
 * A distributed mutex that is not re-entrant, wire-compatible with Curator's
 * `InterProcessSemaphoreMutex`: nodes `<path>/locks/_c_<uuid>-lock-<seq>` (briefly, while
 * acquiring) and `<path>/leases/_c_<uuid>-lease-<seq>` (the hold).
 */
export class SemaphoreMutex {
  /** The lock path. */
  readonly path: string;
  private readonly semaphore: Semaphore;
  /** The lease taken last by this instance, for {@link SemaphoreMutex.release} (Curator's field). */
  private current: SemaphoreLease | undefined;

  /** @throws ValidationError for a bad client, path, nodeData or lossPolicy, or an unknown option (before any ZooKeeper call) */
  constructor(client: ZkClient, path: string, options?: SemaphoreMutexOptions) {
    options = checkOptions(options, {
      call: 'new SemaphoreMutex', known: ['nodeData', 'lossPolicy', 'acl', 'parentAcl'], elsewhere: ACQUIRE_OPTIONS_ELSEWHERE,
    });
    this.semaphore = new Semaphore(client, path, { maxLeases: 1, ...pick(options) });
    this.path = this.semaphore.path;
  }

  /**
   * Takes the mutex. Rejects with LockTimeoutError (nothing left behind), the signal's reason,
   * ClientClosedError, or ValidationError for a bad option (before any request). Not
   * re-entrant: while this process holds it, another acquire waits like any other; inside
   * withLock (the flow holds it) it rejects at once with WouldDeadlockError.
   */
  async acquire(options?: SemaphoreMutexAcquireOptions): Promise<SemaphoreLease> {
    const [lease] = await this.semaphore.acquire({ ...checkOptions(options, MUTEX_ACQUIRE_SPECS.acquire), count: 1 });
    this.current = lease as SemaphoreLease;
    return this.current;
  }

  /** A lease if the mutex is free (within `timeout`, default 0), else `null`; nothing left behind. */
  async tryAcquire(options?: SemaphoreMutexAcquireOptions): Promise<SemaphoreLease | null> {
    const leases = await this.semaphore.tryAcquire({ ...checkOptions(options, MUTEX_ACQUIRE_SPECS.tryAcquire), count: 1 });
    if (leases) this.current = leases[0];
    return leases?.[0] ?? null;
  }

  /** Runs `fn(lease, signal)` holding the mutex and releases it afterwards, whatever `fn` does. */
  withLock<T>(fn: (lease: SemaphoreLease, signal: AbortSignal) => T | Promise<T>, options?: SemaphoreMutexAcquireOptions): Promise<T> {
    return holdWhile(fn, () => this.acquire(checkOptions(options, MUTEX_ACQUIRE_SPECS.withLock)), (lease) => [lease]);
  }

  /**
   * Releases the lease this instance took last, from any flow (Curator's `release()`, which
   * does not check the thread either). NotHeldError when it holds none.
   */
  async release(): Promise<void> {
    const lease = this.current;
    this.current = undefined;
    if (!lease || lease.released) throw new NotHeldError(`this SemaphoreMutex does not hold ${this.path}`);
    await lease.release();
  }

  /** True while the lease this instance took last is not released (Curator's `isAcquiredInThisProcess`). */
  isAcquiredInThisProcess(): boolean {
    return this.current !== undefined && !this.current.released;
  }

  /** The lease nodes (holder and the acquirer waiting for room) with their data. */
  participants(): Promise<SemaphoreParticipant[]> {
    return this.semaphore.participants();
  }
}

function pick(options: SemaphoreMutexOptions): SemaphoreMutexOptions {
  return {
    ...(options.nodeData !== undefined ? { nodeData: options.nodeData } : {}),
    ...(options.lossPolicy !== undefined ? { lossPolicy: options.lossPolicy } : {}),
    ...(options.acl !== undefined ? { acl: options.acl } : {}),
    ...(options.parentAcl !== undefined ? { parentAcl: options.parentAcl } : {}),
  };
}
