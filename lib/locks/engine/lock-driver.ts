// A driver is the small per-recipe rule of Curator's LockInternalsDriver: which name our node
// gets, how children sort, and given the sorted children whether we hold the lock or which
// single node to watch. The shared loop around it lives in lock-engine.ts.

/** The outcome of looking at the sorted children once. */
export type LockDecision =
  | { readonly held: true }
  | { readonly held: false; readonly watch: string };

export interface LockDriver {
  /** Written between the protected prefix and the sequence: `lock-`, `__READ__`, `__WRIT__`. */
  readonly lockName: string;
  /** Names stripped, in order, to get a child's sort key (Curator's sorter). */
  readonly sortNames: readonly string[];
  /**
   * Decides from the sorted children, given our index in them (always >= 0: the engine
   * handles a missing own node before asking).
   */
  decide(sorted: readonly string[], ourIndex: number): LockDecision;
  /**
   * `false` for a recipe that queues like a lock but is not one (a LeaderLatch): its waits are
   * not published on the lock channels. Default true.
   */
  readonly lockEvents?: boolean;
}

/** InterProcessMutex's lock name: nodes are `_c_<uuid>-lock-<seq>`. */
export const MUTEX_LOCK_NAME = 'lock-';

/**
 * Curator's StandardLockInternalsDriver: InterProcessMutex (maxLeases 1) and the v1 semaphore
 * (maxLeases n). We hold the lock when fewer than `maxLeases` nodes sort before ours;
 * otherwise we watch the node exactly `maxLeases` places ahead, and nothing else (no herd).
 */
export class StandardLockDriver implements LockDriver {
  constructor(
    readonly maxLeases: number,
    readonly lockName = MUTEX_LOCK_NAME,
    readonly sortNames: readonly string[] = [lockName],
  ) {}

  decide(sorted: readonly string[], ourIndex: number): LockDecision {
    if (ourIndex < this.maxLeases) return { held: true };
    return { held: false, watch: sorted[ourIndex - this.maxLeases] as string };
  }
}
