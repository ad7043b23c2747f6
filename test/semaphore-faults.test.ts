// Faults for the V2 recipes (fault-scenarios.md F3, F4, F5-like waiter expiry, server restart):
// Semaphore and SemaphoreMutex on real servers, each ending with nothing of ours left under
// `<path>/locks` or `<path>/leases`.
import { expect } from 'chai';
import { LockLostError, Mutex, Semaphore, SemaphoreMutex, SharedCount, type Lease, type ZkClient } from '../lib/index.js';
import { settleBackgroundDeletes } from '../lib/locks/engine/guaranteed-delete.js';
import { expireSession } from './support/expire-session.js';
import { childrenOf, newClient, sharedConnectString, track, uniquePath, untilChildren } from './support/harness.js';
import { proxiedClient } from './support/proxied-client.js';
import { pollUntil } from './support/poll.js';
import { LOCK_CREATE_OPS, TcpProxy } from './support/tcp-proxy.js';
import { ZkCluster } from './support/zk-server.js';

const proxies: TcpProxy[] = [];

function aborted(signal: AbortSignal): Promise<unknown> {
  return signal.aborted ? Promise.resolve(signal.reason) : new Promise((r) => signal.addEventListener('abort', () => r(signal.reason), { once: true }));
}

/** Nothing but `leases` under `<path>/leases`, and the internal mutex free. */
async function expectOnly(client: ZkClient, path: string, leases: Lease[]): Promise<void> {
  expect((await childrenOf(client, `${path}/leases`)).sort()).to.deep.equal(leases.map((l) => l.path.split('/').at(-1)).sort());
  expect(await childrenOf(client, `${path}/locks`)).to.deep.equal([]);
}

/**
 * An acquire whose LEASE create loses its reply: someone holds the internal mutex, so our lock
 * node is created (and waits) before the cut is armed; then the gate opens.
 */
async function leaseCreateCut(name: string, timeout: number, reopen: boolean) {
  const { proxy, client } = await proxiedClient(proxies);
  const other = await newClient();
  const path = uniquePath(name);
  await client.createContainers(`${path}/leases`);
  const gate = await new Mutex(other, `${path}/locks`).acquire();
  const acquiring = track(new Semaphore(client, path, { maxLeases: 2 }).acquire({ timeout }));
  await untilChildren(other, `${path}/locks`, 2);
  const creates = client.operationCounts.create;
  const cut = proxy.cutAfterReply(LOCK_CREATE_OPS, { reopen });
  await gate.release();
  await cut;
  return { proxy, client, other, path, acquiring, creates };
}

