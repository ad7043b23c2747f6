// A leader does not list the election's children while it leads (nothing can rank before its
// node), so a member of the other recipe joining its path would go unseen until leadership next
// changes, and both recipes would have a leader. While a term lasts, the leader keeps one child
// watch on the path and ends its term if the path becomes mixed. Only the leader watches: one
// listing per change of membership, nothing for the members in line.
import { ConnectionLossError, ElectionConflictError, NoNodeError, SessionExpiredError } from '../errors.js';
import type { ZkClient } from '../framework/zk-client.js';
import { PROTECTED_PREFIX_MARK } from '../locks/engine/lock-node-name.js';
import { electionConflict } from './election-nodes.js';
import type { LeadershipTerm } from './leadership.js';

/**
 * @internal Looks at the election path before we create a node there: a path already used by the other
 * recipe is refused without a node of ours ever appearing (which would make a sitting leader of
 * ours step down). Waits for the connection (or `signal`).
 * @throws ElectionConflictError when the path holds both recipes' nodes (with ours to come, it would)
 */
export async function checkBeforeJoining(client: ZkClient, path: string, ownNodeName: string, signal: AbortSignal): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    if (!client.isConnected) await client.waitConnected(undefined, signal);
    let children: string[];
    try {
      children = await client.getChildrenOrEmpty(path);
    } catch (err) {
      if (err instanceof ConnectionLossError || err instanceof SessionExpiredError) continue;
      throw err;
    }
    // Judged with a node of ours among them: a path of the other recipe alone is a conflict too.
    const conflict = electionConflict(path, [...children, `${PROTECTED_PREFIX_MARK}${ownNodeName}`]);
    if (!conflict) return;
    const existing = (nodes: readonly string[]): string[] => nodes.filter((n) => children.includes(n));
    throw new ElectionConflictError(path, existing(conflict.latchNodes), existing(conflict.lockNodes));
  }
}

/** Resolves when the term ends. */
function termEnded(term: LeadershipTerm): Promise<void> {
  const signal = term.signal;
  if (!term.active) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * @internal While `term` lasts, watches `path`'s children; calls `onConflict` (once) as soon as they mix
 * LeaderLatch and LeaderSelector nodes. Never rejects. Stops when the term ends, the path is
 * gone (our node with it: the own-node watch ends the term), or the listing is refused.
 */
export async function watchForConflict(client: ZkClient, path: string, term: LeadershipTerm, onConflict: (err: ElectionConflictError) => void): Promise<void> {
  const ended = termEnded(term);
  while (term.active) {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => { wake = resolve; });
    let children: string[];
    try {
      children = await client.watchChildren(path, wake);
    } catch (err) {
      if (!term.active || err instanceof NoNodeError) return;
      if (err instanceof ConnectionLossError || err instanceof SessionExpiredError) {
        // The connection states decide about the term; look again once connected (or stop with it).
        await client.waitConnected(undefined, term.signal).catch(() => undefined);
        continue;
      }
      return; // refused (or the client closed): the members in line still check at each look
    }
    const conflict = electionConflict(path, children);
    if (conflict) {
      client.unwatchChildren(path, wake);
      if (term.active) onConflict(conflict);
      return;
    }
    await Promise.race([woken, ended]);
    client.unwatchChildren(path, wake);
  }
}
