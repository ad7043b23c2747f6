// What the two election recipes share about their own life: their states (Curator's State) and
// how long they wait before trying again after an error they cannot mend by themselves.

/** `latent` (made, not started), `started`, or `closed` (Curator's LeaderLatch.State). */
export type ElectionState = 'latent' | 'started' | 'closed';

/** The longest wait between two attempts after errors (a refused create, a conflict...). */
export const MAX_RETRY_DELAY_MS = 30_000;

/**
 * @internal How long to wait before attempt `failures + 1`: 0.5 s, doubling, at most 30 s. The
 * errors that lead here (no rights, a path used by the other recipe) need someone to mend them:
 * trying again at once would only load the server.
 */
export function retryDelay(failures: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** Math.min(Math.max(failures - 1, 0), 6));
}
