// The locks of one gateway process: taking them (a node of a Curator mutex or read-write lock,
// or a lease of a V2 semaphore, with the lock's record as node data), and finding, refreshing,
// releasing and expiring any gateway lock under the root by its URL, whichever instance took
// it. Everything a lock URL needs is in ZooKeeper; memory only holds this process's own locks,
// with the record and data version it last wrote or read, so that it acts on them at once.
//
// ZooKeeper round trips of an uncontended POST + DELETE, two: the create (its data already the
// granted record, its reply the node's czxid) with the listing sent behind it (the kind check
// and the grant); then the delete of the node the id names, at the data version this process
// knows. A lock that had to wait gets its grant's times written before the answer. (The first
// lock on a resource this process knows nothing of also lists it before its create: see
// lock-kinds.ts on election paths.)
import { BadVersionError, LockTimeoutError, NoNodeError } from '../errors.js';
import type { LockDriver } from '../locks/engine/lock-driver.js';
import { StandardLockDriver } from '../locks/engine/lock-driver.js';
import { Deadline } from '../locks/engine/deadline.js';
import { LockEngine, type HeldNode } from '../locks/engine/lock-engine.js';
import { reportAcquired, reportAcquireFailed, reportAcquireStarted, reportHoldEnded, reportHoldStarted } from '../framework/lock-events.js';
import { READ_WRITE_SORT_NAMES, ReadLockDriver, WRITE_LOCK_NAME } from '../locks/engine/read-lock-driver.js';
import { LEASE_NAME, SEMAPHORE_LEASES, SEMAPHORE_LOCKS, Semaphore } from '../locks/semaphore.js';
import type { LockLossReason } from '../errors.js';
import type { ConnectionState, NodeStat, ZkClient } from '../framework/zk-client.js';
import type { GatewaySettings } from './gateway-config.js';
import { LockKindCheck } from './lock-kinds.js';
import {
  decodeRecord, encodeRecord, isExpired, lockView, modeOfId, nodePathOf, parseLockId, type LockMode, type LockRecord, type LockView,
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
  readonly record: LockRecord;
  readonly stat: NodeStat;
}

/** A lock this process holds for an HTTP client. */
interface OwnLock {
  readonly resource: string;
  readonly node: HeldNode;
  /** The engine of its node: releases it, watches it. */
  readonly engine: LockEngine;
  /** The record as this process last wrote or read it, at data version `version`. */
  record: LockRecord;
  version: number;
  /** The next look at it: arming its own-node watch, or its expiry. */
  timer: NodeJS.Timeout | undefined;
  /** Its own-node watch is wanted (set once the lock was held a while, see WATCH_AFTER_MS). */
  watched: boolean;
  readonly heldSince: number;
  /** When (Date.now()) its own-node watch is due, if the lock is still held. */
  readonly watchAt: number;
}

/** setTimeout's largest delay; a longer lifetime is re-checked from the data when it fires. */
const MAX_TIMER_MS = 2_147_483_647;
/** How soon an expiry that could not reach ZooKeeper is tried again. */
const EXPIRY_RETRY_MS = 1_000;
/**
 * A lock still held after this long gets a watch on its node, so this process learns within
 * moments that another instance deleted or expired it (or refreshed it: the watch re-reads
 * the record). Most gateway locks are released sooner and never pay for the watch, nor for
 * its event when the node is deleted.
 */
const WATCH_AFTER_MS = 1_000;
/** A create's record older than this when the lock is granted is rewritten with the grant's times. */
const STALE_RECORD_MS = 1_000;
/** Times a granted lock whose node vanished before its grant was written is taken again. */
const MAX_REGRANTS = 3;
/** Attempts at a read-then-change on a lock that others keep changing. */
const MAX_ATTEMPTS = 5;

const iso = (ms: number): string => new Date(ms).toISOString();

/** The record's fields a request fixes; the times come with the grant. */
type RecordTemplate = Omit<LockRecord, 'acquiredAt' | 'expiresAt'>;

