// What the current async flow holds. A flow is the callback of withLock() (or withLeases(), or
// a MultiLock's withLock()) and everything it awaits or starts. Two uses: a re-entrant lock
// finds its own hold here (keyed by the lock object) and re-enters; and any acquire can see
// that the only nodes it could ever wait on are ones its own flow holds (a read lock asked to
// become a write lock, a second lock object on a path the flow holds already, more semaphore
// leases than the flow leaves free), and refuse at once instead of waiting forever.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Hold } from './hold.js';
import { Lease } from './lease.js';
import type { HeldNode } from './lock-engine.js';
import type { ZkClient } from '../../framework/zk-client.js';

/**
 * The holds of the current flow: a re-entrant lock's under the lock object, any other (a
 * semaphore lease, a MultiLock member) under the Hold itself. Immutable: each scope gets a copy.
 */
const flowHolds = new AsyncLocalStorage<ReadonlyMap<object, Hold>>();

/** The hold the current flow keeps under `key` (a re-entrant lock object), if any. */
export function flowHoldOf(key: object): Hold | undefined {
  return flowHolds.getStore()?.get(key);
}

/** Runs `fn` as a flow that also holds `holds` (each under its key). */
export function runHolding<T>(holds: ReadonlyArray<readonly [object, Hold]>, fn: () => T): T {
  const scope = new Map(flowHolds.getStore());
  for (const [key, hold] of holds) scope.set(key, hold);
  return flowHolds.run(scope, fn);
}

/** The holds behind zkurator leases, each under itself, for {@link runHolding}; other leases are skipped. */
export function holdsOfLeases(leases: readonly unknown[]): Array<readonly [Hold, Hold]> {
  return leases.flatMap((lease) => {
    const owner = lease instanceof Lease ? lease.holdOwner : undefined;
    return owner instanceof Hold ? [[owner, owner] as const] : [];
  });
}

/**
 * The nodes the current flow holds under `basePath` on `client`: still held (or suspended,
 * which the flow still counts as holding) and of the client's current session.
 */
export function flowNodesUnder(client: ZkClient, basePath: string): HeldNode[] {
  const store = flowHolds.getStore();
  if (store === undefined || store.size === 0) return [];
  const nodes = new Set<HeldNode>();
  for (const hold of store.values()) {
    if (hold.client !== client || hold.basePath !== basePath) continue;
    if (hold.status !== 'held' && hold.status !== 'suspended') continue;
    if (hold.node.generation !== client.sessionGeneration) continue;
    nodes.add(hold.node); // a hold kept under two keys (a lock object and itself) counts once
  }
  return [...nodes];
}
