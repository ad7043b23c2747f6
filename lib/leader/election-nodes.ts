// The children of an election path, as Curator's two recipes name them: LeaderLatch nodes
// `_c_<uuid>-latch-<seq>`, LeaderSelector nodes `_c_<uuid>-lock-<seq>` (a selector is an
// InterProcessMutex). Pure functions, for the recipes and for views of an election.
import { ElectionConflictError } from '../errors.js';
import { MUTEX_LOCK_NAME } from '../locks/engine/lock-driver.js';

/** The name LeaderLatch writes between the protected prefix and the sequence (Curator's LOCK_NAME). */
export const LATCH_NODE_NAME = 'latch-';

/** The name a LeaderSelector's nodes carry: it is Curator's InterProcessMutex, `lock-`. */
export const SELECTOR_NODE_NAME = MUTEX_LOCK_NAME;

/**
 * What an election path holds: `latch` (LeaderLatch nodes only), `selector` (LeaderSelector or
 * mutex nodes only), `mixed` (both: a conflict, each recipe would see a leader of its own), or
 * `none` (neither).
 */
export type ElectionKind = 'latch' | 'selector' | 'mixed' | 'none';

/** The children of an election path sorted into kinds (see {@link classifyElectionNodes}). */
export interface ElectionNodes {
  /** Which recipe uses the path (`mixed`: both, a conflict). */
  readonly kind: ElectionKind;
  /** Child names carrying `latch-` (LeaderLatch members), in the order given. */
  readonly latchNodes: readonly string[];
  /** Child names carrying `lock-` and not `latch-` (LeaderSelector members, or mutex holders and waiters). */
  readonly lockNodes: readonly string[];
  /** Any other child: it takes a place in either recipe's order (sorted by its whole name) but is no member. */
  readonly otherNodes: readonly string[];
}

/**
 * Sorts an election path's child names into LeaderLatch nodes, LeaderSelector (lock) nodes and
 * others, and says which recipe the path is used by: pure, no ZooKeeper call. A path whose kind
 * is `mixed` is refused by zkurator's recipes ({@link ElectionConflictError}); a status view
 * should show it as a conflict.
 */
export function classifyElectionNodes(children: readonly string[]): ElectionNodes {
  const latchNodes: string[] = [];
  const lockNodes: string[] = [];
  const otherNodes: string[] = [];
  for (const name of children) {
    if (name.includes(LATCH_NODE_NAME)) latchNodes.push(name);
    else if (name.includes(SELECTOR_NODE_NAME)) lockNodes.push(name);
    else otherNodes.push(name);
  }
  const kind: ElectionKind = latchNodes.length > 0
    ? (lockNodes.length > 0 ? 'mixed' : 'latch')
    : (lockNodes.length > 0 ? 'selector' : 'none');
  return { kind, latchNodes, lockNodes, otherNodes };
}

/** @internal The conflict error for `path` when its children mix both recipes, else undefined. */
export function electionConflict(path: string, children: readonly string[]): ElectionConflictError | undefined {
  const nodes = classifyElectionNodes(children);
  return nodes.kind === 'mixed' ? new ElectionConflictError(path, nodes.latchNodes, nodes.lockNodes) : undefined;
}
