// Deleting our own lock node must not fail silently: a node left behind blocks every other
// contender for as long as our session lives (CURATOR-315/-335/-462). These helpers try once
// in the caller's flow, then keep retrying in the background until the node is gone, the
// session that owned it is gone (so the server removed it), or the client is closed.
import { ClientClosedError, ConnectionLossError, NoNodeError, SessionExpiredError } from '../../errors.js';
import type { ZkClient } from '../../framework/zk-client.js';

/** Background retries still running, per client, so tests and close() can observe them. */
const pending = new WeakMap<ZkClient, Set<Promise<void>>>();

/** Resolves once every background delete of this client has finished. */
export async function settleBackgroundDeletes(client: ZkClient): Promise<void> {
  const set = pending.get(client);
  while (set && set.size > 0) await Promise.allSettled([...set]);
}

function isRetryable(err: unknown): boolean {
  return err instanceof ConnectionLossError;
}

function track(client: ZkClient, work: Promise<void>): void {
  let set = pending.get(client);
  if (!set) pending.set(client, (set = new Set()));
  const s = set;
  const p = work.catch(() => undefined).finally(() => s.delete(p));
  s.add(p);
}

/**
 * Runs `attempt` until it succeeds. The first try is awaited; if it fails for a retryable
 * reason the retries continue in the background and this resolves `false`. Resolves `true`
 * only when the server confirmed, in this first try, that the node is gone (deleted now, or
 * already missing); a node gone with its session, or left to the retries, resolves `false`.
 */
async function guaranteed(client: ZkClient, generation: number, attempt: () => Promise<void>): Promise<boolean> {
  const once = async (): Promise<'confirmed' | 'ended' | 'retry'> => {
    // A new session means the old one expired and the server removed its ephemeral nodes.
    if (client.isClosed || client.sessionGeneration !== generation) return 'ended';
    try {
      await attempt();
      return 'confirmed';
    } catch (err) {
      if (err instanceof NoNodeError) return 'confirmed';
      if (err instanceof SessionExpiredError || err instanceof ClientClosedError) return 'ended';
      if (isRetryable(err)) return 'retry';
      throw err;
    }
  };
  // While disconnected a request would sit in the client's queue: go straight to the retries.
  if (client.isConnected) {
    const first = await once();
    if (first !== 'retry') return first === 'confirmed';
  }
  if (client.isClosed || client.sessionGeneration !== generation) return false;
  track(client, (async () => {
    for (;;) {
      try {
        await client.waitConnected();
      } catch {
        return; // closed: the session and its ephemeral nodes end with it
      }
      if ((await once()) !== 'retry') return;
    }
  })());
  return false;
}

/** Deletes the ephemeral node at `path`, retrying in the background on connection loss. */
export function deleteGuaranteed(client: ZkClient, path: string, generation: number): Promise<boolean> {
  return guaranteed(client, generation, () => client.delete(path));
}

/**
 * Deletes every child of `parent` whose name starts with our protected `prefix`: used when a
 * create's reply was lost and we cannot know whether (or under which name) it was applied.
 */
export function deleteByPrefixGuaranteed(client: ZkClient, parent: string, prefix: string, generation: number): Promise<boolean> {
  return guaranteed(client, generation, async () => {
    const children = await client.getChildren(parent);
    for (const child of children) {
      if (!child.startsWith(prefix)) continue;
      try {
        await client.delete(`${parent}/${child}`);
      } catch (err) {
        if (!(err instanceof NoNodeError)) throw err;
      }
    }
  });
}
