// Who takes part in an election, as Curator's LeaderSelector.getParticipants / getLeader tell
// it (LeaderLatch uses the same two functions): the children in election order, each one's id
// read from its data (UTF-8), a node gone in between skipped (CURATOR-358), the first readable
// one the leader. A path that does not exist has no participants (CURATOR-436).
import { NoNodeError } from '../errors.js';
import type { ZkClient } from '../framework/zk-client.js';
import { sortChildren } from '../locks/engine/lock-node-name.js';
import { electionConflict } from './election-nodes.js';

/** One member of an election, as Curator's `Participant` shows it. */
export interface ElectionParticipant {
  /** The member's id: its node's data as UTF-8 (`''` for a LeaderLatch made without an id). */
  readonly id: string;
  /** True for the leader: the first member in election order. */
  readonly isLeader: boolean;
  /**
   * Full path of the member's node; `undefined` only in the placeholder `getLeader()` returns
   * when nobody takes part (Curator's `Participant("", false)`).
   */
  readonly node: string | undefined;
}

/** The placeholder for "no leader": Curator's `new Participant()`. */
export const NO_LEADER: ElectionParticipant = Object.freeze({ id: '', isLeader: false, node: undefined });

/**
 * Every member of the election on `path`, in election order, the leader first.
 * @throws ElectionConflictError when the path holds both LeaderLatch and LeaderSelector nodes
 */
export async function readParticipants(client: ZkClient, path: string, nodeName: string): Promise<ElectionParticipant[]> {
  const children = await client.getChildrenOrEmpty(path);
  const conflict = electionConflict(path, children);
  if (conflict) throw conflict;
  const sorted = sortChildren(children, [nodeName]);
  // Sent back to back: one round trip however many members.
  const ids = await Promise.all(sorted.map(async (name) => {
    try {
      return (await client.getData(`${path}/${name}`)).data.toString('utf8');
    } catch (err) {
      if (err instanceof NoNodeError) return undefined;
      throw err;
    }
  }));
  const members: ElectionParticipant[] = [];
  sorted.forEach((name, i) => {
    const id = ids[i];
    if (id !== undefined) members.push(Object.freeze({ id, isLeader: members.length === 0, node: `${path}/${name}` }));
  });
  return members;
}