function grantedAt(template: RecordTemplate, ms: number): LockRecord {
  return { ...template, acquiredAt: iso(ms), expiresAt: template.lifetime === 0 ? null : iso(ms + template.lifetime * 1_000) };
}

function waiting(template: RecordTemplate): LockRecord {
  return { ...template, acquiredAt: null, expiresAt: null };
}

const READ_DRIVER = new ReadLockDriver();
const WRITE_DRIVER = new StandardLockDriver(1, WRITE_LOCK_NAME, READ_WRITE_SORT_NAMES);

export class GatewayLocks {
  /** This process's locks, by node path. */
  private readonly own = new Map<string, OwnLock>();
  /** Acquires under way, so that close() can cancel them. */
  private readonly pending = new Set<AbortController>();
  private readonly kinds: LockKindCheck;
  private readonly mutexDrivers = new Map<number, LockDriver>();
  /** By lock path: this process's acquires under way there and locks held there. */
  private readonly busy = new Map<string, number>();
  private closing = false;
  private readonly onState = (state: ConnectionState): void => this.onConnectionState(state);

  constructor(
    readonly client: ZkClient,
    readonly settings: GatewaySettings,
    private readonly metrics: GatewayMetrics,
  ) {
    this.kinds = new LockKindCheck(client);
    client.on('state', this.onState);
  }

  /** The lock path of a resource. */
  pathOf(resource: string): string {
    return `${this.settings.root}/${resource}`;
  }

  /** How many locks this process holds for HTTP clients. */
  get heldCount(): number {
    return this.own.size;
  }

  /**
   * Takes a lock for an HTTP client. Resolves its view once granted, its record in the node.
   * Rejects with a 408 Problem when the wait runs out, with the reason `cancel` is aborted
   * with (the client went away; close() aborts it too) and nothing left on the server, with a
   * 409 Problem when the resource is a lock of another kind.
   */
  async acquire(resource: string, request: LockRequest, cancel: AbortController): Promise<LockView> {
    if (this.closing) throw shuttingDown();
    if (!this.client.isConnected) throw unavailable(this.client);
    const template: RecordTemplate = {
      zkuratorGateway: true,
      title: request.title,
      mode: request.mode,
      maxLeases: request.maxLeases,
      lifetime: request.lifetime,
      instance: this.settings.instance,
      ...(request.host === undefined ? {} : { host: request.host }),
    };
    // Pending until tracked: close() cancels it, or releases it once tracked, never neither.
    this.pending.add(cancel);
    const base = this.pathOf(resource);
    this.busy.set(base, (this.busy.get(base) ?? 0) + 1);
    let held = false;
    const lockName = request.mode === 'semaphore' ? LEASE_NAME : this.driverFor(request).lockName;
    this.metrics.waiting += 1;
    reportAcquireStarted(this.client);
    const started = performance.now();
    try {
      const lock = request.mode === 'semaphore'
        ? await this.takeLease(resource, request, template, cancel.signal)
        : await this.takeLock(resource, request, template, cancel.signal);
      if (cancel.signal.aborted) { // the client went away, or we are closing: nobody to hand it to
        this.kinds.forget(lock.node.path);
        await lock.engine.release(lock.node).catch(() => undefined);
        cancel.signal.throwIfAborted();
      }
      const waited = performance.now() - started;
      this.track(lock);
      held = true; // counted as busy on the resource until forgotten
      this.metrics.acquireEnded('acquired', waited);
      reportAcquired(this.client, base, lockName, lock.node.path, waited, lock.node.czxid);
      return lockView(resource, lock.node.path, lock.record, lock.node.czxid);
    } catch (err) {
      const waited = performance.now() - started;
      const timeout = err instanceof LockTimeoutError;
      this.metrics.acquireEnded(timeout ? 'timeout' : cancel.signal.aborted ? 'cancelled' : 'error', waited);
      reportAcquireFailed(this.client, base, lockName, timeout ? 'timeout' : cancel.signal.aborted ? 'aborted' : 'failed', waited, err);
      if (!timeout) throw err;
      if (!this.client.isConnected) throw unavailable(this.client); // not a busy lock: no ZooKeeper
      throw new Problem(408, 'wait-expired', 'Lock not obtained in time', request.waitMs === 0
        ? `${resource} is held by others (wait 0: tried once)`
        : `${resource} was not obtained within ${request.waitMs! / 1_000} s`);
    } finally {
      if (!held) this.idle(base);
      this.metrics.waiting -= 1;
      this.pending.delete(cancel);
    }
  }

