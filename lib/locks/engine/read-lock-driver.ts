// Curator's read-lock rule (InterProcessReadWriteLock.readLockPredicate): a reader holds when
// no write node sorts before it, and otherwise watches the FIRST such writer. Every reader
// blocked by that writer wakes when it goes: that is sharing, not a herd.
import type { LockDecision, LockDriver } from './lock-driver.js';

export const READ_LOCK_NAME = '__READ__';
export const WRITE_LOCK_NAME = '__WRIT__';
/** Both names are stripped to sort, in Curator's order. */
export const READ_WRITE_SORT_NAMES = [READ_LOCK_NAME, WRITE_LOCK_NAME] as const;

export class ReadLockDriver implements LockDriver {
  readonly lockName = READ_LOCK_NAME;
  readonly sortNames = READ_WRITE_SORT_NAMES;

  decide(sorted: readonly string[], ourIndex: number): LockDecision {
    for (let i = 0; i < ourIndex; i++) {
      const child = sorted[i] as string;
      if (child.includes(WRITE_LOCK_NAME)) return { held: false, watch: child };
    }
    return { held: true };
  }
}
