// A read-only view of one lock path: every node in lock order, whether it holds or waits,
// and on what. It applies the same drivers the recipes use, so what it reports is what the
// participants themselves decide (and what Curator decides: same names, same sort).
import { NoAuthError, NoNodeError } from '../errors.js';
import { nodeOriginOf } from '../framework/node-origin.js';
import { MUTEX_LOCK_NAME, StandardLockDriver, type LockDriver } from './engine/lock-driver.js';
import { sequenceOf, sortChildren } from './engine/lock-node-name.js';
import { validateLockPath, validateMaxLeases } from './engine/lock-path.js';
import { READ_LOCK_NAME, READ_WRITE_SORT_NAMES, ReadLockDriver, WRITE_LOCK_NAME } from './engine/read-lock-driver.js';
import { ReentrantLock } from './engine/reentrant-lock.js';
import { inspectSemaphore, isSemaphoreLayout } from './semaphore-inspector.js';
import type { ZkClient } from '../framework/zk-client.js';
import { checkOptions } from '../framework/check-options.js';
import type { LockSnapshot, Participant, ParticipantKind } from './lock-snapshot.js';

export type { LockSnapshot, Participant, ParticipantKind } from './lock-snapshot.js';
export { GATEWAY_NODE_MARKER, nodeOriginOf, type NodeOrigin } from '../framework/node-origin.js';

/** Options for {@link inspectLock}. */
export interface InspectOptions {
  /**
   * The maxLeases the mutex's (or V2 semaphore's) users agree on. Default: 1 for a mutex; for a
   * V2 semaphore, whose count ZooKeeper does not hold, the least count its leases show (the
   * snapshot's `maxLeasesKnown` is then `false`). Ignored for a read-write lock.
   */
  maxLeases?: number;
}

function kindOf(name: string): Exclude<ParticipantKind, 'lease'> {
  if (name.includes(WRITE_LOCK_NAME)) return 'write';
  if (name.includes(READ_LOCK_NAME)) return 'read';
  if (name.includes(MUTEX_LOCK_NAME)) return 'lock';
  return 'foreign';
}

/**
 * Reads who holds and who waits on `path`: one children listing, then every node's data and
 * stat requested back to back. A node that goes away in between is left out. A path that
 * does not exist has no participants.
 *
 * @throws ValidationError for a bad path, maxLeases or an unknown option (before any ZooKeeper call).
 */
export async function inspectLock(client: ZkClient, path: string, options?: InspectOptions): Promise<LockSnapshot> {
  const zk = ReentrantLock.checkClient(client);
  const lockPath = validateLockPath(path);
  options = checkOptions(options, { call: 'inspectLock', known: ['maxLeases'] });
  const given = options.maxLeases === undefined ? undefined : validateMaxLeases(options.maxLeases);
  const maxLeases = given ?? 1;
  const children = await zk.getChildrenOrEmpty(lockPath); // a path never used: a free mutex
  if (isSemaphoreLayout(children)) return inspectSemaphore(zk, lockPath, given);
  const readWrite = children.some((c) => { const k = kindOf(c); return k === 'read' || k === 'write'; });
  const sortNames = readWrite ? READ_WRITE_SORT_NAMES : [MUTEX_LOCK_NAME];
  const drivers: Record<Exclude<ParticipantKind, 'foreign' | 'lease'>, LockDriver> = {
    lock: new StandardLockDriver(maxLeases),
    write: new StandardLockDriver(1, WRITE_LOCK_NAME, READ_WRITE_SORT_NAMES),
    read: new ReadLockDriver(),
  };
  const sorted = sortChildren(children, sortNames);
  const nodes = await Promise.all(sorted.map(async (name) => {
    try {
      return { name, ...(await zk.getData(`${lockPath}/${name}`)), readable: true };
    } catch (err) {
      if (err instanceof NoNodeError) return undefined;
      if (!(err instanceof NoAuthError)) throw err;
    }
    // A node whose ACL hides its data from us (e.g. Curator's CREATOR_ALL_ACL): exists needs no
    // permission, and its stat tells the owner and age.
    const stat = await zk.exists(`${lockPath}/${name}`);
    return stat && { name, data: Buffer.alloc(0), stat, readable: false };
  }));
  const participants: Participant[] = [];
  sorted.forEach((name, index) => {
    const node = nodes[index];
    if (!node) return;
    const kind = kindOf(name);
    // Judged on the listing as read, the one every participant also decides from.
    const decision = kind === 'foreign' ? undefined : drivers[kind].decide(sorted, index);
    participants.push({
      name,
      path: `${lockPath}/${name}`,
      kind,
      state: decision === undefined ? 'foreign' : decision.held ? 'holder' : 'waiting',
      waitingOn: decision && !decision.held ? `${lockPath}/${decision.watch}` : undefined,
      sequence: sequenceOf(name, sortNames),
      sessionId: node.stat.ephemeralOwner,
      createdAt: node.stat.ctime,
      czxid: node.stat.czxid,
      data: node.data.toString('utf8'),
      ...(node.readable ? {} : { dataReadable: false as const }),
      origin: node.readable ? nodeOriginOf(node.data.toString('utf8')) : 'unknown',
    });
  });
  return { path: lockPath, recipe: readWrite ? 'read-write' : 'mutex', maxLeases: readWrite ? 1 : maxLeases, participants };
}
