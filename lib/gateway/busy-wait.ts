// The busy-wait mutex server's contract, for scripts written against it:
//   GET /get/?host=H&pool=P      -> YES (H holds the pool now, or already did) | NO
//   GET /wait/?host=H&pool=P     -> blocks until YES
//   GET /release/?host=H&pool=P  -> OK (H holds nothing in P afterwards)
// A pool is a gateway mutex on `<root>/<pool>` with the pool's size as maxLeases and its
// `expire` as lifetime; the host is kept in the lock's record, so any instance answers.
import { NoNodeError } from '../errors.js';
import { MUTEX_LOCK_NAME } from '../locks/engine/lock-driver.js';
import { sortChildren } from '../locks/engine/lock-node-name.js';
import { isResourceName, type PoolSettings } from './gateway-config.js';
import type { FoundLock, GatewayLocks } from './gateway-locks.js';
import { decodeRecord, isExpired } from './lock-record.js';
import { Problem, badRequest } from './problem.js';

/** Host names as scripts send them: a host name, an address, or `host:port`. */
const HOST_RE = /^[A-Za-z0-9._:-]{1,255}$/;

export class BusyWaitPools {
  /** One get/wait at a time per host and pool in this process (a retried `get` must not take two places). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly locks: GatewayLocks) {}

  /** The pool's settings; 404 Problem for a pool the config does not name, 400 for a bad name. */
  pool(name: string | undefined, host: string | undefined): PoolSettings {
    if (host === undefined || !HOST_RE.test(host)) throw badRequest(`host must be 1-255 characters of [A-Za-z0-9._:-], got ${JSON.stringify(host ?? null)}`);
    if (name === undefined || !isResourceName(name)) throw badRequest(`pool must match [A-Za-z0-9._-]{1,200} (not . or ..), got ${JSON.stringify(name ?? null)}`);
    const { pools, defaultLifetime } = this.locks.settings;
    if (!pools) return { expire: defaultLifetime, size: 1 };
    const pool = pools.get(name);
    if (!pool) throw new Problem(404, 'unknown-pool', 'No such pool', `pool ${JSON.stringify(name)} is not in the gateway's config (known: ${[...pools.keys()].join(', ') || 'none'})`);
    return pool;
  }

  /** `get` (waitMs 0) and `wait` (waitMs undefined): true once `host` holds the pool. */
  take(poolName: string, host: string, settings: PoolSettings, waitMs: number | undefined, cancel: AbortController): Promise<boolean> {
    return this.serially(poolName, host, async () => {
      if ((await this.hostLocks(poolName, host)).length > 0) return true;
      try {
        await this.locks.acquire(poolName, { title: host, lifetime: settings.expire, waitMs, mode: 'mutex', maxLeases: settings.size, host }, cancel);
        return true;
      } catch (err) {
        if (err instanceof Problem && err.status === 408) return false;
        throw err;
      }
    });
  }

  /** Releases every lock `host` holds in the pool (none is fine). Not queued behind a `wait` of the same host. */
  async release(poolName: string, host: string): Promise<void> {
    for (const found of await this.hostLocks(poolName, host)) await this.locks.releaseFound(found);
  }

  /** The granted, unexpired locks of `host` in a pool: its nodes among the first `maxLeases` in lock order. */
  private async hostLocks(poolName: string, host: string): Promise<FoundLock[]> {
    const base = this.locks.pathOf(poolName);
    const children = sortChildren(await this.locks.client.getChildrenOrEmpty(base), [MUTEX_LOCK_NAME]);
    const nodes = await Promise.all(children.map(async (name) => {
      try {
        return { name, ...(await this.locks.client.getData(`${base}/${name}`)) };
      } catch (err) {
        if (err instanceof NoNodeError) return undefined;
        throw err;
      }
    }));
    const found: FoundLock[] = [];
    for (const [index, node] of nodes.entries()) {
      const record = node && decodeRecord(node.data);
      // A node that waits is no hold, whatever its record says (a node is created with the
      // record of a grant at its create, and says it waits a moment later).
      if (!node || !record || index >= record.maxLeases || record.host !== host || record.acquiredAt === null || isExpired(record)) continue;
      found.push({ resource: poolName, path: `${base}/${node.name}`, record, stat: node.stat });
    }
    return found;
  }

  private serially<T>(poolName: string, host: string, fn: () => Promise<T>): Promise<T> {
    const key = `${poolName}\n${host}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    const tail = next.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => { if (this.queues.get(key) === tail) this.queues.delete(key); });
    return next;
  }
}
