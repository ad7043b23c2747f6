// A read-only view of one election path: every member in election order, its id, whether it
// leads and which node it watches, as each of Curator's two recipes judges it (the same
// order and the same leader as getParticipants() / getLeader() of a Curator or zkurator member).
// A path holding both recipes' nodes is shown as what it is: a conflict in which the first
// member of each kind believes it leads. zkurator members and Curator members write the same
// nodes, so the view cannot tell them apart: their ids can.
import { NoAuthError, NoNodeError } from '../errors.js';
import type { ZkClient } from '../framework/zk-client.js';
import { sortChildren } from '../locks/engine/lock-node-name.js';
import { validateLockPath } from '../locks/engine/lock-path.js';
import { ReentrantLock } from '../locks/engine/reentrant-lock.js';
import { classifyElectionNodes, LATCH_NODE_NAME, SELECTOR_NODE_NAME, type ElectionKind } from './election-nodes.js';

/** One child of an election path, as {@link inspectElection} shows it. */
export interface ElectionMemberSnapshot {
  /** Child name, e.g. `_c_<uuid>-latch-0000000003`. */
  readonly name: string;
  /** Full path of the node. */
  readonly path: string;
  /**
   * `latch` (a LeaderLatch member), `selector` (a LeaderSelector member, or a mutex holder or
   * waiter: the same nodes), or `foreign` (no member: it only takes a place in the order).
   */
  readonly kind: 'latch' | 'selector' | 'foreign';
  /** The member's id: its node's data as UTF-8 (`''` when not readable, or a LeaderLatch without an id). */
  readonly id: string;
  /** `false` when the node's ACL does not let this session read its data; absent otherwise. */
  readonly dataReadable?: false;
  /**
   * True for the leader as the member's own recipe judges it: the first node in its order
   * (Curator's getLeader()). On a path holding both recipes' nodes, the first of each kind.
   */
  readonly isLeader: boolean;
  /** For a member that is not the leader: the full path of the one node it watches (the one before it). */
  readonly waitingOn: string | undefined;
  /** Hex id of the session owning the node. */
  readonly sessionId: string;
  /** When the node was created (server clock). */
  readonly createdAt: Date;
  /** The node's czxid: the fencing token of its term when it leads. */
  readonly czxid: bigint;
}

/** An election path at one moment (see {@link inspectElection}). */
export interface ElectionSnapshot {
  /** The election path inspected. */
  readonly path: string;
  /**
   * Which recipe uses the path: `latch` (LeaderLatch), `selector` (LeaderSelector or mutex),
   * `mixed` (both: a conflict, each recipe sees a leader of its own), `none` (no member).
   */
  readonly kind: ElectionKind;
  /** The leader; undefined when nobody takes part, and on a `mixed` path (there, two members believe they lead). */
  readonly leader: ElectionMemberSnapshot | undefined;
  /**
   * Every child in election order, the leader first (Curator's getParticipants(), with foreign
   * nodes kept in their places). On a `mixed` path: the LeaderLatch members in their order, then
   * the LeaderSelector members in theirs, then foreign nodes.
   */
  readonly participants: readonly ElectionMemberSnapshot[];
}

function kindOf(name: string): ElectionMemberSnapshot['kind'] {
  if (name.includes(LATCH_NODE_NAME)) return 'latch';
  if (name.includes(SELECTOR_NODE_NAME)) return 'selector';
  return 'foreign';
}

/**
 * Reads who takes part in the election on `path` and who leads: one children listing, then
 * every node's data and stat requested back to back. A node gone in between is left out; a node
 * whose data this session may not read is shown from its stat. A path that does not exist has
 * no members. Curator's LeaderLatch and LeaderSelector, and zkurator's, are all seen.
 *
 * @throws ValidationError for a bad path (before any ZooKeeper call)
 */
export async function inspectElection(client: ZkClient, path: string): Promise<ElectionSnapshot> {
  const zk = ReentrantLock.checkClient(client);
  const electionPath = validateLockPath(path, 'election path');
  const children = await zk.getChildrenOrEmpty(electionPath);
  const { kind, latchNodes, lockNodes, otherNodes } = classifyElectionNodes(children);
  // The orders each member decides from: Curator's, on this listing.
  const orders: string[][] = kind === 'mixed'
    ? [sortChildren(latchNodes, [LATCH_NODE_NAME]), sortChildren(lockNodes, [SELECTOR_NODE_NAME]), sortChildren(otherNodes, [])]
    : [sortChildren(children, [kind === 'latch' ? LATCH_NODE_NAME : SELECTOR_NODE_NAME])];
  const reads = await Promise.all(orders.flat().map(async (name) => {
    const nodePath = `${electionPath}/${name}`;
    try {
      return { name, ...(await zk.getData(nodePath)), readable: true };
    } catch (err) {
      if (err instanceof NoNodeError) return undefined;
      if (!(err instanceof NoAuthError)) throw err;
    }
    const stat = await zk.exists(nodePath); // needs no permission
    return stat && { name, data: Buffer.alloc(0), stat, readable: false };
  }));
  const read = new Map(reads.filter((r) => r !== undefined).map((r) => [r.name, r]));
  const participants: ElectionMemberSnapshot[] = [];
  for (const order of orders) {
    let leaderSeen = false;
    order.forEach((name, index) => {
      const node = read.get(name);
      if (!node) return;
      const isLeader = !leaderSeen; // the first readable one, as getLeader() (a node gone in between is skipped)
      leaderSeen = true;
      participants.push({
        name,
        path: `${electionPath}/${name}`,
        kind: kindOf(name),
        id: node.data.toString('utf8'),
        ...(node.readable ? {} : { dataReadable: false as const }),
        isLeader: isLeader && !(kind === 'mixed' && kindOf(name) === 'foreign'),
        waitingOn: index > 0 && !isLeader ? `${electionPath}/${order[index - 1]}` : undefined,
        sessionId: node.stat.ephemeralOwner,
        createdAt: node.stat.ctime,
        czxid: node.stat.czxid,
      });
    });
  }
  return { path: electionPath, kind, leader: kind === 'mixed' ? undefined : participants.find((p) => p.isLeader), participants };
}
