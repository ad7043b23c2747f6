// What GET /locks and GET /locks/<resource> show: every node under a resource in lock order,
// whoever made it (gateway, zkurator library, Curator), judged by lock-inspector.ts exactly as
// the participants judge themselves. A resource holding a LeaderLatch election's nodes
// (Curator's or zkurator's) is shown as the election, judged by election-inspector.ts as its
// members judge themselves: its members in election order and its leader; one that holds both an
// election's and a lock's (or LeaderSelector's) nodes, as the conflict it is. A LeaderSelector's
// nodes are a mutex's, so its path is shown as a mutex: its holder is the leader, and each
// member's id is its node's data.
import { ElectionConflictError } from '../errors.js';
import { inspectElection, type ElectionMemberSnapshot, type ElectionSnapshot } from '../leader/election-inspector.js';
import { classifyElectionNodes, LATCH_NODE_NAME, SELECTOR_NODE_NAME } from '../leader/election-nodes.js';
import { sequenceOf } from '../locks/engine/lock-node-name.js';
import { inspectLock, nodeOriginOf, type NodeOrigin, type Participant as InspectedNode } from '../locks/lock-inspector.js';
import type { ZkClient } from '../framework/zk-client.js';
import { isResourceName } from './gateway-config.js';
import { decodeRecord, lockView, type LockRecord, type LockView } from './lock-record.js';

/** One node under a resource, as the API shows it. */
export interface ParticipantView {
  /** The node's full ZooKeeper path. */
  readonly node: string;
  /** The node's name under the lock path. */
  readonly name: string;
  /** The ten-digit sequence ZooKeeper appended, if any. */
  readonly sequence: string | null;
  /** Whether the node holds the lock (in an election: leads) or waits for it. */
  readonly state: 'holder' | 'waiting';
  /**
   * `lease`: a V2 semaphore's (Curator's InterProcessSemaphoreV2) lease node, or an acquirer
   * queued on its internal mutex (`<path>/locks`) for one. On an election's path (see
   * {@link ResourceView.election}): `latch`, a LeaderLatch member; `selector`, a `lock-` node
   * that is not the gateway's (a LeaderSelector member or a mutex's node: the same nodes).
   */
  readonly mode: 'mutex' | 'read' | 'write' | 'lease' | 'latch' | 'selector' | 'foreign';
  /**
   * Who made the node (gateway, zkurator, Curator or unknown), judged from its data. A
   * LeaderLatch member's node holds nothing but the id it was given, written alike by Curator and
   * zkurator: its origin is `unknown`, and its id (`data`) is what tells members apart.
   */
  readonly origin: NodeOrigin;
  /** When the node was created (server clock, ISO 8601). */
  readonly createdAt: string;
  /** Hex id of the ZooKeeper session owning the node. */
  readonly sessionId: string;
  /**
   * The node's data as UTF-8 for non-gateway nodes: an election member's (LeaderLatch or
   * LeaderSelector) participant id; "" for gateway nodes (see `lock`).
   */
  readonly data: string;
  /** A granted gateway lock; null for other nodes and for gateway nodes still waiting. */
  readonly lock: LockView | null;
  /** For a waiter: the one node it waits on; null for a holder. */
  readonly waitingOn: string | null;
}

/** A resource that is a leader election, as GET /locks and GET /locks/<resource> show it. */
export interface ElectionView {
  /**
   * `leader-latch`: LeaderLatch members (Curator's or zkurator's); `conflict`: LeaderLatch members
   * and `lock-` nodes (LeaderSelector members or locks) on one path, where each recipe sees a
   * leader of its own.
   */
  readonly recipe: 'leader-latch' | 'conflict';
  /** The leader (the first member in election order: Curator's getLeader()), or null: nobody leads, or a conflict. */
  readonly leader: {
    /** The leader's participant id (its node's data). */
    readonly id: string;
    /** The leader's node (full path). */
    readonly node: string;
  } | null;
  /** What is wrong with a `conflict` path (the message zkurator's members refuse it with); null otherwise. */
  readonly conflict: string | null;
}

/** GET /locks/<resource>. */
export interface ResourceView {
  /** The resource name. */
  readonly resource: string;
  /** The resource's lock path in ZooKeeper. */
  readonly path: string;
  /** Whether anyone holds it now (an election: someone leads). */
  readonly locked: boolean;
  /**
   * Every node in lock order: holders first, then waiters. An election: every member in
   * election order (Curator's getParticipants()), the leader first; a conflict: the LeaderLatch
   * members in their order, then the `lock-` nodes in theirs, then any other node.
   */
  readonly participants: readonly ParticipantView[];
  /** Present only when the resource holds a LeaderLatch election's nodes (see {@link ElectionView}). */
  readonly election?: ElectionView;
}