describe('faults for Semaphore and SemaphoreMutex', function () {
  this.timeout(60_000);

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('F3: the holder\'s session expires: its lease reports SESSION_LOST, a waiter gets the lease, the stale release is harmless', async () => {
    const { proxy, client } = await proxiedClient(proxies, { lossPolicy: 'lost' });
    const other = await newClient();
    const path = uniquePath('sem-f3');
    const [lease] = await new Semaphore(client, path, { maxLeases: 1 }).acquire();
    const waiting = track(new Semaphore(other, path, { maxLeases: 1 }).acquire({ timeout: 30_000 }));
    await untilChildren(other, `${path}/leases`, 2);
    const signal = lease!.signal;
    await expireSession(client, proxy, sharedConnectString());
    const reason = await aborted(signal);
    expect(reason).to.be.instanceOf(LockLostError);
    expect((reason as LockLostError).reason).to.equal('SESSION_LOST');
    const [next] = await waiting.promise;
    await lease!.release(); // no error, deletes nothing
    expect(lease!.status).to.equal('released');
    await expectOnly(other, path, [next!]);
    await next!.release();
    await expectOnly(other, path, []);
  });

  it('a SemaphoreMutex waiter whose session expires starts over on its new session and still gets the lock', async () => {
    const holder = await newClient();
    const { proxy, client } = await proxiedClient(proxies);
    const path = uniquePath('smutex-wait-expiry');
    const held = await new SemaphoreMutex(holder, path).acquire();
    const waiting = track(new SemaphoreMutex(client, path).acquire({ timeout: 40_000 }));
    await untilChildren(holder, `${path}/leases`, 2);
    const oldSession = client.sessionId;
    await expireSession(client, proxy, sharedConnectString());
    await pollUntil(async () => {
      const nodes = await childrenOf(holder, `${path}/leases`);
      const owners = await Promise.all(nodes.map(async (n) => (await holder.exists(`${path}/leases/${n}`))?.ephemeralOwner));
      return nodes.length === 2 && owners.includes(client.sessionId) && !owners.includes(oldSession);
    }, { timeoutMs: 20_000, what: 'waiter queued again under its new session' });
    expect(waiting.settled()).to.equal(false);
    await held.release();
    const lease = await waiting.promise;
    expect(client.sessionGeneration).to.equal(1);
    await expectOnly(holder, path, [lease]);
    await lease.release();
    await expectOnly(holder, path, []);
  });

  it('F4: the internal lock node\'s create reply is lost: found again by its prefix, one node, no orphan', async () => {
    const { proxy, client } = await proxiedClient(proxies);
    const other = await newClient();
    const path = uniquePath('sem-f4-lock');
    await client.createContainers(`${path}/locks`);
    const cut = proxy.cutAfterReply(LOCK_CREATE_OPS, { reopen: true });
    const [lease] = await new Semaphore(client, path, { maxLeases: 2 }).acquire({ timeout: 20_000 });
    await cut;
    expect(client.sessionGeneration).to.equal(0);
    await expectOnly(other, path, [lease!]);
    await lease!.release();
    await expectOnly(other, path, []);
  });

  it('F4: the lease node\'s create reply is lost: adopted by its prefix (same session), exactly one lease node', async () => {
    const { client, other, path, acquiring, creates } = await leaseCreateCut('sem-f4-lease', 20_000, true);
    const [lease] = await acquiring.promise;
    expect(client.operationCounts.create).to.equal(creates + 1); // the lease create, not re-sent
    expect(client.sessionGeneration).to.equal(0);
    expect((await other.exists(lease!.path))?.ephemeralOwner).to.equal(client.sessionId);
    await expectOnly(other, path, [lease!]);
    await lease!.release();
    await expectOnly(other, path, []);
  });

  it('F4: the lease create reply is lost and the acquire gives up: the node is deleted in the background', async () => {
    const { proxy, client, other, path, acquiring } = await leaseCreateCut('sem-f4-giveup', 3_000, false);
    expect(await acquiring.promise.catch((e: unknown) => (e as Error).name)).to.equal('LockTimeoutError');
    expect(await childrenOf(other, `${path}/leases`)).to.have.length(1); // applied, reply never seen
    proxy.restore();
    await untilChildren(other, `${path}/leases`, 0, 20_000);
    await untilChildren(other, `${path}/locks`, 0, 20_000);
    await settleBackgroundDeletes(client);
    expect(client.sessionGeneration).to.equal(0); // deleted by us, not by an expiry
  });

  it('SharedCount: a change made while the connection was down is read after the reconnect, and a session loss does not stop the watch', async () => {
    const { proxy, client } = await proxiedClient(proxies);
    const other = await newClient();
    const countPath = `${uniquePath('count-reconnect')}-count`;
    const watching = new SharedCount(client, countPath, 1);
    const writer = new SharedCount(other, countPath, 1);
    await watching.start();
    await writer.start();
    try {
      proxy.cut();
      await writer.setCount(5);
      const seen5 = new Promise<number>((resolve) => watching.once('change', resolve));
      proxy.restore();
      expect(await seen5).to.equal(5);
      await expireSession(client, proxy, sharedConnectString());
      await pollUntil(() => client.sessionGeneration === 1 && client.isConnected, { timeoutMs: 20_000, what: 'a new session' });
      const seen6 = new Promise<number>((resolve) => watching.once('change', resolve));
      await writer.setCount(6);
      expect(await seen6).to.equal(6);
    } finally {
      watching.close();
      writer.close();
    }
    expect(client.pendingWatchListeners + other.pendingWatchListeners).to.equal(0);
  });

  it('server restart: the holder keeps its lease (same session), the waiter keeps waiting and gets it; nothing left', async () => {
    const server = await ZkCluster.standalone({ tickTime: 1_000 });
    try {
      const opts = { connectString: server.connectString, sessionTimeout: 20_000, lossPolicy: 'lost' as const };
      const [a, b] = await Promise.all([newClient(opts), newClient(opts)]);
      // What each client saw, added to the message if anything below fails.
      const t0 = Date.now();
      const timeline: string[] = [];
      const step = (what: string): void => { timeline.push(`${Date.now() - t0}ms ${what}`); };
      a.on('state', (s) => step(`a:${s}`));
      b.on('state', (s) => step(`b:${s}`));
      try {
        const path = uniquePath('sem-restart');
        const [held] = await new Semaphore(a, path, { maxLeases: 1 }).acquire();
        const waiting = track(new Semaphore(b, path, { maxLeases: 1 }).acquire({ timeout: 50_000 }));
        await untilChildren(a, `${path}/leases`, 2);
        await server.members[0]!.stop('SIGKILL');
        step('killed');
        await server.members[0]!.start();
        await server.members[0]!.waitServing(30_000);
        step('serving');
        // The same session is back and the node still there, even when the first reconnect met
        // the server while it started (silent-handshake.test.ts): the holder keeps its lease.
        await held!.untilSafe();
        step('holder kept its lease');
        expect(held!.status).to.equal('held');
        expect(a.sessionGeneration).to.equal(0);
        expect(waiting.settled()).to.equal(false);
        await held!.release();
        const [next] = await waiting.promise;
        await expectOnly(a, path, [next!]);
        await next!.release();
        await expectOnly(a, path, []);
      } catch (err) {
        if (err instanceof Error) err.message += `\n      restart timeline: ${timeline.join(', ')}`;
        throw err;
      }
    } finally {
      await server.destroy();
    }
  });
});
