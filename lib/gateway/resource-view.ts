// What GET /locks and GET /locks/<resource> show: every node under a resource in lock order,
// whoever made it (gateway, zkurator library, Curator), judged by lock-inspector.ts exactly as
// the participants judge themselves.
import { inspectLock, type NodeOrigin, type Participant as InspectedNode } from '../locks/lock-inspector.js';
import type { ZkClient } from '../framework/zk-client.js';
import { isResourceName } from './gateway-config.js';
import { decodeRecord, lockView, type LockView } from './lock-record.js';

/** One node under a resource, as the API shows it. */
export interface ParticipantView {
  /** The node's full ZooKeeper path. */
  readonly node: string;
  /** The node's name under the lock path. */
  readonly name: string;
  /** The ten-digit sequence ZooKeeper appended, if any. */
  readonly sequence: string | null;
  /** Whether the node holds the lock or waits for it. */
  readonly state: 'holder' | 'waiting';
  /**
   * `lease`: a V2 semaphore's (Curator's InterProcessSemaphoreV2) lease node, or an acquirer
   * queued on its internal mutex (`<path>/locks`) for one.
   */
  readonly mode: 'mutex' | 'read' | 'write' | 'lease' | 'foreign';
  /** Who made the node (gateway, zkurator, Curator or unknown). */
  readonly origin: NodeOrigin;
  /** When the node was created (server clock, ISO 8601). */
  readonly createdAt: string;
  /** The node's data as UTF-8 for non-gateway nodes; "" for gateway nodes (see `lock`). */
  readonly data: string;
  /** A granted gateway lock; null for other nodes and for gateway nodes still waiting. */
  readonly lock: LockView | null;
  /** For a waiter: the one node it waits on; null for a holder. */
  readonly waitingOn: string | null;
}

/** GET /locks/<resource>. */
export interface ResourceView {
  /** The resource name. */
  readonly resource: string;
  /** The resource's lock path in ZooKeeper. */
  readonly path: string;
  /** Whether anyone holds it now. */
  readonly locked: boolean;
  /** Every node in lock order: holders first, then waiters. */
  readonly participants: readonly ParticipantView[];
}

/** One entry of GET /locks. */
export interface ResourceSummary {
  /** The resource name. */
  readonly resource: string;
  /** The resource's URL path (`/locks/<resource>`). */
  readonly url: string;
  /** How many hold it now. */
  readonly holders: number;
  /** How many wait for it. */
  readonly waiters: number;
  /** Every node in lock order (with `?detail=true`). */
  readonly participants?: readonly ParticipantView[];
}

function participantView(resource: string, p: InspectedNode, semaphore: boolean): ParticipantView {
  const record = p.origin === 'gateway' ? decodeRecord(p.data) : undefined;
  return {
    node: p.path,
    name: p.name,
    sequence: p.sequence ?? null,
    state: p.state === 'holder' ? 'holder' : 'waiting',
    mode: p.kind === 'lock' ? (semaphore ? 'lease' : 'mutex') : p.kind,
    origin: p.origin,
    createdAt: p.createdAt.toISOString(),
    data: p.origin === 'gateway' ? '' : p.data,
    // Only a holder is a lock: a node is created with the record of a grant at its create, and
    // one that must wait says so in its data a moment later.
    lock: record && record.acquiredAt !== null && p.state === 'holder' ? lockView(resource, p.path, record, p.czxid) : null,
    waitingOn: p.waitingOn ?? null,
  };
}

/**
 * Every participant of a resource. Holders of a mutex or V2 semaphore are judged with the
 * maxLeases its gateway nodes carry (other clients must agree on it anyway), else 1.
 */
export async function describeResource(client: ZkClient, path: string, resource: string): Promise<ResourceView> {
  let snapshot = await inspectLock(client, path);
  if (snapshot.recipe !== 'read-write') {
    const maxLeases = snapshot.participants.map((p) => decodeRecord(p.data)?.maxLeases).find((n) => n !== undefined) ?? 1;
    if (maxLeases > 1) snapshot = await inspectLock(client, path, { maxLeases });
  }
  const participants = snapshot.participants.map((p) => participantView(resource, p, snapshot.recipe === 'semaphore'));
  return { resource, path, locked: participants.some((p) => p.state === 'holder'), participants };
}

/** Every resource under the root, sorted by name, with holder and waiter counts. */
export async function listResources(client: ZkClient, root: string, detail: boolean): Promise<ResourceSummary[]> {
  const names = await client.getChildrenOrEmpty(root);
  const resources = names.filter(isResourceName).sort();
  const views = await Promise.all(resources.map((r) => describeResource(client, `${root}/${r}`, r)));
  return views.map((v) => ({
    resource: v.resource,
    url: `/locks/${v.resource}`,
    holders: v.participants.filter((p) => p.state === 'holder').length,
    waiters: v.participants.filter((p) => p.state === 'waiting').length,
    ...(detail ? { participants: v.participants } : {}),
  }));
}
