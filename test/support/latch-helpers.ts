// Small helpers for the leader election suites: an event log per member, the first member to
// lead (awaited through the latches' own await(), never polled), and who leads right now.
import type { LeaderLatch } from '../../lib/index.js';

/** Appends `<name>+` on isLeader and `<name>-` on notLeader to `log`. */
export function logLeadership(latch: LeaderLatch, name: string, log: string[]): void {
  latch.on('isLeader', () => log.push(`${name}+`));
  latch.on('notLeader', () => log.push(`${name}-`));
}

/** The latches that lead right now. */
export function leadersOf(latches: readonly LeaderLatch[]): LeaderLatch[] {
  return latches.filter((l) => l.hasLeadership);
}

/**
 * Resolves with the first of `latches` to lead (at once if one does); rejects when none does
 * within `timeoutMs`. The other waits are cancelled, so no timer is left behind.
 */
export async function firstLeader(latches: readonly LeaderLatch[], timeoutMs = 15_000): Promise<LeaderLatch> {
  const cancel = new AbortController();
  try {
    return await Promise.any(latches.map(async (latch) => {
      if (await latch.await({ timeout: timeoutMs, signal: cancel.signal })) return latch;
      throw new Error(`no leader among ${latches.length} latches within ${timeoutMs} ms`);
    }));
  } catch (err) {
    throw err instanceof AggregateError ? err.errors.find((e: unknown) => !(e instanceof DOMException)) ?? err : err;
  } finally {
    cancel.abort();
  }
}
