// What acquire() may reject with (docs/errors.md), on real servers: an acquire interrupted
// by a session loss starts over on the new session within its deadline (Curator does the
// same), never LockLostError; our node deleted again and again by someone else is a typed
// LockNodeDeletedError; and acquires driven through connection losses, server-side expiry, a
// session given up by the client, and close() reject only with the documented classes.
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ClientClosedError, LockNodeDeletedError, LockTimeoutError, Mutex, ReadWriteLock, connect,
  type ConnectionState, type ZkClient,
} from '../lib/index.js';
import { settleBackgroundDeletes } from '../lib/locks/engine/guaranteed-delete.js';
import { expireSession } from './support/expire-session.js';
import { childrenOf, newClient, sharedConnectString, sharedServerPort, track, uniquePath, untilChildren } from './support/harness.js';
import { nextState, proxiedClient } from './support/proxied-client.js';
import { pollUntil } from './support/poll.js';
import { TcpProxy } from './support/tcp-proxy.js';

const proxies: TcpProxy[] = [];


function describeError(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}(${(e as { code?: string }).code ?? ''}): ${e.message}` : String(e);
}

describe('what acquire() rejects with', function () {
  this.timeout(60_000);

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('a waiter whose session the client gives up while the server still keeps it (and its node, now first in line) starts over on the new session: no LockLostError', async () => {
    const holder = await newClient();
    const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 2_000 });
    const path = uniquePath('given-up');
    const held = await new Mutex(holder, path).acquire();
    const waiting = track(new Mutex(client, path).acquire({ timeout: 40_000 }));
    await pollUntil(() => client.pendingWatchListeners === 1, { timeoutMs: 5_000, what: 'waiter watching' });
    const [oldNode] = (await new Mutex(holder, path).participants()).slice(1);
    // The client loses the server; a second handle takes the session over and keeps it alive,
    // as a server that has not expired it yet does. The client gives up after a session timeout.
    const lost = nextState(client, 'LOST');
    proxy.cut();
    const twin = await connect(sharedConnectString(), { session: { id: client.sessionId, password: client.sessionPassword }, sessionTimeout: 2_000 });
    try {
      await lost;
      await held.release(); // the given-up session's node is now first in line
      expect(await new Mutex(holder, path).participants()).to.deep.equal([oldNode]);
      proxy.restore();
      // The new session must not take the old node's place as a grant: it queues a node of its own.
      await pollUntil(async () => waiting.settled() || (await childrenOf(holder, path)).length === 2, { timeoutMs: 10_000, what: 'a node of the new session' });
      if (waiting.settled()) expect.fail(`acquire settled early: ${describeError(await waiting.promise.then(() => 'granted the old session\'s node', (e: unknown) => e))}`);
    } finally {
      await twin.close(); // the old session ends: its node goes, ours is first
    }
    const lease = await waiting.promise;
    expect(client.sessionGeneration).to.equal(1);
    expect(lease.path).to.not.equal(oldNode);
    expect((await holder.exists(lease.path))?.ephemeralOwner).to.equal(client.sessionId);
    expect(lease.status).to.equal('held');
    await lease.release();
    expect(await childrenOf(holder, path)).to.deep.equal([]);
  });

  it('our node deleted by someone else again and again while waiting: LockNodeDeletedError, nothing left behind', async () => {
    const [holder, waiter, deleter] = await Promise.all([newClient(), newClient(), newClient()]);
    const path = uniquePath('deleted');
    const held = await new Mutex(holder, path).acquire();
    const heldName = held.path.split('/').at(-1);
    const waiting = track(new Mutex(waiter, path).acquire({ timeout: 30_000 }));
    let deleted = 0;
    while (!waiting.settled()) { // no event for another session's create: poll
      for (const child of await childrenOf(deleter, path)) {
        if (child === heldName) continue;
        await deleter.delete(`${path}/${child}`).then(() => { deleted++; }, () => undefined);
      }
      await sleep(5);
    }
    const err = await waiting.promise.catch((e: unknown) => e);
    expect(err, describeError(err)).to.be.instanceOf(LockNodeDeletedError);
    expect((err as LockNodeDeletedError).code).to.equal('LOCK_NODE_DELETED');
    expect((err as LockNodeDeletedError).deletions).to.equal(17);
    expect((err as LockNodeDeletedError).lockPath).to.equal(path);
    expect(deleted).to.be.at.least(17);
    await settleBackgroundDeletes(waiter);
    expect(await childrenOf(deleter, path)).to.deep.equal([heldName]);
    await held.release();
  });

  it('acquires through connection losses, server-side expiry, a session given up, and close() reject only with documented errors', async () => {
    const direct = await newClient();
    const { proxy: proxy1, client: c1 } = await proxiedClient(proxies, { sessionTimeout: 2_000 });
    const { proxy: proxy2, client: c2 } = await proxiedClient(proxies, { sessionTimeout: 2_000, lossPolicy: 'lost' });
    const mutexPath = uniquePath('chaos-mutex');
    const rwPath = uniquePath('chaos-rw');
    let stop = false;
    let c2Closed = false;
    const unexpected: string[] = [];
    const counts = { held: 0, timeouts: 0, closed: 0 };
    const heldAfterFaults = new Set<ZkClient>();
    let faultsDone = false;
    const loop = async (client: ZkClient, kind: 'mutex' | 'read' | 'write' | 'lease'): Promise<void> => {
      const rw = new ReadWriteLock(client, rwPath);
      const mutex = new Mutex(client, mutexPath, { maxLeases: 2 });
      while (!stop && !(client === c2 && c2Closed)) {
        const timeout = 300 + Math.floor(Math.random() * 900);
        try {
          if (kind === 'lease') {
            const lease = await mutex.acquire({ timeout });
            await sleep(Math.random() * 15);
            await lease.release();
          } else {
            const lock = kind === 'mutex' ? mutex : kind === 'read' ? rw.readLock : rw.writeLock;
            await lock.withLock(async () => { await sleep(Math.random() * 15); }, { timeout });
          }
          counts.held++;
          if (faultsDone) heldAfterFaults.add(client);
        } catch (e) {
          if (e instanceof LockTimeoutError) counts.timeouts++;
          else if (e instanceof ClientClosedError && client === c2 && c2Closed) counts.closed++;
          else unexpected.push(`${kind}: ${describeError(e)}`);
        }
      }
    };
    const loops = [direct, c1, c2].flatMap((client) => (['mutex', 'read', 'write', 'lease'] as const).map((kind) => loop(client, kind)));
    try {
      await sleep(500);
      proxy1.cut(); // a short connection loss (same session back)
      await sleep(400);
      proxy1.restore();
      await nextState(c1, 'RECONNECTED');
      await expireSession(c1, proxy1, sharedConnectString()); // expired by the server
      await pollUntil(() => c1.isConnected && c1.sessionGeneration === 1, { timeoutMs: 10_000, what: 'c1 on a new session' });
      const given = nextState(c2, 'LOST');
      proxy2.cut(); // longer than the session timeout: the client gives the session up
      await given;
      proxy2.restore();
      await pollUntil(() => c2.isConnected, { timeoutMs: 10_000, what: 'c2 on a new session' });
      proxy1.stall(); // silence: the client drops the connection itself
      await nextState(c1, 'SUSPENDED');
      proxy1.restore();
      faultsDone = true;
      await pollUntil(() => heldAfterFaults.has(c1) && heldAfterFaults.has(c2) && heldAfterFaults.has(direct), { timeoutMs: 20_000, what: 'every client holding again' });
      c2Closed = true;
      await c2.close(); // acquires of c2 in flight reject with ClientClosedError
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    expect(unexpected).to.deep.equal([]);
    expect(counts.held).to.be.greaterThan(20);
    await Promise.all([settleBackgroundDeletes(c1), settleBackgroundDeletes(direct)]);
    await untilChildren(direct, mutexPath, 0, 10_000);
    await untilChildren(direct, rwPath, 0, 10_000);
  });
});
