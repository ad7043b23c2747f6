// The locks of one gateway process: taking them (one Mutex, ReadWriteLock half or Semaphore
// lease per HTTP lock, with the lock's record as node data), and finding, refreshing,
// releasing and expiring any gateway lock under the root by its URL, whichever instance took
// it. Everything a lock URL needs is read from ZooKeeper; memory only holds this process's own
// leases.
import { BadVersionError, LockTimeoutError, NoNodeError, NotEmptyError } from '../errors.js';
import type { Lease } from '../locks/engine/lease.js';
import { MUTEX_LOCK_NAME } from '../locks/engine/lock-driver.js';
import { sequenceOf } from '../locks/engine/lock-node-name.js';
import { Mutex } from '../locks/mutex.js';
import { READ_LOCK_NAME, WRITE_LOCK_NAME } from '../locks/engine/read-lock-driver.js';
import { ReadWriteLock } from '../locks/read-write-lock.js';
import { LEASE_NAME, SEMAPHORE_LEASES, SEMAPHORE_LOCKS, Semaphore } from '../locks/semaphore.js';
import type { NodeStat, ZkClient } from '../framework/zk-client.js';
import type { GatewaySettings } from './gateway-config.js';
import {
  decodeRecord, encodeRecord, isExpired, lockView, newRecordKey, parseLockId, type LockMode, type LockRecord, type LockView,
} from './lock-record.js';
import type { GatewayMetrics } from './metrics.js';
import { Problem } from './problem.js';

/** What a client asks for when it takes a lock. */
export interface LockRequest {
  readonly title: string;
  /** Seconds; 0 = until released. */
  readonly lifetime: number;
  /** Milliseconds to wait; 0 tries once; undefined waits until the request is cancelled. */
  readonly waitMs: number | undefined;
  readonly mode: LockMode;
  readonly maxLeases: number;
  /** The busy-wait API's host name, for pool locks. */
  readonly host?: string;
}

/** A granted gateway lock node as read from ZooKeeper. */
export interface FoundLock {
  readonly resource: string;
  readonly path: string;
  readonly sequence: string;
  readonly record: LockRecord;
  readonly stat: NodeStat;
}

/** A lock this process holds for an HTTP client. */
interface OwnLock {
  readonly lease: Lease;
  timer: NodeJS.Timeout | undefined;
}

/** Every lock name a gateway node can carry, for reading a child's sequence. */
const ALL_LOCK_NAMES = [MUTEX_LOCK_NAME, READ_LOCK_NAME, WRITE_LOCK_NAME, LEASE_NAME] as const;
/** setTimeout's largest delay; a longer lifetime is re-checked from the data when it fires. */
const MAX_TIMER_MS = 2_147_483_647;
/** Nodes read at most, per POST, to learn the maxLeases a busy mutex is used with. */
const MAX_RECIPE_READS = 8;
/** How soon an expiry check that could not reach ZooKeeper is tried again. */
const EXPIRY_RETRY_MS = 1_000;

const iso = (ms: number): string => new Date(ms).toISOString();

/** The ten-digit sequence of a lock node's name (mutex, read, write or lease), if it has one. */
export function nodeSequence(name: string): string | undefined {
  return sequenceOf(name, ALL_LOCK_NAMES);
}

/** What the gateway takes one lock from: a Mutex, a ReadWriteLock half, or a Semaphore's single lease. */
interface OneLock {
  acquire(options: { timeout: number | undefined; signal: AbortSignal }): Promise<Lease>;
}

export class GatewayLocks {
  /** This process's locks, by node path. */
  private readonly own = new Map<string, OwnLock>();
  /** Acquires under way, so that close() can cancel them. */
  private readonly pending = new Set<AbortController>();
  private closing = false;

