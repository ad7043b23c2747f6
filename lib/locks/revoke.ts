// Curator's Revoker.attemptRevoke: ask the holder of a revocable lock to give it up by writing
// `__REVOKE__` into its lock node. The holder's data watch sees it and tells its application,
// which decides whether to release (revocation is cooperative). Works on Curator's holders
// (made revocable with makeRevocable) and on zkurator's (`revocable: true`) alike.
import { ConnectionLossError, NoNodeError, SessionExpiredError } from '../errors.js';
import { REVOKE_MESSAGE } from './engine/lock-engine.js';
import { validateLockPath, validateSignal } from './engine/lock-path.js';
import { ReentrantLock } from './engine/reentrant-lock.js';
import type { ZkClient } from '../framework/zk-client.js';
import { checkOptions } from '../framework/check-options.js';

/** Options for {@link revoke}. */
export interface RevokeOptions {
  /** Stops waiting for a connection (the write is retried after a connection loss). */
  signal?: AbortSignal;
}

/**
 * Asks the holder of the lock node `nodePath` (a full node path, as `participants()`,
 * `lease.path` or `zkurator status` show it) to release it: sets the node's data to
 * `__REVOKE__`, exactly as Curator's `Revoker.attemptRevoke`. Resolves `true` once written,
 * `false` when there is no such node (Curator ignores that case too). A holder that did not
 * make its lock revocable never hears of it; one that did is told once per call.
 *
 * The write is retried after a connection loss (setting the same data twice is harmless),
 * waiting for the connection as long as the client tries, or until `signal` aborts.
 * @throws ValidationError for a bad client, path, signal or an unknown option, before any request;
 *   ClientClosedError; the signal's reason; NoAuthError when the node's ACL shuts us out.
 */
export async function revoke(client: ZkClient, nodePath: string, options?: RevokeOptions): Promise<boolean> {
  const zk = ReentrantLock.checkClient(client);
  const path = validateLockPath(nodePath);
  const signal = validateSignal(checkOptions(options, { call: 'revoke', known: ['signal'] }).signal);
  for (;;) {
    signal?.throwIfAborted();
    if (!zk.isConnected) await zk.waitConnected(undefined, signal);
    try {
      await zk.setData(path, REVOKE_MESSAGE);
      return true;
    } catch (err) {
      if (err instanceof NoNodeError) return false;
      // Not applied, or applied and the reply lost: writing it again is the same request.
      if (!(err instanceof ConnectionLossError || err instanceof SessionExpiredError)) throw err;
    }
  }
}
