// Small helpers shared by the tests: the shared server, clients that are always closed,
// unique lock paths, and a raw view of a lock directory.
import { randomUUID } from 'node:crypto';
import { connect, type ConnectOptions, type ZkClient } from '../../lib/index.js';
import { pollUntil } from './poll.js';

let shared: string | undefined;
const tracked = new Set<ZkClient>();

export function setSharedConnectString(cs: string): void {
  shared = cs;
}

/** Connection string of the server every ordinary test uses. */
export function sharedConnectString(): string {
  if (!shared) throw new Error('shared ZooKeeper not started (root hooks not loaded?)');
  return shared;
}

/** A client closed automatically after the test. */
export async function newClient(options: ConnectOptions & { connectString?: string } = {}): Promise<ZkClient> {
  const { connectString, ...rest } = options;
  const client = await connect(connectString ?? sharedConnectString(), { sessionTimeout: 6_000, ...rest });
  tracked.add(client);
  return client;
}

export async function closeTrackedClients(): Promise<void> {
  const all = [...tracked];
  tracked.clear();
  await Promise.all(all.map((c) => c.close()));
}

/** A lock path no other test uses. */
export function uniquePath(name = 'lock'): string {
  return `/zkurator-test/${name}-${randomUUID().slice(0, 8)}`;
}

/** Raw child names of a path ([] when it does not exist). */
export async function childrenOf(client: ZkClient, path: string): Promise<string[]> {
  try {
    return await client.getChildren(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ZK_NONODE') return [];
    throw err;
  }
}

/** Count of active timers in this process (for "no timer left" checks). */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** A promise plus its settle state, for asserting "still pending". */
export function track<T>(p: Promise<T>): { promise: Promise<T>; settled: () => boolean; value: () => T | undefined } {
  let done = false;
  let val: T | undefined;
  const promise = p.then((v) => { done = true; val = v; return v; }, (e: unknown) => { done = true; throw e; });
  promise.catch(() => undefined);
  return { promise, settled: () => done, value: () => val };
}

/** Loopback port of the first server in the shared connect string (for 4lw commands). */
export function sharedServerPort(): number {
  return Number(sharedConnectString().split(',')[0]!.split('/')[0]!.split(':')[1]);
}

/**
 * Waits until `path` has exactly `n` children (a contender's node has been created). There is
 * no event for another session's create, so this polls, with a deadline.
 */
export async function untilChildren(client: ZkClient, path: string, n: number, timeoutMs = 5_000): Promise<void> {
  await pollUntil(async () => (await childrenOf(client, path)).length === n, { timeoutMs, what: `${n} nodes under ${path}` });
}