  /** One acquire or lock of this process on `base` less. */
  private idle(base: string): void {
    const n = (this.busy.get(base) ?? 1) - 1;
    if (n > 0) this.busy.set(base, n);
    else this.busy.delete(base);
  }

  /**
   * True when a mutex or write request on `base` will queue: this process's other acquires and
   * locks there already fill it (a guess, made when the node is created, to create it with a
   * waiting record rather than write one a moment later; a wrong guess costs a write).
   */
  private willQueue(base: string, request: LockRequest): boolean {
    if (request.mode === 'read') return false;
    const others = (this.busy.get(base) ?? 1) - 1;
    return others >= (request.mode === 'write' ? 1 : request.maxLeases);
  }

  private driverFor(request: LockRequest): LockDriver {
    if (request.mode === 'read') return READ_DRIVER;
    if (request.mode === 'write') return WRITE_DRIVER;
    let driver = this.mutexDrivers.get(request.maxLeases);
    if (!driver) this.mutexDrivers.set(request.maxLeases, (driver = new StandardLockDriver(request.maxLeases)));
    return driver;
  }

  /**
   * A mutex, read or write lock: our node is created with the record of a grant at its create
   * (most are granted there, and then nothing more is written), or with a waiting record when
   * this process's own locks and requests on the resource already fill it (it will queue); the
   * listing sent behind the create is checked for a lock of another kind. A node that has to
   * wait says so in its data as soon as it queues (unless created so). When the node it waits
   * on is deleted, it writes its grant's times together with the listing that looks again (the
   * look that most often grants it: no round trip of its own), and says it waits again if that
   * look says wait.
   */
  private async takeLock(resource: string, request: LockRequest, template: RecordTemplate, signal: AbortSignal): Promise<OwnLock> {
    const base = this.pathOf(resource);
    // A resource not yet seen free of LeaderLatch nodes is listed first: on an election's path
    // the 409 must come before our node could make a zkurator leader there step down (lock-kinds.ts).
    if (this.kinds.mustLookFirst(base)) {
      await this.kinds.check(resource, base, request, await this.client.getChildrenOrEmpty(base));
      signal.throwIfAborted();
    }
    const records = new WeakMap<Buffer, { record: LockRecord; made: number }>();
    const created: string[] = [];
    const engine = new LockEngine(this.client, base, this.driverFor(request), () => {
      const made = Date.now();
      const record = this.willQueue(base, request) ? waiting(template) : grantedAt(template, made);
      const data = encodeRecord(record);
      records.set(data, { record, made });
      return data;
    }, undefined, {
      checkFirstListing: async (children, ourName) => {
        const path = `${base}/${ourName}`;
        created.push(path);
        if (request.mode === 'mutex') this.kinds.remember(path, request.maxLeases);
        await this.kinds.check(resource, base, request, children, ourName);
      },
      // A node that must wait says so in its data at once (the request waits anyway).
      onWait: (node) => {
        const last = writes.get(node.path);
        const saysGranted = last ? last.granted !== null : records.get(node.data)?.record.acquiredAt !== null;
        if (saysGranted) write(node, waiting(template), false);
      },
      onRelook: (node) => write(node, grantedAt(template, Date.now()), true),
    });
    // The last write to each of our nodes (ZooKeeper applies a session's writes in order): the
    // data version it left (undefined: failed or unknown), and the record if it was a grant.
    const writes = new Map<string, { version: Promise<number | undefined>; granted: LockRecord | null }>();
    const write = (node: HeldNode, record: LockRecord, granted: boolean): void => {
      const version = this.client.setData(node.path, encodeRecord(record), -1).then((stat) => stat.version, () => undefined);
      writes.set(node.path, { version, granted: granted ? record : null });
    };
    const deadline = new Deadline(this.client, base, request.waitMs, signal);
    let granted: HeldNode | undefined;
    try {
      for (let regrants = 0; ; regrants++) {
        const node = await engine.acquire(deadline);
        const made = records.get(node.data);
        const last = writes.get(node.path);
        if (!last && made && made.record.acquiredAt !== null && Date.now() - made.made <= STALE_RECORD_MS) {
          granted = node;
          return this.newOwn(resource, node, engine, made.record, 0);
        }
        const version = last ? await last.version : 0;
        if (last?.granted && version !== undefined) { // granted by the look its grant write went with
          granted = node;
          return this.newOwn(resource, node, engine, last.granted, version);
        }
        // Granted after a wait some other way (or long after its create): write the grant's times.
        const record = grantedAt(template, Date.now());
        try {
          const stat = await this.client.setData(node.path, encodeRecord(record), version ?? -1);
          granted = node;
          return this.newOwn(resource, node, engine, record, stat.version);
        } catch (err) {
          await engine.release(node).catch(() => undefined);
          // Gone before its grant was written (deleted by someone, reaped on the record it was
          // created with): take the lock again, within the same deadline.
          if (!(err instanceof NoNodeError || err instanceof BadVersionError) || regrants >= MAX_REGRANTS) throw err;
        }
      }
    } finally {
      for (const path of created) if (path !== granted?.path) this.kinds.forget(path);
    }
  }

