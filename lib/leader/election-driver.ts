// The queue rule of both election recipes: Curator's mutex rule with one holder (the first node
// leads, every other member watches only the node just before its own), sorting by the text
// after the last `latch-` (LeaderLatch) or `lock-` (LeaderSelector), plus one refusal: a path
// holding both recipes' nodes is a conflict, and we never decide anything on it.
import { StandardLockDriver, type LockDecision } from '../locks/engine/lock-driver.js';
import { electionConflict } from './election-nodes.js';

export class ElectionDriver extends StandardLockDriver {
  constructor(
    /** The election path (for the error's message). */
    private readonly path: string,
    lockName: string,
    /** False for a LeaderLatch: its waits are not lock events. */
    readonly lockEvents: boolean,
  ) {
    super(1, lockName);
  }

  /** @throws ElectionConflictError when the children mix LeaderLatch and LeaderSelector nodes. */
  override decide(sorted: readonly string[], ourIndex: number): LockDecision {
    const conflict = electionConflict(this.path, sorted);
    if (conflict) throw conflict;
    return super.decide(sorted, ourIndex);
  }
}
