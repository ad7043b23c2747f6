// Faults on real servers: lost replies, cut connections, expired sessions, whole-ensemble
// outages, reaped containers (fault-scenarios.md F3, F4, F5, F8, F13, F14, F20).
import { expect } from 'chai';
import pTimeout from 'p-timeout';
import {
  ConnectionLossError, LockLostError, LockTimeoutError, Mutex, type ConnectionState, type Lease, type ZkClient,
} from '../lib/index.js';
import { settleBackgroundDeletes } from '../lib/locks/engine/guaranteed-delete.js';
import { expireSession } from './support/expire-session.js';
import { childrenOf, newClient, sharedConnectString, sharedServerPort, track, uniquePath, untilChildren } from './support/harness.js';
import { nextState, proxiedClient } from './support/proxied-client.js';
import { pollUntil } from './support/poll.js';
import { LOCK_CREATE_OPS, TcpProxy, ZkOp } from './support/tcp-proxy.js';
import { ZkCluster } from './support/zk-server.js';
import { useEnsemble } from './support/ensemble-fixture.js';

const proxies: TcpProxy[] = [];


function aborted(signal: AbortSignal): Promise<unknown> {
  return signal.aborted ? Promise.resolve(signal.reason) : new Promise((r) => signal.addEventListener('abort', () => r(signal.reason), { once: true }));
}