  /**
   * One lease of a V2 semaphore (Curator's InterProcessSemaphoreV2): the kind is checked from a
   * listing first (the lease node is made only inside the semaphore's internal mutex), the
   * record, waiting, goes in the lease node and in the queue node, and the grant's times are
   * written once the lease is granted.
   */
  private async takeLease(resource: string, request: LockRequest, template: RecordTemplate, signal: AbortSignal): Promise<OwnLock> {
    const base = this.pathOf(resource);
    await this.kinds.check(resource, base, request, await this.client.getChildrenOrEmpty(base));
    signal.throwIfAborted();
    const deadline = new Deadline(this.client, base, request.waitMs, signal);
    const data = encodeRecord(waiting(template));
    const semaphore = new Semaphore(this.client, base, { nodeData: data, queueNodeData: data, lossPolicy: 'lost', maxLeases: request.maxLeases });
    const [node] = await semaphore.acquireNodesWithin(1, deadline);
    const engine = semaphore.leaseEngine;
    try {
      const record = grantedAt(template, Date.now());
      const stat = await this.client.setData(node!.path, encodeRecord(record), 0);
      this.kinds.remember(node!.path, request.maxLeases);
      return this.newOwn(resource, node!, engine, record, stat.version);
    } catch (err) {
      await engine.release(node!).catch(() => undefined);
      throw err;
    }
  }

  private newOwn(resource: string, node: HeldNode, engine: LockEngine, record: LockRecord, version: number): OwnLock {
    return { resource, node, engine, record, version, timer: undefined, watched: false, heldSince: performance.now(), watchAt: Date.now() + WATCH_AFTER_MS };
  }

  /** Keeps a granted lock: its next look (watch, expiry). */
  private track(lock: OwnLock): void {
    this.own.set(lock.node.path, lock);
    reportHoldStarted(this.client);
    this.schedule(lock);
  }

