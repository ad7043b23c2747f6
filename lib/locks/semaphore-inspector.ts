// The V2 semaphore's view for `zkurator status` / inspectLock: `<path>/leases` holds one node
// per lease, `<path>/locks` the queue of acquirers for the internal mutex. Every lease node is
// held except the newest one of the acquirer inside the mutex while the leases outnumber the
// count (it created that node and waits for room); everyone in `locks/` after it waits for the mutex.
import { NoNodeError } from '../errors.js';
import { MUTEX_LOCK_NAME, StandardLockDriver } from './engine/lock-driver.js';
import type { LockSnapshot, Participant } from './lock-snapshot.js';
import { nodeOriginOf } from '../framework/node-origin.js';
import { sequenceOf, sortChildren } from './engine/lock-node-name.js';
import { LEASE_NAME, SEMAPHORE_LEASES, SEMAPHORE_LOCKS } from './semaphore.js';
import type { NodeStat, ZkClient } from '../framework/zk-client.js';

/** True when the children of a path are a V2 semaphore's (`locks`, `leases`, nothing else). */
export function isSemaphoreLayout(children: readonly string[]): boolean {
  return children.length > 0 && children.every((c) => c === SEMAPHORE_LOCKS || c === SEMAPHORE_LEASES);
}

interface ReadNode {
  name: string;
  path: string;
  data: Buffer;
  stat: NodeStat;
}

/** Children of `parent`, sorted by `lockName`, each with data and stat (gone ones left out). */
async function readSorted(client: ZkClient, parent: string, lockName: string): Promise<ReadNode[]> {
  const children = await client.getChildrenOrEmpty(parent);
  const nodes = await Promise.all(sortChildren(children, [lockName]).map(async (name) => {
    const path = `${parent}/${name}`;
    try {
      return { name, path, ...(await client.getData(path)) };
    } catch (err) {
      if (err instanceof NoNodeError) return undefined;
      throw err;
    }
  }));
  return nodes.filter((n): n is ReadNode => n !== undefined);
}

function participant(node: ReadNode, kind: Participant['kind'], lockName: string, state: Participant['state'], waitingOn: string | undefined): Participant {
  return {
    name: node.name, path: node.path, kind, state, waitingOn,
    sequence: sequenceOf(node.name, [lockName]),
    sessionId: node.stat.ephemeralOwner, createdAt: node.stat.ctime, czxid: node.stat.czxid,
    data: node.data.toString('utf8'), origin: nodeOriginOf(node.data.toString('utf8')),
  };
}

/**
 * Holders and waiters of the V2 semaphore at `path`, judged with `maxLeases`; without it, with
 * the least count the leases show (see LockSnapshot.maxLeasesKnown).
 */
export async function inspectSemaphore(client: ZkClient, path: string, given: number | undefined): Promise<LockSnapshot> {
  const leasesPath = `${path}/${SEMAPHORE_LEASES}`;
  const [leases, queue] = await Promise.all([
    readSorted(client, leasesPath, LEASE_NAME),
    readSorted(client, `${path}/${SEMAPHORE_LOCKS}`, MUTEX_LOCK_NAME),
  ]);
  // The acquirer inside the internal mutex (first in locks/) waits for room with the lease node
  // it created last: the newest one, and its session's. Only the holder of the internal mutex
  // creates lease nodes, so the newest is its own; its session's older ones may be other
  // holders in the same process (e.g. a gateway's clients), which hold.
  const inside = queue[0];
  const newest = leases.reduce<ReadNode | undefined>((a, n) => (a === undefined || n.stat.czxid > a.stat.czxid ? n : a), undefined);
  const candidate = inside && newest && newest.stat.ephemeralOwner === inside.stat.ephemeralOwner
    && newest.stat.czxid > inside.stat.czxid ? newest : undefined;
  // Not given: every lease but the candidate's surely holds, so the count is at least theirs.
  const maxLeases = given ?? Math.max(1, leases.length - (candidate ? 1 : 0));
  const waiter = leases.length > maxLeases ? candidate : undefined;
  const participants: Participant[] = leases.map((node) => {
    const waiting = node === waiter;
    return participant(node, 'lease', LEASE_NAME, waiting ? 'waiting' : 'holder', waiting ? leasesPath : undefined);
  });
  const insideWaitsWithLease = participants.some((p) => p.state === 'waiting');
  const mutexRule = new StandardLockDriver(1);
  const names = queue.map((n) => n.name);
  queue.forEach((node, index) => {
    if (index === 0 && insideWaitsWithLease) return; // shown by its lease node
    const decision = mutexRule.decide(names, index);
    // The first in the queue is about to create its lease node (or just did): it waits for room.
    const waitingOn = decision.held ? leasesPath : `${path}/${SEMAPHORE_LOCKS}/${decision.watch}`;
    participants.push(participant(node, 'lock', MUTEX_LOCK_NAME, 'waiting', waitingOn));
  });
  return { path, recipe: 'semaphore', maxLeases, participants, ...(given === undefined ? { maxLeasesKnown: false as const } : {}) };
}
