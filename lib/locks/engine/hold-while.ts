// The body of every non-re-entrant `withLock`: acquire, run the caller's function with the
// lease and its loss signal, and release afterwards whatever the function does.
import { describeValue } from '../../util/describe-value.js';
import { ValidationError } from '../../errors.js';
import { holdsOfLeases, runHolding } from './flow-holds.js';

/** What {@link holdWhile} needs of a lease. */
export interface ReleasableLease {
  readonly signal: AbortSignal;
  readonly released: boolean;
  release(): Promise<void>;
}

/**
 * Checks `fn` (a ValidationError before anything is acquired), acquires, runs `fn(lease,
 * lease.signal)` as a flow that holds the zkurator leases `leasesOf(lease)` names (so an
 * acquire inside it that could only wait on them is refused: flow-holds.ts), and releases the
 * lease unless `fn` already did.
 */
export async function holdWhile<L extends ReleasableLease, T>(
  fn: (lease: L, signal: AbortSignal) => T | Promise<T>,
  acquire: () => Promise<L>,
  leasesOf: (lease: L) => readonly unknown[],
): Promise<T> {
  if (typeof fn !== 'function') throw new ValidationError(`withLock needs a function, got ${describeValue(fn)}`);
  const lease = await acquire();
  try {
    return await runHolding(holdsOfLeases(leasesOf(lease)), () => fn(lease, lease.signal));
  } finally {
    if (!lease.released) await lease.release();
  }
}