  /**
   * Drops a lock from this process's memory (released, expired, or gone). `lost`: it ended
   * without us (its node deleted by another instance, its session gone).
   */
  private forget(lock: OwnLock, lost?: LockLossReason): boolean {
    if (this.own.get(lock.node.path) !== lock) return false;
    clearTimeout(lock.timer);
    lock.timer = undefined;
    lock.node.onChange = () => undefined;
    this.own.delete(lock.node.path);
    this.idle(this.pathOf(lock.resource));
    this.kinds.forget(lock.node.path);
    reportHoldEnded(this.client, lock.engine.basePath, lock.engine.driver.lockName, lock.node.path, performance.now() - lock.heldSince, lost);
    return true;
  }

  /** The next look at a lock: at its expiry, or sooner to arm its watch. */
  private schedule(lock: OwnLock): void {
    clearTimeout(lock.timer);
    const now = Date.now();
    const untilExpiry = lock.record.expiresAt === null ? Infinity : Date.parse(lock.record.expiresAt) - now;
    const delay = Math.min(untilExpiry, lock.watched ? Infinity : lock.watchAt - now);
    lock.timer = delay === Infinity ? undefined : setTimeout(() => this.onTimer(lock), Math.min(MAX_TIMER_MS, Math.max(0, delay)));
    lock.timer?.unref();
  }

  private onTimer(lock: OwnLock): void {
    lock.timer = undefined;
    if (this.own.get(lock.node.path) !== lock) return;
    if (!lock.watched) {
      lock.watched = true;
      void this.watch(lock);
    }
    if (isExpired(lock.record)) void this.expireOwn(lock);
    else this.schedule(lock);
  }

  /**
   * Arms (or re-arms) the watch on our lock's node and takes in what it read: a record another
   * instance refreshed, or that the node is gone (deleted or expired elsewhere: forget it).
   */
  private async watch(lock: OwnLock): Promise<void> {
    if (this.own.get(lock.node.path) !== lock || !this.client.isConnected) return; // a reconnect re-arms it
    lock.node.onChange = () => void this.watch(lock);
    let read: { data: Buffer; stat: NodeStat } | undefined;
    try {
      read = await lock.engine.armOwnWatchRead(lock.node);
    } catch {
      return; // connection trouble: the reconnect re-arms it, a lost session forgets it
    }
    if (this.own.get(lock.node.path) !== lock) return;
    if (!read) {
      this.forget(lock, 'NODE_DELETED');
      return;
    }
    if (read.stat.version !== lock.version) {
      lock.record = decodeRecord(read.data) ?? lock.record;
      lock.version = read.stat.version;
      this.schedule(lock);
    }
  }

  private onConnectionState(state: ConnectionState): void {
    if (state === 'LOST' || state === 'CLOSED') {
      // The session that held every one of our nodes is gone, and the nodes with it.
      for (const lock of [...this.own.values()]) this.forget(lock, state === 'LOST' ? 'SESSION_LOST' : 'CLIENT_CLOSED');
    } else if (state === 'RECONNECTED') {
      // Armed watches come back with the session; arm the ones a dropped connection stopped.
      for (const lock of this.own.values()) if (lock.watched && !lock.node.ownWatchArmed) void this.watch(lock);
    }
  }

