// Curator's InterProcessMultiLock: several locks taken as one, all or none, within one
// deadline and one signal, released together. Unlike Curator it takes them in path order by
// default, so two multi-locks that list the same paths in different orders cannot deadlock
// (each waits only for locks that sort after every lock it holds: no cycle of waits).
import { anySignal } from '../util/any-signal.js';
import { describeValue } from '../util/describe-value.js';
import { ClientClosedError, LockLostError, LockTimeoutError, MultiLockError, NotHeldError, ValidationError } from '../errors.js';
import type { HoldStatus } from './engine/lease.js';
import { validateLockPath, validateSignal, validateTimeout } from './engine/lock-path.js';
import { Mutex } from './mutex.js';
import { ReentrantLock } from './engine/reentrant-lock.js';
import type { ZkClient } from '../framework/zk-client.js';
import { holdWhile } from './engine/hold-while.js';
import { checkOptions, type OptionsSpec } from '../framework/check-options.js';

/** The options check of each acquiring call. */
const MULTI_ACQUIRE_SPECS = {
  acquire: { call: 'acquire', known: ['timeout', 'signal'] },
  tryAcquire: { call: 'tryAcquire', known: ['timeout', 'signal'] },
  withLock: { call: 'withLock', known: ['timeout', 'signal'] },
} as const satisfies Record<string, OptionsSpec>;

/**
 * What a MultiLock needs of a lease it took: a way to give it back and, if the recipe has
 * them, its loss signal and status (the Lease of every zkurator recipe has all three).
 */
export interface MultiLockLease {
  /** Gives the hold back. Called once, by the MultiLock (or by its MultiLease). */
  release(): Promise<void>;
  /** Aborts once the hold may be lost (zkurator's `lease.signal`). */
  readonly signal?: AbortSignal;
  /** `'lost'` means gone for good: an acquire under way starts over (see MultiLock.acquire). */
  readonly status?: HoldStatus;
}

/**
 * What a MultiLock needs of each lock it takes, so that any recipe can take part: its path
 * (the order of acquisition, and the name in errors) and an acquire that honours a timeout
 * (ms; 0 tries once; undefined waits forever) and a signal, and resolves a releasable lease,
 * or several (a semaphore's acquire resolves an array of leases, all or none). `Mutex`,
 * `ReadLock` and `WriteLock` are members as they are.
 */
export interface MultiLockMember {
  /** The lock path: the order of acquisition and the name in errors. */
  readonly path: string;
  /** Takes the lock within `timeout` ms (0 tries once; undefined waits forever), or until `signal` aborts. */
  acquire(options: { timeout?: number; signal?: AbortSignal }): Promise<MultiLockLease | readonly MultiLockLease[]>;
}

/** In which order a MultiLock takes its locks. */
export type MultiLockOrder = 'path' | 'given';

/** Options for {@link MultiLock}. */
export interface MultiLockOptions {
  /**
   * `'path'` (default): sorted by path (plain string order, by UTF-16 code unit), whatever
   * order they were listed in: multi-locks over overlapping sets cannot deadlock. `'given'`:
   * the listed order, as Curator's InterProcessMultiLock does; use it only to match JVM
   * services that take the same locks with InterProcessMultiLock in that order.
   */
  order?: MultiLockOrder;
}

/** Options for one {@link MultiLock.acquire}. */
export interface MultiLockAcquireOptions {
  /** Milliseconds for the whole acquire, every lock included; `0` tries each once; omitted waits forever. */
  timeout?: number;
  /** Cancels the acquire: it rejects with `signal.reason` and gives back what it took. */
  signal?: AbortSignal;
}

/** Thrown through a member's acquire when a lock already taken was lost: start over. */
class TakenLockLost extends Error {
  constructor(readonly path: string) {
    super(`lock ${path}, taken by this multi-lock, was lost`);
  }
}

/** A lease taken by one pass, and the member path it belongs to. */
interface Taken {
  readonly path: string;
  readonly lease: MultiLockLease;
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Releases `leases` (all of them, at once, each attempted whatever the others do) and
 * resolves the errors of those that failed, in the order given.
 */
async function releaseEach(leases: readonly MultiLockLease[]): Promise<unknown[]> {
  const outcomes = await Promise.allSettled(leases.map(async (lease) => lease.release()));
  return outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
}

/** The holds of one successful {@link MultiLock.acquire}: release them together. */
export class MultiLease implements AsyncDisposable {
  #released = false;
  #signal: { of: readonly AbortSignal[]; combined: AbortSignal } | undefined;

  /** @internal */
  constructor(
    /** The paths, in the order they were taken. */
    readonly paths: readonly string[],
    /** The members' own leases, in the order they were taken (a member may give several). */
    readonly leases: readonly MultiLockLease[],
  ) {}