  constructor(
    readonly client: ZkClient,
    readonly settings: GatewaySettings,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** The lock path of a resource. */
  pathOf(resource: string): string {
    return `${this.settings.root}/${resource}`;
  }

  /** How many locks this process holds for HTTP clients. */
  get heldCount(): number {
    return this.own.size;
  }

  /**
   * Takes a lock for an HTTP client. Resolves its view once granted and stamped (acquiredAt,
   * expiresAt written into the node). Rejects with a 408 Problem when the wait runs out, with
   * `signal.reason` when the client went away (nothing is left on the server either way).
   */
  async acquire(resource: string, request: LockRequest, signal: AbortSignal): Promise<LockView> {
    if (this.closing) throw shuttingDown();
    const record: LockRecord = {
      zkuratorGateway: true,
      key: newRecordKey(),
      title: request.title,
      mode: request.mode,
      maxLeases: request.maxLeases,
      lifetime: request.lifetime,
      acquiredAt: null,
      expiresAt: null,
      instance: this.settings.instance,
      ...(request.host === undefined ? {} : { host: request.host }),
    };
    const lock = this.lockFor(resource, record);
    const cancel = new AbortController();
    const onAbort = (): void => cancel.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // Pending until tracked: close() cancels it, or releases it once tracked, never neither.
    this.pending.add(cancel);
    try {
      await this.checkRecipe(resource, request);
      cancel.signal.throwIfAborted();
      return await this.acquireAndStamp(resource, lock, record, request.waitMs, cancel.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.pending.delete(cancel);
    }
  }

  /** Waits for the lock, then writes the grant's times into the record and tracks the lease. */
  private async acquireAndStamp(resource: string, lock: OneLock, record: LockRecord, waitMs: number | undefined, cancel: AbortSignal): Promise<LockView> {
    this.metrics.waiting += 1;
    const started = performance.now();
    let lease: Lease;
    try {
      lease = await lock.acquire({ timeout: waitMs, signal: cancel });
    } catch (err) {
      if (err instanceof LockTimeoutError) {
        this.metrics.acquireEnded('timeout', performance.now() - started);
        throw new Problem(408, 'wait-expired', 'Lock not obtained in time', waitMs === 0
          ? `${resource} is held by others (wait 0: tried once)`
          : `${resource} was not obtained within ${waitMs! / 1_000} s`);
      }
      this.metrics.acquireEnded(cancel.aborted ? 'cancelled' : 'error', performance.now() - started);
      throw err;
    } finally {
      this.metrics.waiting -= 1;
    }
    try {
      const now = Date.now();
      const granted: LockRecord = { ...record, acquiredAt: iso(now), expiresAt: record.lifetime === 0 ? null : iso(now + record.lifetime * 1_000) };
      cancel.throwIfAborted(); // the client went away, or we are closing: nobody to hand it to
      const stat = await this.client.setData(lease.path, encodeRecord(granted), 0);
      cancel.throwIfAborted();
      this.track(lease, granted.expiresAt);
      this.metrics.acquireEnded('acquired', performance.now() - started);
      const name = lease.path.slice(lease.path.lastIndexOf('/') + 1);
      return lockView(resource, lease.path, nodeSequence(name) ?? '', granted, stat.czxid);
    } catch (err) {
      this.metrics.acquireEnded(cancel.aborted ? 'cancelled' : 'error', performance.now() - started);
      this.forget(lease.path);
      if (!lease.released) await lease.release().catch(() => undefined);
      throw err;
    }
  }

  /**
   * A mutex and a read-write lock on one path would not exclude each other (their nodes sort
   * by different names), nor would mutex users that disagree on maxLeases: refuse a request
   * that does not match the nodes already there (the first gateway node's record tells the
   * maxLeases in use).
   */
  private async checkRecipe(resource: string, request: LockRequest): Promise<void> {
    const base = this.pathOf(resource);
    let children: string[];
    try {
      children = await this.client.getChildren(base);
    } catch (err) {
      if (err instanceof NoNodeError) return;
      throw err;
    }
    const semaphore = await this.semaphoreNodes(base, children);
    const semaphoreDirs = children.filter((c) => c === SEMAPHORE_LOCKS || c === SEMAPHORE_LEASES);
    children = children.filter((c) => c !== SEMAPHORE_LOCKS && c !== SEMAPHORE_LEASES);
    const readWrite = children.some((c) => c.includes(READ_LOCK_NAME) || c.includes(WRITE_LOCK_NAME));
    const mutex = children.filter((c) => c.includes(MUTEX_LOCK_NAME));
    if (request.mode !== 'semaphore' && semaphore.length > 0) throw semaphoreConflict(resource);
    if (request.mode !== 'semaphore') await this.deleteEmptySemaphore(base, resource, semaphoreDirs);
    if ((request.mode === 'mutex' || request.mode === 'semaphore') && readWrite) throw new Problem(409, 'recipe-conflict', 'Lock kind conflict', `${resource} is a read-write lock now; ask for mode "read" or "write"`);
    if (request.mode !== 'mutex' && mutex.length > 0) throw new Problem(409, 'recipe-conflict', 'Lock kind conflict', `${resource} is a mutex now; ask for mode "mutex"`);
    // Gateway nodes carry their maxLeases; look at the first few (others' nodes tell nothing).
    const counted = request.mode === 'semaphore' ? semaphore : mutex.map((name) => `${base}/${name}`);
    for (const path of counted.slice(0, MAX_RECIPE_READS)) {
      let record: LockRecord | undefined;
      try {
        record = decodeRecord((await this.client.getData(path)).data);
      } catch (err) {
        if (err instanceof NoNodeError) continue;
        throw err;
      }
      if (!record) continue;
      if (record.maxLeases !== request.maxLeases) {
        throw new Problem(409, 'recipe-conflict', 'maxLeases conflict', `${resource} is in use with maxLeases ${record.maxLeases}; ask for the same (got ${request.maxLeases})`);
      }
      return;
    }
  }

  /**
   * The nodes of a V2 semaphore under `base` (lease nodes first, then acquirers queued on its
   * internal mutex), as full paths; none when `children` has no `leases` or `locks`. Empty
   * `leases` and `locks` containers left by an earlier semaphore do not make it one.
   */
  private async semaphoreNodes(base: string, children: readonly string[]): Promise<string[]> {
    const dirs = [SEMAPHORE_LEASES, SEMAPHORE_LOCKS].filter((d) => children.includes(d));
    const listed = await Promise.all(dirs.map(async (dir) =>
      (await this.client.getChildrenOrEmpty(`${base}/${dir}`)).map((name) => `${base}/${dir}/${name}`)));
    return listed.flat();
  }

  /**
   * An earlier semaphore's empty `locks` and `leases` containers would sit among the nodes of
   * a mutex or read-write lock (shown as foreign nodes) until the server removes them: delete
   * them first. One that is no longer empty is a semaphore in use again: 409.
   */
  private async deleteEmptySemaphore(base: string, resource: string, dirs: readonly string[]): Promise<void> {
    for (const dir of dirs) {
      try {
        await this.client.delete(`${base}/${dir}`);
      } catch (err) {
        if (err instanceof NotEmptyError) throw semaphoreConflict(resource);
        if (!(err instanceof NoNodeError)) throw err;
      }
    }
  }

  /**
   * The names, relative to `base`, of every node a gateway lock may be: the children of
   * `base`, and the lease nodes of a V2 semaphore as `leases/<name>`.
   */
  async lockChildren(base: string): Promise<string[]> {
    const children = await this.client.getChildren(base);
    if (!children.includes(SEMAPHORE_LEASES)) return children;
    let leases: string[];
    try {
      leases = await this.client.getChildren(`${base}/${SEMAPHORE_LEASES}`);
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      leases = [];
    }
    return [...children.filter((c) => c !== SEMAPHORE_LEASES && c !== SEMAPHORE_LOCKS), ...leases.map((name) => `${SEMAPHORE_LEASES}/${name}`)];
  }

  private lockFor(resource: string, record: LockRecord): OneLock {
    const options = { nodeData: encodeRecord(record), lossPolicy: 'lost' as const };
    const path = this.pathOf(resource);
    switch (record.mode) {
      case 'mutex': return new Mutex(this.client, path, { ...options, maxLeases: record.maxLeases });
      case 'read': return new ReadWriteLock(this.client, path, options).readLock;
      case 'write': return new ReadWriteLock(this.client, path, options).writeLock;
      case 'semaphore': {
        // The record in the queue node too: a client waiting for the internal mutex shows as a gateway client.
        const semaphore = new Semaphore(this.client, path, { ...options, queueNodeData: options.nodeData, maxLeases: record.maxLeases });
        return { acquire: async (o) => (await semaphore.acquire({ ...o, count: 1 }))[0]! };
      }
    }
  }

  /** Keeps a granted lease: its expiry timer, and forgetting it when its node goes. */
  private track(lease: Lease, expiresAt: string | null): void {
    const entry: OwnLock = { lease, timer: undefined };
    this.own.set(lease.path, entry);
    this.schedule(lease.path, entry, expiresAt);
    void this.forgetWhenLost(lease);
  }

  /**
   * Our node deleted (a DELETE through another instance, or its expiry), our session gone:
   * the lease reports it lost; drop it quietly. A dropped connection that comes back is not a
   * loss (policy 'lost'); the clock check's abort is taken back once the session answers.
   */
  private async forgetWhenLost(lease: Lease): Promise<void> {
    for (;;) {
      const signal = lease.signal;
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      if (lease.released) return;
      try {
        await lease.untilSafe();
      } catch {
        this.forget(lease.path);
        await lease.release().catch(() => undefined); // a lost lease: deletes nothing
        return;
      }
      if (lease.signal === signal) return; // not expected: a safe lease has a fresh signal
    }
  }

  private forget(path: string): OwnLock | undefined {
    const entry = this.own.get(path);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.own.delete(path);
    return entry;
  }

  private schedule(path: string, entry: OwnLock, expiresAt: string | null): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (expiresAt === null) return;
    this.scheduleIn(path, entry, Date.parse(expiresAt) - Date.now());
  }

  private scheduleIn(path: string, entry: OwnLock, delayMs: number): void {
    entry.timer = setTimeout(() => void this.checkExpiry(path, entry), Math.min(MAX_TIMER_MS, Math.max(0, delayMs)));
    entry.timer.unref();
  }

  /** Our lock's timer: expire it if its data (maybe refreshed by another instance) says so. */
  private async checkExpiry(path: string, entry: OwnLock): Promise<void> {
    if (this.own.get(path) !== entry) return;
    try {
      const { data, stat } = await this.client.getData(path);
      const record = decodeRecord(data);
      if (record && isExpired(record)) {
        if (await this.expire(path, stat.version)) return;
        return this.scheduleIn(path, entry, 0); // refreshed meanwhile: read the new expiry
      }
      if (this.own.get(path) === entry) this.schedule(path, entry, record?.expiresAt ?? null);
    } catch (err) {
      if (err instanceof NoNodeError) {
        this.forget(path);
        await entry.lease.release().catch(() => undefined);
      } else if (this.own.get(path) === entry) {
        this.scheduleIn(path, entry, EXPIRY_RETRY_MS);
      }
    }
  }

  /**
   * Deletes an expired lock node, but only if its data is still the version judged expired (a
   * refresh that came in between wins). Resolves true when the node is gone.
   */
  async expire(path: string, version: number): Promise<boolean> {
    try {
      await this.client.delete(path, version);
      this.metrics.lockExpired();
    } catch (err) {
      if (err instanceof BadVersionError) return false;
      if (!(err instanceof NoNodeError)) throw err;
    }
    const entry = this.forget(path);
    if (entry) await entry.lease.release().catch(() => undefined);
    return true;
  }

  /** The granted, unexpired gateway lock with this id, or undefined. Expires it if due. */
  async find(resource: string, id: string): Promise<FoundLock | undefined> {
    const parsed = parseLockId(id);
    if (!parsed) return undefined;
    const base = this.pathOf(resource);
    for (let attempt = 0; attempt < 5; attempt++) {
      let children: string[];
      try {
        children = await this.lockChildren(base);
      } catch (err) {
        if (err instanceof NoNodeError) return undefined;
        throw err;
      }
      const name = children.find((c) => nodeSequence(c) === parsed.sequence);
      if (!name) return undefined;
      const path = `${base}/${name}`;
      let node: { data: Buffer; stat: NodeStat };
      try {
        node = await this.client.getData(path);
      } catch (err) {
        if (err instanceof NoNodeError) return undefined;
        throw err;
      }
      const record = decodeRecord(node.data);
      if (!record || record.key !== parsed.key || record.acquiredAt === null) return undefined;
      if (!isExpired(record)) return { resource, path, sequence: parsed.sequence, record, stat: node.stat };
      if (await this.expire(path, node.stat.version)) return undefined;
      // refreshed between our read and the delete: read it again
    }
    throw new Problem(409, 'busy', 'Lock changing', `the lock ${id} on ${resource} kept changing while being read; try again`);
  }

  /** The view of a found lock. */
  view(found: FoundLock): LockView {
    return lockView(found.resource, found.path, found.sequence, found.record, found.stat.czxid);
  }

  /** Releases the lock with this id (any instance's). Resolves false when there is none. */
  async release(resource: string, id: string): Promise<boolean> {
    const found = await this.find(resource, id);
    if (!found) return false;
    return this.releaseFound(found);
  }

  /** Releases a found lock: our own lease if we hold it, else deletes the other instance's node. */
  async releaseFound(found: FoundLock): Promise<boolean> {
    const entry = this.forget(found.path);
    if (entry) {
      if (!entry.lease.released) await entry.lease.release();
      return true;
    }
    try {
      await this.client.delete(found.path);
      return true;
    } catch (err) {
      if (err instanceof NoNodeError) return false;
      throw err;
    }
  }

  /**
   * Extends a lock's lifetime from now: `lifetime` seconds, or the lock's own lifetime when
   * omitted. Resolves the new view, or undefined when the lock is gone or has expired.
   */
  async refresh(resource: string, id: string, lifetime: number | undefined): Promise<LockView | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const found = await this.find(resource, id);
      if (!found) return undefined;
      const seconds = lifetime ?? found.record.lifetime;
      const record: LockRecord = { ...found.record, lifetime: seconds, expiresAt: seconds === 0 ? null : iso(Date.now() + seconds * 1_000) };
      let stat: NodeStat;
      try {
        stat = await this.client.setData(found.path, encodeRecord(record), found.stat.version);
      } catch (err) {
        if (err instanceof BadVersionError) continue; // refreshed or expired by someone else meanwhile
        if (err instanceof NoNodeError) return undefined;
        throw err;
      }
      const entry = this.own.get(found.path);
      if (entry) this.schedule(found.path, entry, record.expiresAt);
      return this.view({ ...found, record, stat });
    }
    throw new Problem(409, 'busy', 'Lock changing', `the lock ${id} on ${resource} kept changing during the refresh; try again`);
  }

  /** Stops taking locks, cancels waiting acquires, releases every lock this process holds. */
  async close(): Promise<void> {
    this.closing = true;
    for (const cancel of this.pending) cancel.abort(shuttingDown());
    const entries = [...this.own.keys()].map((path) => this.forget(path)!);
    await Promise.allSettled(entries.map((e) => e.lease.released ? undefined : e.lease.release()));
  }
}

function semaphoreConflict(resource: string): Problem {
  return new Problem(409, 'recipe-conflict', 'Lock kind conflict', `${resource} is a semaphore (V2) now; ask for mode "semaphore"`);
}

function shuttingDown(): Problem {
  return new Problem(503, 'shutting-down', 'Gateway shutting down', 'this gateway is shutting down; try another instance');
}
