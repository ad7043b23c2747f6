import { expect } from 'chai';
import { once } from 'node:events';
import {
  ClientClosedError, LockTimeoutError, Mutex, NotHeldError, ValidationError, connect, type ZkClient,
} from '../lib/index.js';
import { VERSION } from '../lib/util/version.js';
import { settleBackgroundDeletes } from '../lib/locks/engine/guaranteed-delete.js';
import { activeTimers, childrenOf, newClient, sharedConnectString, sharedServerPort, track, uniquePath, untilChildren } from './support/harness.js';
import { pollUntil } from './support/poll.js';
import { sessionsWatching } from './support/four-letter.js';
import { TcpProxy, ZkOp } from './support/tcp-proxy.js';

const NODE_RE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-\d{10}$/;

/** Clean-ups a test registers; run after it whatever its outcome. */
const closeAfterTest: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closeAfterTest.splice(0).map((fn) => fn()));
});

function opsSent(client: ZkClient): number {
  return Object.values(client.operationCounts).reduce((a, b) => a + b, 0);
}

describe('Mutex on a real ZooKeeper server', () => {
  it('creates one Curator-style protected node under container parents and removes it on release', async () => {
    const client = await newClient();
    const path = uniquePath('basic');
    const mutex = new Mutex(client, path);
    const lease = await mutex.acquire({ timeout: 5_000 });
    const children = await childrenOf(client, path);
    expect(children).to.have.length(1);
    expect(children[0]).to.match(NODE_RE);
    expect(lease.path).to.equal(`${path}/${children[0]}`);
    expect(await mutex.participants()).to.deep.equal([lease.path]);
    const { data, stat } = await client.getData(lease.path);
    expect(stat.ephemeralOwner).to.equal(client.sessionId);
    // the default data: the host's address first (as Curator writes it), then who wrote the node
    expect(data.toString()).to.match(new RegExp(`^\\d+\\.\\d+\\.\\d+\\.\\d+ zkurator/${VERSION.replace(/\./g, '\\.')} pid ${process.pid}$`));
    // the parent is persistent-like (a container: see the reaping test in rig.test.ts)
    expect((await client.getData(path)).stat.ephemeralOwner).to.equal('0');
    await lease.release();
    expect(await childrenOf(client, path)).to.deep.equal([]);
    expect(lease.released).to.equal(true);
  });

  it('excludes a second client, which gets the lock once it is released', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('exclusion');
    const held = await new Mutex(a, path).acquire({ timeout: 5_000 });
    const other = new Mutex(b, path);
    const err = await other.acquire({ timeout: 300 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect((err as LockTimeoutError).lockPath).to.equal(path);
    expect(await childrenOf(a, path)).to.deep.equal([held.path.split('/').at(-1)]);
    const waiting = track(other.acquire({ timeout: 10_000 }));
    await untilChildren(a, path, 2);
    expect(waiting.settled()).to.equal(false);
    await held.release();
    const lease = await waiting.promise;
    expect(await other.participants()).to.deep.equal([lease.path]);
    await lease.release();
  });

  it('try-lock (timeout 0) succeeds on a free lock and fails at once on a held one, leaving no node', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('trylock');
    const lease = await new Mutex(a, path).acquire({ timeout: 0 });
    const started = performance.now();
    const err = await new Mutex(b, path).acquire({ timeout: 0 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect((err as Error).message).to.match(/try-lock/);
    expect(performance.now() - started).to.be.below(2_000);
    expect(await childrenOf(a, path)).to.have.length(1);
    await lease.release();
  });

  it('F6: a timed-out acquire rejects, deletes its node and leaves no watcher or timer', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('f6');
    const held = await new Mutex(a, path).acquire();
    const timersBefore = activeTimers();
    const err = await new Mutex(b, path).acquire({ timeout: 200 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect(await childrenOf(a, path)).to.deep.equal([held.path.split('/').at(-1)]);
    expect(b.pendingWatchListeners).to.equal(0);
    expect(activeTimers()).to.equal(timersBefore);
    await held.release();
  });

  it('F7: aborting a waiter rejects with the abort reason, deletes its node, and the next waiter is not delayed', async () => {
    const [a, b, c] = await Promise.all([newClient(), newClient(), newClient()]);
    const path = uniquePath('f7');
    const held = await new Mutex(a, path).acquire();
    const controller = new AbortController();
    const bWait = track(new Mutex(b, path).acquire({ signal: controller.signal }));
    await untilChildren(a, path, 2);
    const cWait = track(new Mutex(c, path).acquire({ timeout: 20_000 }));
    await untilChildren(a, path, 3);
    const reason = new Error('shutting down');
    controller.abort(reason);
    const err = await bWait.promise.catch((e: unknown) => e);
    expect(err).to.equal(reason);
    // b's node is gone before the holder releases: c now waits on the holder directly.
    const left = await new Mutex(a, path).participants();
    expect(left).to.have.length(2);
    expect(left[0]).to.equal(held.path);
    expect(b.pendingWatchListeners).to.equal(0);
    await held.release();
    const lease = await cWait.promise;
    expect(await new Mutex(a, path).participants()).to.deep.equal([lease.path]);
    await lease.release();
  });

  it('F7: an already-aborted signal rejects before any ZooKeeper request', async () => {
    const client = await newClient();
    const before = opsSent(client);
    const reason = new Error('too late');
    const err = await new Mutex(client, uniquePath('f7b')).acquire({ signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    expect(err).to.equal(reason);
    expect(opsSent(client)).to.equal(before);
  });

  it('maxLeases 3: three hold at once; a waiter watches the node maxLeases ahead and takes its lease', async () => {
    const clients = await Promise.all([1, 2, 3, 4, 5].map(() => newClient()));
    const path = uniquePath('leases');
    const mutexes = clients.map((c) => new Mutex(c, path, { maxLeases: 3 }));
    const leases: import('../lib/index.js').Lease[] = [];
    for (const m of mutexes.slice(0, 3)) leases.push(await m.acquire({ timeout: 5_000 }));
    const fourth = track(mutexes[3]!.acquire({ timeout: 20_000 }));
    await untilChildren(clients[0]!, path, 4);
    const fifth = track(mutexes[4]!.acquire({ timeout: 20_000 }));
    await untilChildren(clients[0]!, path, 5);
    expect(fourth.settled() || fifth.settled()).to.equal(false);
    // Curator's rule: the 4th watches the 1st holder, the 5th the 2nd.
    await leases[0]!.release();
    const l4 = await fourth.promise;
    expect(fifth.settled()).to.equal(false);
    const parts = await mutexes[0]!.participants();
    expect(parts.slice(0, 3)).to.deep.equal([leases[1]!.path, leases[2]!.path, l4.path]);
    await leases[1]!.release();
    const l5 = await fifth.promise;
    for (const l of [leases[2]!, l4, l5]) await l.release();
    expect(await childrenOf(clients[0]!, path)).to.deep.equal([]);
  });

  it('pipelined first look: create and listing leave together; after a lone hold the listing tells the token, else the create\'s reply (create2); a doubt about the listing falls back to a read', async () => {
    const [client, other] = await Promise.all([newClient(), newClient()]);
    const proxy = await TcpProxy.start(sharedServerPort());
    closeAfterTest.push(() => proxy.close());
    const proxyClient = await newClient({ connectString: proxy.connectString });
    const path = uniquePath('first-look');
    const mutex = new Mutex(client, path);
    const ops = (): Record<string, number> => ({ ...client.operationCounts });
    const delta = (a: Record<string, number>, b: Record<string, number>): number[] =>
      [b.create! - a.create!, b.getChildren! - a.getChildren!, b.getData! - a.getData!];
    const tokenIsCzxid = async (lease: import('../lib/index.js').Lease): Promise<void> => {
      expect(lease.fencingToken).to.equal((await other.exists(lease.path))?.czxid);
    };

    // Hold every reply back: the client must send create and listing before hearing anything,
    // and nothing else (the token comes from the listing, or the first time from the create2 reply).
    const proxied = new Mutex(proxyClient, uniquePath('first-look-proxied'));
    await proxyClient.createContainers(proxied.path);
    let hold = proxy.holdReplies();
    const firstProxied = proxied.acquire();
    try {
      expect(await hold.untilRequests(2)).to.deep.equal([ZkOp.MULTI, ZkOp.GET_CHILDREN2]); // the checked create (lock-rights.ts)
    } finally {
      hold.release();
    }
    await (await firstProxied).release();
    hold = proxy.holdReplies();
    const secondProxied = new Mutex(proxyClient, proxied.path).acquire(); // a new lock object: no lone hold known
    try {
      expect(await hold.untilRequests(2)).to.deep.equal([ZkOp.CREATE2, ZkOp.GET_CHILDREN2]);
    } finally {
      hold.release();
    }
    const second = await secondProxied;
    expect(second.fencingToken).to.equal((await other.exists(second.path))?.czxid);
    await second.release();
    await (await proxied.acquire()).release(); // proxied now knows a lone hold
    hold = proxy.holdReplies();
    const before0 = { ...proxyClient.operationCounts };
    const pipelined = proxied.acquire();
    try {
      expect(await hold.untilRequests(2)).to.deep.equal([ZkOp.CREATE, ZkOp.GET_CHILDREN2]);
    } finally {
      hold.release();
    }
    const viaProxy = await pipelined;
    expect(delta(before0, proxyClient.operationCounts)).to.deep.equal([1, 1, 0]);
    expect(viaProxy.fencingToken).to.equal((await other.exists(viaProxy.path))?.czxid);
    await viaProxy.release();

    // First acquire of a path on this client: the checked create (a multi, whose create answers
    // with the path only), so the stat is read.
    await client.createContainers(path);
    let before = ops();
    const firstEver = await mutex.acquire();
    expect(delta(before, ops())).to.deep.equal([1, 1, 1]);
    await tokenIsCzxid(firstEver);
    await firstEver.release();

    // Alone last time, delete confirmed: the listing tells the token, no read.
    before = ops();
    const told = await mutex.acquire();
    expect(delta(before, ops())).to.deep.equal([1, 1, 0]);
    await tokenIsCzxid(told);
    await told.release();

    // Someone else created and deleted a child in between: cversion says so, the stat is read.
    await other.delete(await other.create(`${path}/zz-foreign-`, Buffer.alloc(0), 3));
    before = ops();
    const afterForeign = await mutex.acquire();
    expect(delta(before, ops())).to.deep.equal([1, 1, 1]);
    await tokenIsCzxid(afterForeign);

    // The next acquire leaves before the release's delete is confirmed: no basis, create2.
    const releasing = afterForeign.release();
    before = ops();
    const overlapping = await mutex.acquire();
    await releasing;
    expect(delta(before, ops())).to.deep.equal([1, 1, 0]);
    await tokenIsCzxid(overlapping);
    await overlapping.release();
  });

  it('the token read off a listing is the node\'s czxid in every cycle, while another client changes the children around it', async () => {
    const [client, other] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('token-churn');
    const mutex = new Mutex(client, path);
    await (await mutex.acquire()).release();
    // A foreign child named to sort after every lock node: it never blocks the mutex, but its
    // create and delete change the lock path's cversion and pzxid.
    const churn = async (): Promise<void> => {
      await other.delete(await other.create(`${path}/zz-churn-`, Buffer.alloc(0), 3));
    };
    let fromListing = 0;
    const wrong: string[] = [];
    for (let i = 0; i < 300; i++) {
      // of four cycles, two undisturbed, one with a change before our create, one with a change
      // racing our create and listing
      if (i % 4 === 2) await churn();
      const racing = i % 4 === 3 ? churn() : undefined;
      const reads = client.operationCounts.getData;
      const lease = await mutex.acquire();
      if (client.operationCounts.getData === reads) fromListing++;
      await racing;
      const czxid = (await other.exists(lease.path))?.czxid;
      if (lease.fencingToken !== czxid) wrong.push(`${lease.path}: token ${lease.fencingToken}, czxid ${czxid}`);
      await lease.release();
    }
    expect(wrong).to.deep.equal([]);
    expect(fromListing).to.be.within(50, 150); // both ways were taken
  });

  it('a lock released in its caller\'s turn never watches its own node; one kept longer does, and hears its deletion', async () => {
    const [client, other] = await Promise.all([newClient(), newClient()]);
    const mutex = new Mutex(client, uniquePath('own-watch'));
    const getData = (): number => client.operationCounts.getData;
    await (await mutex.acquire()).release(); // the first one reads and watches: nothing known yet
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.ownWatchedPaths).to.deep.equal([]);

    let before = getData();
    const quick = await mutex.acquire();
    expect(client.ownWatchedPaths).to.deep.equal([]); // not yet: the caller gets its turn first
    await quick.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(getData() - before).to.equal(0); // token from the listing, no watch request
    expect(client.ownWatchedPaths).to.deep.equal([]);

    before = getData();
    const kept = await mutex.acquire();
    await new Promise((resolve) => setImmediate(resolve)); // the hold outlives the turn
    expect(client.ownWatchedPaths).to.deep.equal([kept.path]);
    expect(getData() - before).to.equal(1); // only the watch
    const lost = once(kept.signal, 'abort');
    await other.delete(kept.path);
    await lost;
    expect((kept.signal.reason as { reason?: string }).reason).to.equal('NODE_DELETED');
    await kept.release();
    expect(client.ownWatchedPaths).to.deep.equal([]);
  });

  it('a waiter whose predecessor\'s data changes (its owner wrote into it) watches it again without a new listing, and still hears its deletion', async () => {
    const [a, b, other] = [await newClient(), await newClient(), await newClient()];
    const path = uniquePath('rewatch');
    const held = await new Mutex(a, path).acquire();
    const waiting = track(new Mutex(b, path).acquire({ timeout: 20_000 }));
    await pollUntil(async () => (await sessionsWatching(sharedServerPort(), held.path)).includes(b.sessionId), { timeoutMs: 5_000, what: 'the waiter to watch the holder' });
    const [listings, reads] = [b.operationCounts.getChildren, b.operationCounts.getData];
    await other.setData(held.path, Buffer.from('rewritten'));
    await pollUntil(() => b.operationCounts.getData === reads + 1, { timeoutMs: 5_000, what: 'the waiter to watch again' });
    expect(b.operationCounts.getChildren).to.equal(listings);
    expect(waiting.settled()).to.equal(false);
    await held.release();
    const lease = await waiting.promise;
    expect(b.operationCounts.getChildren).to.equal(listings + 1); // the look after the deletion
    await lease.release();
  });

  it('onQueued reports places ahead and the one watched node when it waits; if it throws, the acquire stops cleanly', async () => {
    const [a, b, c] = await Promise.all([newClient(), newClient(), newClient()]);
    const path = uniquePath('queued');
    const first = await new Mutex(a!, path).acquire();
    const second = new Mutex(b!, path).acquire();
    await untilChildren(a!, path, 2);
    const seen: Array<{ ahead: number; watching: string }> = [];
    const third = track(new Mutex(c!, path).acquire({ onQueued: (p) => seen.push({ ahead: p.ahead, watching: p.watching }) }));
    await pollUntil(() => seen.length === 1, { timeoutMs: 5_000, what: 'first onQueued' });
    await first.release();
    const secondLease = await second;
    // the third watches the second only, so the first's release did not wake it (no herd)
    expect(seen).to.deep.equal([{ ahead: 2, watching: secondLease.path }]);
    expect(third.settled()).to.equal(false);
    await secondLease.release();
    await (await third.promise).release();
    expect(seen).to.have.length(1);

    const held = await new Mutex(a!, path).acquire();
    const boom = new Error('progress display failed');
    const failing = new Mutex(b!, path).acquire({ onQueued: () => { throw boom; } });
    expect(await failing.catch((e: unknown) => e)).to.equal(boom);
    expect(b!.pendingWatchListeners).to.equal(0);
    expect(await childrenOf(a!, path)).to.deep.equal([held.path.slice(path.length + 1)]);
    await held.release();
  });

  describe('re-entrancy per async flow', () => {
    it('a nested acquire inside withLock re-enters on the same node; the node goes with the last hold', async () => {
      const [a, b] = await Promise.all([newClient(), newClient()]);
      const path = uniquePath('reentrant');
      const mutex = new Mutex(a, path);
      await mutex.withLock(async (outer) => {
        expect(mutex.isHeldByCurrentFlow()).to.equal(true);
        const inner = await mutex.acquire({ timeout: 0 });
        expect(inner.path).to.equal(outer.path);
        await mutex.withLock(async (deeper) => {
          expect(deeper.path).to.equal(outer.path);
        });
        expect(await childrenOf(a, path)).to.have.length(1);
        await inner.release();
        // still held by the outer hold: another client cannot get in
        const err = await new Mutex(b, path).acquire({ timeout: 0 }).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(LockTimeoutError);
        expect(await childrenOf(a, path)).to.have.length(1);
      });
      expect(mutex.isHeldByCurrentFlow()).to.equal(false);
      expect(await childrenOf(a, path)).to.deep.equal([]);
    });

    it('another concurrent flow on the same instance waits for its own node', async () => {
      const client = await newClient();
      const path = uniquePath('flows');
      const mutex = new Mutex(client, path);
      const order: string[] = [];
      let releaseFirst!: () => void;
      const firstMayEnd = new Promise<void>((r) => { releaseFirst = r; });
      const first = mutex.withLock(async () => {
        order.push('first in');
        await firstMayEnd;
        order.push('first out');
      });
      await pollUntil(() => order.length === 1, { timeoutMs: 5_000, what: 'first flow inside' });
      const second = track(mutex.withLock(async () => { order.push('second in'); }, { timeout: 10_000 }));
      await untilChildren(client, path, 2);
      expect(second.settled()).to.equal(false);
      releaseFirst();
      await first;
      await second.promise;
      expect(order).to.deep.equal(['first in', 'first out', 'second in']);
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });
  });

  describe('F16: bad releases', () => {
    it('double release rejects with NotHeldError and deletes nothing else', async () => {
      const [a, b] = await Promise.all([newClient(), newClient()]);
      const path = uniquePath('f16');
      const lease = await new Mutex(a, path).acquire();
      await lease.release();
      const other = await new Mutex(b, path).acquire({ timeout: 5_000 });
      const err = await lease.release().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NotHeldError);
      expect((err as Error).message).to.match(/already released/);
      expect(await new Mutex(a, path).participants()).to.deep.equal([other.path]);
      await other.release();
    });

    it('release() from a flow that does not hold rejects with NotHeldError; the holder keeps its node and count', async () => {
      const client = await newClient();
      const path = uniquePath('f16b');
      const mutex = new Mutex(client, path);
      const err0 = await mutex.release().catch((e: unknown) => e);
      expect(err0).to.be.instanceOf(NotHeldError);
      let holderMayEnd!: () => void;
      const gate = new Promise<void>((r) => { holderMayEnd = r; });
      let inside!: () => void;
      const entered = new Promise<void>((r) => { inside = r; });
      const holder = mutex.withLock(async () => {
        await mutex.acquire(); // count 2
        inside();
        await gate;
        expect(mutex.isHeldByCurrentFlow()).to.equal(true);
        await mutex.release(); // count 1
        expect(mutex.isHeldByCurrentFlow()).to.equal(true);
      });
      await entered;
      const err = await mutex.release().catch((e: unknown) => e); // another flow
      expect(err).to.be.instanceOf(NotHeldError);
      expect(await childrenOf(client, path)).to.have.length(1);
      holderMayEnd();
      await holder;
      expect(await childrenOf(client, path)).to.deep.equal([]);
      expect(await mutex.release().catch((e: unknown) => e)).to.be.instanceOf(NotHeldError);
    });
  });

  describe('F17: bad input is rejected before any ZooKeeper request', () => {
    const badPaths = ['', 'a', '/a/', '/a//b', '/a/../b', '/a\u0000b', '/zookeeper/locks', '/zookeeper'];
    for (const bad of badPaths) {
      it(`path ${JSON.stringify(bad)}`, async () => {
        const client = await newClient();
        const before = opsSent(client);
        expect(() => new Mutex(client, bad)).to.throw(ValidationError);
        expect(opsSent(client)).to.equal(before);
      });
    }
    for (const bad of [0, -1, 1.5, NaN]) {
      it(`maxLeases ${bad}`, async () => {
        const client = await newClient();
        expect(() => new Mutex(client, '/ok', { maxLeases: bad })).to.throw(ValidationError, /maxLeases/);
        expect(opsSent(client)).to.equal(0);
      });
    }
    for (const bad of [-1, NaN]) {
      it(`timeout ${bad}`, async () => {
        const client = await newClient();
        const mutex = new Mutex(client, uniquePath('f17'));
        const err = await mutex.acquire({ timeout: bad }).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(ValidationError);
        const err2 = await mutex.withLock(() => undefined, { timeout: bad }).catch((e: unknown) => e);
        expect(err2).to.be.instanceOf(ValidationError);
        expect(opsSent(client)).to.equal(0);
      });
    }
    it('a client that is not a ZkClient, and a bad connect string', async () => {
      expect(() => new Mutex({} as ZkClient, '/ok')).to.throw(ValidationError);
      const err = await connect('').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ValidationError);
    });
  });

  it('F18: a foreign child counts like in Curator: sorted by its whole name, never a hang or crash', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('f18');
    await a.createContainers(path);
    // "junk" sorts after every "0000000123" key: it does not block us.
    await a.create(`${path}/junk`, Buffer.from('x'), 0);
    const lease = await new Mutex(b, path).acquire({ timeout: 5_000 });
    expect(await new Mutex(b, path).participants()).to.deep.equal([lease.path, `${path}/junk`]);
    await lease.release();
    // "0" sorts before every sequence: it acts as a holder; we time out cleanly...
    await a.create(`${path}/0`, Buffer.alloc(0), 0);
    const err = await new Mutex(b, path).acquire({ timeout: 300 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect((await childrenOf(a, path)).sort()).to.deep.equal(['0', 'junk']);
    // ...and get the lock once it is removed, through the watch on it.
    const waiting = track(new Mutex(b, path).acquire({ timeout: 10_000 }));
    await pollUntil(() => b.pendingWatchListeners === 1, { timeoutMs: 5_000, what: 'watch on the foreign node' });
    await a.delete(`${path}/0`);
    const got = await waiting.promise;
    await got.release();
    await a.delete(`${path}/junk`);
  });

  describe('F19: closing the client', () => {
    it('rejects pending acquires at once with ClientClosedError and leaves nothing running', async () => {
      const holder = await newClient();
      const path = uniquePath('f19');
      const held = await new Mutex(holder, path).acquire();
      const client = await connect(sharedConnectString(), { sessionTimeout: 6_000 });
      const timersBefore = activeTimers();
      const waits = [1, 2, 3].map(() => track(new Mutex(client, path).acquire({ timeout: 30_000 })));
      await untilChildren(holder, path, 4);
      const started = performance.now();
      await client.close();
      for (const w of waits) expect(await w.promise.catch((e: unknown) => e)).to.be.instanceOf(ClientClosedError);
      expect(performance.now() - started).to.be.below(1_000);
      expect(client.pendingWatchListeners).to.equal(0);
      await settleBackgroundDeletes(client);
      expect(activeTimers()).to.be.at.most(timersBefore);
      // the closed session's nodes are gone; only the holder remains
      expect(await new Mutex(holder, path).participants()).to.deep.equal([held.path]);
      const err = await new Mutex(client, path).acquire().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ClientClosedError);
      await held.release();
    });

    it('closing while holding frees the lock for others; a later release does not throw', async () => {
      const other = await newClient();
      const path = uniquePath('f19b');
      const client = await connect(sharedConnectString(), { sessionTimeout: 6_000 });
      const lease = await new Mutex(client, path).acquire();
      const waiting = track(new Mutex(other, path).acquire({ timeout: 10_000 }));
      await untilChildren(other, path, 2);
      const states: string[] = [];
      client.on('state', (s) => states.push(s));
      await client.close();
      expect(states).to.deep.equal(['CLOSED']);
      const got = await waiting.promise;
      await lease.release();
      expect(await new Mutex(other, path).participants()).to.deep.equal([got.path]);
      await got.release();
    });
  });

  it('F9: 50 waiters, each hand-off re-reads the children exactly once, in sequence order', async function () {
    this.timeout(120_000);
    const path = uniquePath('f9');
    const holderClient = await newClient();
    const clients = await Promise.all(Array.from({ length: 5 }, () => newClient()));
    const first = await new Mutex(holderClient, path).acquire();
    const acquiredOrder: string[] = [];
    const acquired: Array<import('../lib/index.js').Lease> = [];
    let onAcquired: (() => void) | undefined;
    for (let i = 0; i < 50; i++) {
      const mutex = new Mutex(clients[i % clients.length]!, path);
      void mutex.acquire({ timeout: 90_000 }).then((l) => {
        acquiredOrder.push(l.path);
        acquired.push(l);
        onAcquired?.();
      });
    }
    const nextAcquired = async (): Promise<import('../lib/index.js').Lease> => {
      while (acquired.length === 0) await new Promise<void>((r) => { onAcquired = r; });
      return acquired.shift()!;
    };
    const listings = (): number => clients.reduce((n, c) => n + c.operationCounts.getChildren, 0);
    await pollUntil(() => clients.reduce((n, c) => n + c.pendingWatchListeners, 0) === 50,
      { timeoutMs: 20_000, what: '50 waiters watching' });
    const queued = (await new Mutex(holderClient, path).participants()).slice(1);
    expect(queued).to.have.length(50);
    const baseline = listings();
    await first.release();
    for (let k = 0; k < 50; k++) {
      const lease = await nextAcquired();
      // at the moment of each hand-off exactly one more listing happened in all
      expect(listings()).to.equal(baseline + k + 1);
      await lease.release();
    }
    expect(acquiredOrder).to.deep.equal(queued);
    expect(listings()).to.equal(baseline + 50);
    expect(await childrenOf(holderClient, path)).to.deep.equal([]);
  });
});

describe('ZkClient states', () => {
  it('reports CLOSED once and rejects requests after close', async () => {
    const client = await connect(sharedConnectString());
    const seen: string[] = [];
    client.on('state', (s) => seen.push(s));
    const closed = once(client, 'state');
    await client.close();
    await closed;
    expect(seen).to.deep.equal(['CLOSED']);
    expect(await client.getChildren('/').catch((e: unknown) => e)).to.be.instanceOf(ClientClosedError);
  });
});