  /** True once released. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * `released` after release; otherwise the worst of the members' statuses: `lost` when any
   * lock is lost, `suspended` when any may be, else `held`.
   */
  get status(): HoldStatus {
    if (this.#released) return 'released';
    const statuses = this.leases.map((l) => l.status);
    if (statuses.includes('lost')) return 'lost';
    if (statuses.includes('suspended')) return 'suspended';
    return 'held';
  }

  /**
   * Aborts as soon as any of the locks may no longer be held (the first member signal to
   * abort gives the reason, a LockLostError naming its path). Like a Lease's, it is a new
   * signal after a member recovered from a disconnect: read it again for the next step.
   */
  get signal(): AbortSignal {
    const signals = this.leases.flatMap((l) => (l.signal ? [l.signal] : []));
    const cached = this.#signal;
    if (!cached || cached.of.length !== signals.length || cached.of.some((s, i) => s !== signals[i])) {
      this.#signal = { of: signals, combined: anySignal(signals).signal };
    }
    return this.#signal!.combined;
  }

  /**
   * Releases every lock, all at once: each release is attempted even if another fails (a
   * lost lock's release is fine and deletes nothing). Rejects with {@link MultiLockError}
   * (its `errors`: each failed release) if any failed; with NotHeldError on a second call.
   */
  async release(): Promise<void> {
    if (this.#released) throw new NotHeldError(`this multi-lease on ${this.paths.join(', ')} was already released`);
    this.#released = true;
    const errors = await releaseEach([...this.leases].reverse());
    if (errors.length > 0) {
      throw new MultiLockError(`could not release ${errors.length} of the ${this.leases.length} locks of a multi-lock: `
        + errors.map(describeError).join('; '), errors);
    }
  }

  /** Releases the locks if still held (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#released) await this.release();
  }
}

/**
 * Several locks acquired as one (Curator's InterProcessMultiLock): all or none, within one
 * deadline and one signal, and released together. Members are lock paths (each a {@link Mutex}
 * on that client) or any {@link MultiLockMember}: a Mutex (also with maxLeases), a ReadLock,
 * a WriteLock, or a recipe of your own.
 */
export class MultiLock {
  /** The members, in the order they are taken. */
  readonly members: readonly MultiLockMember[];
  private readonly client: ZkClient;

  /**
   * @throws ValidationError, before any request, for a client that is not a zkurator client,
   *   an empty list, a bad path, a member without a string `path` and an `acquire` function,
   *   two members on the same path (a read and a write lock of one path included: the second
   *   would wait for the first forever), or a bad `order`.
   */
  constructor(client: ZkClient, locks: ReadonlyArray<string | MultiLockMember>, options?: MultiLockOptions) {
    const zk = ReentrantLock.checkClient(client);
    options = checkOptions(options, { call: 'new MultiLock', known: ['order'], elsewhere: { timeout: 'acquire({ timeout })', signal: 'acquire({ signal })' } });
    if (!Array.isArray(locks) || locks.length === 0) {
      throw new ValidationError(`a multi-lock needs a non-empty array of lock paths or locks, got ${describeValue(locks)}`);
    }
    const order = options.order ?? 'path';
    if (order !== 'path' && order !== 'given') throw new ValidationError(`order must be 'path' or 'given', got ${describeValue(order)}`);
    const members = locks.map((lock, i): MultiLockMember => {
      if (typeof lock === 'string') return new Mutex(zk, lock);
      const m = lock as Partial<MultiLockMember> | null;
      if (typeof m !== 'object' || m === null || typeof m.path !== 'string' || typeof m.acquire !== 'function') {
        throw new ValidationError(`multi-lock member ${i} must be a lock path or a lock with a path and an acquire(), got ${describeValue(lock)}`);
      }
      validateLockPath(m.path);
      return m as MultiLockMember;
    });
    const seen = new Set<string>();
    for (const m of members) {
      if (seen.has(m.path)) throw new ValidationError(`multi-lock lists ${m.path} twice: its second lock would wait for the first forever`);
      seen.add(m.path);
    }
    this.members = order === 'path' ? [...members].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) : members;
    this.client = zk;
  }

  /** The paths, in the order they are taken. */
  get paths(): string[] {
    return this.members.map((m) => m.path);
  }

  /**
   * Takes every lock, in order, within one deadline. If any cannot be taken (timeout, abort,
   * error), those already taken are released before the promise rejects, with the error of
   * the lock that failed: LockTimeoutError (its `lockPath` is the lock it waited for, its
   * `timeoutMs` the whole timeout), the signal's reason, ClientClosedError, a ZooKeeperError.
   * If giving them back fails too, it rejects with a MultiLockError (`errors`: the acquire's
   * error first, also its `cause`, then the failed releases).
   *
   * A lock already taken that is lost meanwhile (its session expired, its node deleted) makes
   * the acquire give everything back and start over, within the same deadline: it never
   * resolves a multi-lease with a lost member.
   */
  async acquire(options?: MultiLockAcquireOptions): Promise<MultiLease> {
    options = checkOptions(options, MULTI_ACQUIRE_SPECS.acquire);
    const timeout = validateTimeout(options.timeout);
    const signal = validateSignal(options.signal);
    signal?.throwIfAborted();
    if (this.client.isClosed) throw new ClientClosedError();
    const end = timeout === undefined ? Infinity : performance.now() + timeout;
    // Past the deadline a new pass still tries each lock once (timeout 0), as a try-lock does.
    for (;;) {
      const outcome = await this.attempt(end, timeout, signal);
      if (outcome) return outcome;
    }
  }

  /**
   * Tries every lock without waiting (with `timeout`, waits that long in all): a multi-lease,
   * or `null` when some lock is busy (nothing is left taken). Rejects like {@link acquire}
   * otherwise.
   */
  async tryAcquire(options?: MultiLockAcquireOptions): Promise<MultiLease | null> {
    options = checkOptions(options, MULTI_ACQUIRE_SPECS.tryAcquire);
    try {
      return await this.acquire({ ...options, timeout: options.timeout ?? 0 });
    } catch (err) {
      if (err instanceof LockTimeoutError) return null;
      throw err;
    }
  }

  /**
   * Runs `fn(lease, signal)` with every lock held, and releases them afterwards whatever `fn`
   * does. `signal` aborts when any of the locks may be lost.
   */
  withLock<T>(fn: (lease: MultiLease, signal: AbortSignal) => T | Promise<T>, options?: MultiLockAcquireOptions): Promise<T> {
    return holdWhile(fn, () => this.acquire(checkOptions(options, MULTI_ACQUIRE_SPECS.withLock)), (lease) => lease.leases);
  }

  /**
   * One pass over the members. Resolves the multi-lease, or undefined when a lock already
   * taken was lost (everything was given back: start over); rejects otherwise.
   */
  private async attempt(end: number, timeout: number | undefined, signal: AbortSignal | undefined): Promise<MultiLease | undefined> {
    const taken: Taken[] = [];
    const restart = new AbortController();
    const combined = signal ? anySignal([signal, restart.signal]) : undefined;
    const inner = combined?.signal ?? restart.signal;
    const checkTaken = (): void => {
      const lost = taken.find((t) => t.lease.status === 'lost');
      if (lost && !restart.signal.aborted) restart.abort(new TakenLockLost(lost.path));
    };
    // A session loss reaches the holds through the same event: look once they have seen it.
    const onState = (): void => { process.nextTick(checkTaken); };
    const memberSignals: AbortSignal[] = [];
    this.client.on('state', onState);
    try {
      for (const member of this.members) {
        const left = end === Infinity ? undefined : Math.max(0, end - performance.now());
        const got = await member.acquire({ timeout: left, signal: inner });
        for (const lease of Array.isArray(got) ? got as readonly MultiLockLease[] : [got as MultiLockLease]) {
          taken.push({ path: member.path, lease });
          const memberSignal = lease.signal;
          if (memberSignal) {
            memberSignals.push(memberSignal);
            memberSignal.addEventListener('abort', checkTaken);
          }
        }
        checkTaken();
        if (restart.signal.aborted) throw restart.signal.reason;
      }
      return new MultiLease(this.paths, taken.map((t) => t.lease));
    } catch (err) {
      const releaseErrors = await releaseEach(taken.map((t) => t.lease).reverse());
      let failure = err;
      if (err instanceof TakenLockLost) {
        if (!signal?.aborted && releaseErrors.length === 0) return undefined; // start over
        failure = signal?.aborted ? signal.reason : new LockLostError(err.path, 'lost while the multi-lock was taking its other locks');
      } else if (err instanceof LockTimeoutError && timeout !== undefined) {
        failure = new LockTimeoutError(err.lockPath, timeout, err.outage, { cause: err.cause });
      }
      if (releaseErrors.length > 0) {
        throw new MultiLockError(`multi-lock acquire failed (${describeError(failure)}) and ${releaseErrors.length} of the locks it had taken `
          + `could not be given back: ${releaseErrors.map(describeError).join('; ')}`, [failure, ...releaseErrors], { cause: failure });
      }
      throw failure;
    } finally {
      this.client.off('state', onState);
      combined?.dispose();
      for (const s of memberSignals) s.removeEventListener('abort', checkTaken);
    }
  }
}