  /** Our lock's lifetime passed (by the record we know): delete it at that record's version. */
  private async expireOwn(lock: OwnLock): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (this.own.get(lock.node.path) !== lock) return;
      if (!isExpired(lock.record)) return this.schedule(lock);
      try {
        await lock.engine.deleteAtVersion(lock.node, lock.version);
        if (this.forget(lock)) this.metrics.lockExpired();
        return;
      } catch (err) {
        if (err instanceof NoNodeError) {
          this.forget(lock, 'NODE_DELETED');
          return;
        }
        if (!(err instanceof BadVersionError) || !(await this.reread(lock))) break;
      }
    }
    if (this.own.get(lock.node.path) !== lock) return;
    clearTimeout(lock.timer);
    lock.timer = setTimeout(() => this.onTimer(lock), EXPIRY_RETRY_MS);
    lock.timer.unref();
  }

  /** Reads our lock's record again (changed by another instance); false when it could not. */
  private async reread(lock: OwnLock): Promise<boolean> {
    try {
      const { data, stat } = await this.client.getData(lock.node.path);
      lock.record = decodeRecord(data) ?? lock.record;
      lock.version = stat.version;
      return true;
    } catch (err) {
      if (err instanceof NoNodeError) this.forget(lock, 'NODE_DELETED');
      return false;
    }
  }

  /**
   * Deletes an expired lock node (any instance's), but only if its data is still the version
   * judged expired (a refresh that came in between wins). Resolves true when the node is gone.
   */
  async expire(path: string, version: number): Promise<boolean> {
    const lock = this.own.get(path);
    try {
      if (lock) await lock.engine.deleteAtVersion(lock.node, version);
      else await this.client.delete(path, version);
      this.metrics.lockExpired();
    } catch (err) {
      if (err instanceof BadVersionError) return false;
      if (!(err instanceof NoNodeError)) throw err;
    }
    if (lock) this.forget(lock);
    return true;
  }

  /**
   * The names, relative to `base`, of every node a gateway lock may be: the children of
   * `base`, and the lease nodes of a V2 semaphore as `leases/<name>`.
   */
  async lockChildren(base: string): Promise<string[]> {
    const children = await this.client.getChildren(base);
    if (!children.includes(SEMAPHORE_LEASES)) return children;
    const leases = await this.client.getChildrenOrEmpty(`${base}/${SEMAPHORE_LEASES}`);
    return [...children.filter((c) => c !== SEMAPHORE_LEASES && c !== SEMAPHORE_LOCKS), ...leases.map((name) => `${SEMAPHORE_LEASES}/${name}`)];
  }

  /** The node path a lock id names under a resource, or undefined when it cannot be an id. */
  private pathOfId(resource: string, id: string): { path: string; mode: LockMode } | undefined {
    const parsed = parseLockId(id);
    return parsed && { path: nodePathOf(this.pathOf(resource), parsed), mode: modeOfId(parsed) };
  }

  /** The granted, unexpired gateway lock with this id, or undefined. Expires it if due. */
  async find(resource: string, id: string): Promise<FoundLock | undefined> {
    const named = this.pathOfId(resource, id);
    return named && this.findAt(resource, named.path, named.mode);
  }

  private async findAt(resource: string, path: string, mode: LockMode): Promise<FoundLock | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let node: { data: Buffer; stat: NodeStat };
      try {
        node = await this.client.getData(path);
      } catch (err) {
        if (err instanceof NoNodeError) return undefined;
        throw err;
      }
      const record = decodeRecord(node.data);
      if (!record || record.acquiredAt === null || record.mode !== mode) return undefined;
      const lock = this.own.get(path);
      if (lock && node.stat.version !== lock.version) {
        lock.record = record;
        lock.version = node.stat.version;
        this.schedule(lock);
      }
      if (!isExpired(record)) return { resource, path, record, stat: node.stat };
      if (await this.expire(path, node.stat.version)) return undefined;
      // refreshed between our read and the delete: read it again
    }
    throw new Problem(409, 'busy', 'Lock changing', `the lock at ${path} kept changing while being read; try again`);
  }

  /** The view of a found lock. */
  view(found: FoundLock): LockView {
    return lockView(found.resource, found.path, found.record, found.stat.czxid);
  }

  /**
   * Releases the lock with this id (any instance's). Resolves false when there is none. One of
   * ours is deleted at the version we know, without a read; a refresh by another instance
   * since (the version moved) makes it read the record first, as for another instance's lock.
   */
  async release(resource: string, id: string): Promise<boolean> {
    const named = this.pathOfId(resource, id);
    if (!named) return false;
    const lock = this.own.get(named.path);
    if (lock && !isExpired(lock.record)) {
      try {
        await lock.engine.deleteAtVersion(lock.node, lock.version);
        this.forget(lock);
        return true;
      } catch (err) {
        if (err instanceof NoNodeError) {
          this.forget(lock, 'NODE_DELETED');
          return false;
        }
        if (!(err instanceof BadVersionError)) throw err;
      }
    }
    const found = await this.findAt(resource, named.path, named.mode);
    return found !== undefined && this.releaseFound(found);
  }

  /**
   * Releases a found lock, at the version it was found with (a refresh in between is read and
   * judged again). Resolves false when it is gone or expired meanwhile.
   */
  async releaseFound(found: FoundLock): Promise<boolean> {
    let current: FoundLock | undefined = found;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && current; attempt++) {
      const lock = this.own.get(current.path);
      try {
        if (lock) await lock.engine.deleteAtVersion(lock.node, current.stat.version);
        else await this.client.delete(current.path, current.stat.version);
        if (lock) this.forget(lock);
        return true;
      } catch (err) {
        if (err instanceof NoNodeError) {
          if (lock) this.forget(lock, 'NODE_DELETED');
          return false;
        }
        if (!(err instanceof BadVersionError)) throw err;
      }
      current = await this.findAt(current.resource, current.path, current.record.mode);
    }
    if (!current) return false;
    throw new Problem(409, 'busy', 'Lock changing', `the lock at ${found.path} kept changing during the release; try again`);
  }

  /**
   * Extends a lock's lifetime from now: `lifetime` seconds, or the lock's own lifetime when
   * omitted. Resolves the new view, or undefined when the lock is gone or has expired.
   */
  async refresh(resource: string, id: string, lifetime: number | undefined): Promise<LockView | undefined> {
    const named = this.pathOfId(resource, id);
    if (!named) return undefined;
    // One of ours: written at the version we know, without a read first.
    const lock = this.own.get(named.path);
    let known: { record: LockRecord; version: number } | undefined = lock && !isExpired(lock.record) ? { record: lock.record, version: lock.version } : undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (!known) {
        const found = await this.findAt(resource, named.path, named.mode);
        if (!found) return undefined;
        known = { record: found.record, version: found.stat.version };
      }
      const seconds = lifetime ?? known.record.lifetime;
      const record: LockRecord = { ...known.record, lifetime: seconds, expiresAt: seconds === 0 ? null : iso(Date.now() + seconds * 1_000) };
      let stat: NodeStat;
      try {
        stat = await this.client.setData(named.path, encodeRecord(record), known.version);
      } catch (err) {
        known = undefined;
        if (err instanceof BadVersionError) continue; // refreshed or expired by someone else meanwhile: read it
        if (err instanceof NoNodeError) return undefined;
        throw err;
      }
      const own = this.own.get(named.path);
      if (own) {
        own.record = record;
        own.version = stat.version;
        this.schedule(own);
      }
      return lockView(resource, named.path, record, stat.czxid);
    }
    throw new Problem(409, 'busy', 'Lock changing', `the lock ${id} on ${resource} kept changing during the refresh; try again`);
  }

  /** Stops taking locks, cancels waiting acquires, releases every lock this process holds. */
  async close(): Promise<void> {
    this.closing = true;
    for (const cancel of this.pending) cancel.abort(shuttingDown());
    const locks = [...this.own.values()];
    for (const lock of locks) this.forget(lock);
    this.client.off('state', this.onState);
    await Promise.allSettled(locks.map((lock) => lock.engine.release(lock.node)));
  }
}

function unavailable(client: ZkClient): Problem {
  return new Problem(503, 'zookeeper-unavailable', 'ZooKeeper unavailable', `ZooKeeper could not be reached: the connection is down (${client.state})`);
}

function shuttingDown(): Problem {
  return new Problem(503, 'shutting-down', 'Gateway shutting down', 'this gateway is shutting down; try another instance');
}