/** One entry of GET /locks. */
export interface ResourceSummary {
  /** The resource name. */
  readonly resource: string;
  /** The resource's URL path (`/locks/<resource>`). */
  readonly url: string;
  /** How many hold it now (an election: its leader; a conflict: the leader each recipe sees). */
  readonly holders: number;
  /** How many wait for it (an election: the members in line). */
  readonly waiters: number;
  /** Every node in lock order (with `?detail=true`). */
  readonly participants?: readonly ParticipantView[];
  /** Present only when the resource holds a LeaderLatch election's nodes, as in {@link ResourceView.election}. */
  readonly election?: ElectionView;
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
    sessionId: p.sessionId,
    data: p.origin === 'gateway' ? '' : p.data,
    // Only a holder is a lock: a node is created with the record of a grant at its create, and
    // one that must wait says so in its data a moment later.
    lock: record && record.acquiredAt !== null && p.state === 'holder' ? lockView(resource, p.path, record, p.czxid) : null,
    waitingOn: p.waitingOn ?? null,
  };
}

/** The mode a gateway node's record was taken with, as a participant's mode. */
function recordMode(record: LockRecord): ParticipantView['mode'] {
  return record.mode === 'semaphore' ? 'lease' : record.mode;
}

/** One child of an election's path. A gateway lock node there (a conflict) keeps its lock view and release. */
function memberView(resource: string, m: ElectionMemberSnapshot): ParticipantView {
  const record = m.kind === 'latch' || m.dataReadable === false ? undefined : decodeRecord(m.id);
  const held = m.isLeader || m.kind === 'foreign'; // a foreign node (e.g. a read lock's) is not judged here: its record says
  return {
    node: m.path,
    name: m.name,
    sequence: sequenceOf(m.name, [m.kind === 'selector' ? SELECTOR_NODE_NAME : LATCH_NODE_NAME]) ?? null,
    state: m.isLeader ? 'holder' : 'waiting',
    mode: record ? recordMode(record) : m.kind,
    // A LeaderLatch node's data is only its id, the same from Curator and zkurator: nothing to judge by.
    origin: m.kind === 'latch' || m.dataReadable === false ? 'unknown' : nodeOriginOf(m.id),
    createdAt: m.createdAt.toISOString(),
    sessionId: m.sessionId,
    data: record ? '' : m.id,
    lock: record && record.acquiredAt !== null && held ? lockView(resource, m.path, record, m.czxid) : null,
    waitingOn: m.waitingOn ?? null,
  };
}

function electionView(resource: string, election: ElectionSnapshot): ResourceView {
  const participants = election.participants.map((m) => memberView(resource, m));
  const names = (kind: ElectionMemberSnapshot['kind']): string[] => election.participants.filter((p) => p.kind === kind).map((p) => p.name);
  const view: ElectionView = election.kind === 'mixed'
    ? { recipe: 'conflict', leader: null, conflict: new ElectionConflictError(election.path, names('latch'), names('selector')).message }
    : { recipe: 'leader-latch', leader: election.leader ? { id: election.leader.id, node: election.leader.path } : null, conflict: null };
  return { resource, path: election.path, locked: participants.some((p) => p.state === 'holder'), participants, election: view };
}

/**
 * Every participant of a resource. Holders of a mutex or V2 semaphore are judged with the
 * maxLeases its gateway nodes carry (other clients must agree on it anyway), else 1. A path
 * holding LeaderLatch nodes is shown as the election it is (or the conflict, with lock nodes).
 */
export async function describeResource(client: ZkClient, path: string, resource: string): Promise<ResourceView> {
  let snapshot = await inspectLock(client, path);
  // LeaderLatch nodes are no lock's (the lock view would call them foreign): read the election.
  // Only then: a lock's view costs what it did, one listing and its nodes' reads.
  if (isElection(snapshot.participants.map((p) => p.name))) {
    const election = await inspectElection(client, path);
    if (election.kind === 'latch' || election.kind === 'mixed') return electionView(resource, election);
    snapshot = await inspectLock(client, path); // the election's members left meanwhile: a lock's path again
  }
  if (snapshot.recipe !== 'read-write') {
    const maxLeases = snapshot.participants.map((p) => decodeRecord(p.data)?.maxLeases).find((n) => n !== undefined) ?? 1;
    if (maxLeases > 1) snapshot = await inspectLock(client, path, { maxLeases });
  }
  const participants = snapshot.participants.map((p) => participantView(resource, p, snapshot.recipe === 'semaphore'));
  return { resource, path, locked: participants.some((p) => p.state === 'holder'), participants };
}

function isElection(children: readonly string[]): boolean {
  const { kind } = classifyElectionNodes(children);
  return kind === 'latch' || kind === 'mixed';
}

/** Every resource under the root, sorted by name, with holder and waiter counts (and the election, for an election's path). */
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
    ...(v.election ? { election: v.election } : {}),
  }));
}