describe('faults on real servers', function () {
  this.timeout(90_000);

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('F4: the create reply is lost; the node is found again by its protected prefix: one node, no orphan', async () => {
    const { proxy, client } = await proxiedClient(proxies);
    const other = await newClient();
    const path = uniquePath('f4');
    await client.createContainers(path); // so the lock node's create is the first create sent
    const cut = proxy.cutAfterReply(LOCK_CREATE_OPS, { reopen: true });
    const lease = await new Mutex(client, path).acquire({ timeout: 20_000 });
    await cut;
    expect(client.operationCounts.create).to.equal(path.split('/').length - 1 + 1); // containers + ONE lock create
    const children = await childrenOf(other, path);
    expect(children).to.deep.equal([lease.path.split('/').at(-1)]);
    expect((await other.getData(lease.path)).stat.ephemeralOwner).to.equal(client.sessionId);
    expect(client.sessionGeneration).to.equal(0); // same session: adopted, not re-created
    await lease.release();
    expect(await childrenOf(other, path)).to.deep.equal([]);
  });

  it('F5: the session expires while the node is looked for: the old node is not adopted, it disappears, acquire retries on the new session', async () => {
    const { proxy, client } = await proxiedClient(proxies);
    const other = await newClient();
    const path = uniquePath('f5');
    await client.createContainers(path);
    const oldSession = client.sessionId;
    const cut = proxy.cutAfterReply(LOCK_CREATE_OPS, { reopen: false });
    const acquiring = track(new Mutex(client, path).acquire({ timeout: 40_000 }));
    await cut;
    // the old session's node exists on the server right now
    const orphan = (await childrenOf(other, path))[0]!;
    expect((await other.getData(`${path}/${orphan}`)).stat.ephemeralOwner).to.equal(oldSession);
    await expireSession(client, proxy, sharedConnectString()); // proxy still refusing: the twin wins
    const lease = await acquiring.promise;
    expect(client.sessionGeneration).to.equal(1);
    expect(client.sessionId).to.not.equal(oldSession);
    const children = await childrenOf(other, path);
    expect(children).to.deep.equal([lease.path.split('/').at(-1)]);
    expect(children).to.not.include(orphan);
    expect((await other.getData(lease.path)).stat.ephemeralOwner).to.equal(client.sessionId);
    await lease.release();
  });

  it('F4: if the acquire gives up while a create\'s outcome is unknown, the node is found by prefix and deleted in the background', async () => {
    const { proxy, client } = await proxiedClient(proxies);
    const other = await newClient();
    const path = uniquePath('f4b');
    await client.createContainers(path);
    const cut = proxy.cutAfterReply(LOCK_CREATE_OPS, { reopen: false });
    const err = await new Mutex(client, path).acquire({ timeout: 1_500 }).catch((e: unknown) => e);
    await cut;
    expect(err).to.be.instanceOf(LockTimeoutError);
    const orphan = await childrenOf(other, path);
    expect(orphan).to.have.length(1); // applied on the server, reply never seen
    proxy.restore();
    await untilChildren(other, path, 0, 20_000);
    await settleBackgroundDeletes(client);
    expect(client.sessionGeneration).to.equal(0); // same session all along: deleted by us, not by expiry
  });

  it('a waiter whose session expires starts over on its new session and still gets the lock', async () => {
    const holderClient = await newClient();
    const { proxy, client } = await proxiedClient(proxies);
    const path = uniquePath('waiter-expiry');
    const held = await new Mutex(holderClient, path).acquire();
    const waiting = track(new Mutex(client, path).acquire({ timeout: 40_000 }));
    await pollUntil(() => client.pendingWatchListeners === 1, { timeoutMs: 5_000, what: 'waiter watching' });
    const oldSession = client.sessionId;
    await expireSession(client, proxy, sharedConnectString());
    await pollUntil(async () => {
      const queue = await new Mutex(holderClient, path).participants(); // sorted: holder first
      if (queue.length !== 2) return false;
      const owner = (await holderClient.exists(queue[1]!))?.ephemeralOwner; // may vanish meanwhile
      return owner === client.sessionId && owner !== oldSession;
    }, { timeoutMs: 20_000, what: 'waiter re-queued under its new session' });
    expect(waiting.settled()).to.equal(false);
    await held.release();
    const lease = await waiting.promise;
    expect(await childrenOf(holderClient, path)).to.deep.equal([lease.path.split('/').at(-1)]);
    await lease.release();
  });

  it('F8: a failed try-lock whose delete is lost retries it until the node is gone; the lock is not stuck', async () => {
    const holderClient = await newClient();
    const third = await newClient();
    const { proxy, client } = await proxiedClient(proxies);
    const path = uniquePath('f8');
    const held = await new Mutex(holderClient, path).acquire();
    const dropped = proxy.dropRequest([ZkOp.DELETE], { reopen: true });
    const err = await new Mutex(client, path).acquire({ timeout: 0 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    await dropped;
    // after the reconnect the background delete goes through
    await untilChildren(holderClient, path, 1, 20_000);
    await settleBackgroundDeletes(client);
    expect(client.operationCounts.delete).to.be.at.least(2);
    await held.release();
    const next = await new Mutex(third, path).acquire({ timeout: 5_000 });
    expect(await childrenOf(third, path)).to.deep.equal([next.path.split('/').at(-1)]);
    await next.release();
  });

  it('F3: server-side session expiry: the holder\'s lease reports loss, a waiter acquires, the stale release is harmless', async () => {
    const { proxy, client } = await proxiedClient(proxies, { lossPolicy: 'lost' });
    const waiterClient = await newClient();
    const path = uniquePath('f3');
    const lease = await new Mutex(client, path).acquire();
    const waiting = track(new Mutex(waiterClient, path).acquire({ timeout: 30_000 }));
    await untilChildren(waiterClient, path, 2);
    const signal = lease.signal;
    await expireSession(client, proxy, sharedConnectString());
    const reason = await aborted(signal);
    expect(reason).to.be.instanceOf(LockLostError);
    expect((reason as LockLostError).reason).to.equal('SESSION_LOST');
    expect(lease.status).to.equal('lost');
    expect(await lease.untilSafe().catch((e: unknown) => e)).to.be.instanceOf(LockLostError);
    const got = await waiting.promise;
    const deletesBefore = client.operationCounts.delete;
    await lease.release(); // no throw, nothing deleted
    expect(client.operationCounts.delete).to.equal(deletesBefore);
    expect(await new Mutex(waiterClient, path).participants()).to.deep.equal([got.path]);
    await got.release();
  });

  it('F14: a short disconnect makes the hold uncertain, then safe again; waiters\' watches still fire', async () => {
    const { proxy, client } = await proxiedClient(proxies); // policy 'suspended' (default)
    const { proxy: waiterProxy, client: waiterClient } = await proxiedClient(proxies);
    const path = uniquePath('f14');
    const lease = await new Mutex(client, path).acquire();
    const firstSignal = lease.signal;
    const waiting = track(new Mutex(waiterClient, path).acquire({ timeout: 30_000 }));
    await pollUntil(() => waiterClient.pendingWatchListeners === 1, { timeoutMs: 5_000, what: 'waiter watching' });

    const suspended = nextState(client, 'SUSPENDED');
    const reconnected = nextState(client, 'RECONNECTED');
    proxy.cut();
    await suspended;
    const reason = await aborted(firstSignal);
    expect((reason as LockLostError).reason).to.equal('SUSPENDED');
    expect(lease.status).to.equal('suspended');
    const safe = track(lease.untilSafe());
    expect(safe.settled()).to.equal(false);
    proxy.restore();
    await reconnected;
    await safe.promise;
    expect(lease.status).to.equal('held');
    expect(lease.signal).to.not.equal(firstSignal);
    expect(lease.signal.aborted).to.equal(false);
    expect(client.sessionGeneration).to.equal(0);

    // the waiter's connection drops too; its watch is restored by the server on reconnect
    const waiterBack = nextState(waiterClient, 'RECONNECTED');
    waiterProxy.cut();
    waiterProxy.restore();
    await waiterBack;
    expect(waiting.settled()).to.equal(false);
    await lease.release();
    const got = await waiting.promise;
    expect(await new Mutex(waiterClient, path).participants()).to.deep.equal([got.path]);
    await got.release();
  });

  it('F14: with lossPolicy "lost", a short disconnect does not abort the lease signal', async () => {
    const { proxy, client } = await proxiedClient(proxies);
    const path = uniquePath('f14b');
    const lease = await new Mutex(client, path, { lossPolicy: 'lost' }).acquire();
    const signal = lease.signal;
    const suspended = nextState(client, 'SUSPENDED');
    const reconnected = nextState(client, 'RECONNECTED');
    proxy.cut();
    await suspended;
    expect(lease.status).to.equal('suspended');
    proxy.restore();
    await reconnected;
    await lease.untilSafe();
    expect(signal.aborted).to.equal(false);
    expect(lease.signal).to.equal(signal);
    await lease.release();
    expect(signal.aborted).to.equal(true); // released: work tied to it should stop
    expect((signal.reason as LockLostError).reason).to.equal('RELEASED');
  });

  // The C client closes its socket without a session event when a send fails, and keeps the
  // requests it had sent on the old connection. The adapter must still report the outage, and
  // every request caught in it must end as a connection loss (never hang, never a raw code).
  // The sends below run in a reply's callback (right after an await on a request): a send into
  // a reset connection from a timer can abort the process instead (docs/zookeeper-client.md: why
  // zkurator has its own client).
  for (const reopen of [false, true]) {
    it(`requests caught by a reset the client has not read yet: SUSPENDED, connection losses, RECONNECTED (${reopen ? 'server back at once' : 'server back later'})`, async () => {
      const { proxy, client } = await proxiedClient(proxies);
      const path = uniquePath('silent-drop');
      await client.createContainers(path);
      const states: ConnectionState[] = [];
      client.on('state', (s) => states.push(s));
      const suspended = nextState(client, 'SUSPENDED');
      await client.exists(path);
      const outcome = (p: Promise<unknown>): Promise<unknown> => pTimeout(p.then(() => 'answered', (e: unknown) => e), { milliseconds: 10_000 });
      const sentBefore = outcome(client.exists(path)); // leaves intact; its reply is lost
      proxy.cut(); // the reset reaches the client's socket now; the client has not read it yet
      if (reopen) proxy.restore();
      const sentInto = outcome(client.exists(path)); // its send fails: the silent close
      await pTimeout(suspended, { milliseconds: 5_000, message: 'no SUSPENDED after a send into a reset connection' });
      expect(await sentBefore).to.be.instanceOf(ConnectionLossError);
      expect(await sentInto).to.be.instanceOf(ConnectionLossError);
      if (!reopen) proxy.restore();
      await client.waitConnected(10_000);
      expect((await client.exists(path))?.numChildren).to.equal(0);
      expect(states.slice(0, 2)).to.deep.equal(['SUSPENDED', 'RECONNECTED']);
      expect(states).to.not.include('LOST');
    });
  }

  it('a deleted lock node aborts the holder\'s signal (NODE_DELETED)', async () => {
    const client = await newClient();
    const admin = await newClient();
    const path = uniquePath('node-deleted');
    const lease = await new Mutex(client, path).acquire();
    await admin.delete(lease.path);
    const reason = await aborted(lease.signal);
    expect((reason as LockLostError).reason).to.equal('NODE_DELETED');
    expect(lease.status).to.equal('lost');
    await lease.release();
  });

  it('F20: containers reaped when idle are recreated by the next acquire, and fencing tokens only grow', async () => {
    const server = await ZkCluster.standalone({ containerCheckIntervalMs: 100 });
    try {
      const client = await newClient({ connectString: server.connectString });
      const path = '/f20/lock';
      let last = 0n;
      for (let round = 0; round < 4; round++) {
        const lease = await new Mutex(client, path).acquire({ timeout: 5_000 });
        expect(lease.fencingToken > last).to.equal(true);
        // the sequence restarted with the recreated parent; the token did not
        expect(lease.path.endsWith('-lock-0000000000'), lease.path).to.equal(true);
        last = lease.fencingToken;
        await lease.release();
        await pollUntil(async () => (await client.exists('/f20')) === undefined, { timeoutMs: 20_000, what: 'containers reaped' });
      }
    } finally {
      await server.destroy();
    }
  });

  describe('F13: whole ensemble down longer than the session timeout', () => {
    const cluster = useEnsemble();

    it('every holder learns it lost its lock, nobody holds while down, locks work after the restart', async function () {
      this.timeout(120_000);
      const opts = { connectString: cluster().connectString, sessionTimeout: 3_000 };
      const [a, b, c] = await Promise.all([newClient(opts), newClient(opts), newClient({ ...opts, lossPolicy: 'lost' })]);
      // A timeline of what each client saw, printed if anything below fails (rare; see note).
      const t0 = Date.now();
      const timeline: string[] = [];
      const step = (what: string): void => { timeline.push(`${Date.now() - t0}ms ${what}`); };
      for (const [name, client] of [['a', a], ['b', b], ['c', c]] as const) client.on('state', (st) => step(`${name}:${st}`));
      try {
        const pathA = uniquePath('f13a');
        const pathC = uniquePath('f13c');
        const leaseA: Lease = await new Mutex(a, pathA).acquire({ timeout: 10_000 });
        const leaseC: Lease = await new Mutex(c, pathC).acquire({ timeout: 10_000 });
        const lostA = aborted(leaseA.signal);
        const lostC = nextState(c, 'LOST');
        const sessionLostA = nextState(a, 'LOST');
        step('kill all');
        await Promise.all(cluster().members.map((m) => m.stop('SIGKILL')));
        expect(((await lostA) as LockLostError).reason).to.equal('SUSPENDED'); // at once, per policy
        await lostC; // after a whole session timeout without the ensemble
        expect(leaseC.status).to.equal('lost');
        expect((leaseC.signal.reason as LockLostError).reason).to.equal('SESSION_LOST');
        await sessionLostA;
        expect(leaseA.status).to.equal('lost');
        // nobody can take a lock while the ensemble is down
        step('acquire while down');
        const err = await new Mutex(b, pathA).acquire({ timeout: 1_000 }).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(LockTimeoutError);
        step('restart');
        await Promise.all(cluster().members.map(async (m) => { await m.start(); await m.waitServing(60_000); }));
        step('serving');
        // the old sessions are expired by the restarted ensemble; then the locks work again
        const again = await new Mutex(b, pathA).acquire({ timeout: 30_000 });
        step('b acquired');
        const againC = await new Mutex(c, pathC).acquire({ timeout: 30_000 });
        expect(await childrenOf(b, pathA)).to.deep.equal([again.path.split('/').at(-1)]);
        await leaseA.release();
        await leaseC.release();
        await again.release();
        await againC.release();
      } catch (err) {
        if (err instanceof Error) err.message += `\n      F13 timeline: ${timeline.join(', ')}`;
        throw err;
      }
    });
  });
});
