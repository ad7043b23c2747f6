// MultiLock (Curator's InterProcessMultiLock) on the shared server: all or none within one
// deadline and signal, what was taken given back on a partial failure (no node of ours left),
// release of every member even when one fails, mixed recipes, no deadlock between multi-locks
// listing the same paths in opposite orders (and Curator's listed order shown to deadlock),
// and an expired session while holding or while waiting on one of the locks.
import { expect } from 'chai';
import {
  LockTimeoutError, MultiLock, MultiLockError, Mutex, NotHeldError, ReadWriteLock, ValidationError,
  type MultiLockLease, type MultiLockMember, type ZkClient,
} from '../lib/index.js';
import { expireSession } from './support/expire-session.js';
import { childrenOf, newClient, sharedConnectString, track, uniquePath, untilChildren } from './support/harness.js';
import { nextState, proxiedClient } from './support/proxied-client.js';
import { pollUntil } from './support/poll.js';
import { LOCK_CREATE_OPS, type TcpProxy } from './support/tcp-proxy.js';
import { ZkCluster } from './support/zk-server.js';

const proxies: TcpProxy[] = [];

/** Nodes under each path owned by `client`'s current session, or by any of `sessions`. */
async function nodesOf(observer: ZkClient, paths: readonly string[], sessions: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const p of paths) {
    for (const c of await childrenOf(observer, p)) {
      const stat = await observer.exists(`${p}/${c}`);
      if (stat && sessions.includes(stat.ephemeralOwner)) found.push(`${p}/${c}`);
    }
  }
  return found;
}

/** A member that records when its lock was taken (to prove a partial acquire happened). */
function recorded(member: MultiLockMember, log: string[]): MultiLockMember {
  return {
    path: member.path,
    acquire: async (options) => {
      const lease = await member.acquire(options);
      log.push(`took ${member.path}`);
      return lease;
    },
  };
}

describe('MultiLock', function () {
  this.timeout(30_000);

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('takes every lock (paths, a read lock, a write lock, a v1 semaphore) and releases them all; others are shut out meanwhile', async () => {
    const c = await newClient();
    const other = await newClient();
    const base = uniquePath('multi');
    const rwRead = new ReadWriteLock(c, `${base}/rw-r`);
    const rwWrite = new ReadWriteLock(c, `${base}/rw-w`);
    const multi = new MultiLock(c, [`${base}/m`, rwRead.readLock, rwWrite.writeLock, new Mutex(c, `${base}/sem`, { maxLeases: 2 })]);
    expect(multi.paths).to.deep.equal([`${base}/m`, `${base}/rw-r`, `${base}/rw-w`, `${base}/sem`]);
    const lease = await multi.acquire({ timeout: 5_000 });
    expect(lease.status).to.equal('held');
    expect(lease.leases).to.have.length(4);
    expect(await new Mutex(other, `${base}/m`).tryAcquire()).to.equal(null);
    expect(await new ReadWriteLock(other, `${base}/rw-w`).readLock.tryAcquire()).to.equal(null);
    const reader = await new ReadWriteLock(other, `${base}/rw-r`).readLock.tryAcquire(); // readers share
    expect(reader).to.not.equal(null);
    await reader!.release();
    const semLease = await new Mutex(other, `${base}/sem`, { maxLeases: 2 }).tryAcquire(); // one of 2 leases left
    expect(semLease).to.not.equal(null);
    await semLease!.release();
    expect(lease.signal.aborted).to.equal(false);
    await lease.release();
    expect(lease.status).to.equal('released');
    expect(await nodesOf(other, multi.paths, [c.sessionId])).to.deep.equal([]);
    expect(await lease.release().catch((e: unknown) => e)).to.be.instanceOf(NotHeldError);
  });

  it('a member may give several leases (as a semaphore\'s acquire does): all are held and released, and given back on failure', async () => {
    const c = await newClient();
    const other = await newClient();
    const base = uniquePath('multi-array');
    const pair: MultiLockMember = {
      path: `${base}/pair`,
      acquire: async (o) => [await new Mutex(c, `${base}/pair/1`).acquire(o), await new Mutex(c, `${base}/pair/2`).acquire(o)],
    };
    const multi = new MultiLock(c, [pair, `${base}/z`]);
    const lease = await multi.acquire({ timeout: 5_000 });
    expect(lease.leases).to.have.length(3);
    expect(await nodesOf(other, [`${base}/pair/1`, `${base}/pair/2`, `${base}/z`], [c.sessionId])).to.have.length(3);
    await lease.release();
    const blocker = await new Mutex(other, `${base}/z`).acquire();
    expect(await multi.tryAcquire()).to.equal(null);
    expect(await nodesOf(other, [`${base}/pair/1`, `${base}/pair/2`, `${base}/z`], [c.sessionId])).to.deep.equal([]);
    await blocker.release();
  });

  it('a lock held by someone else: the acquire times out within its one deadline, gives back what it took, and leaves no node of ours', async () => {
    const c = await newClient();
    const other = await newClient();
    const base = uniquePath('multi-partial');
    const log: string[] = [];
    const paths = [`${base}/a`, `${base}/b`, `${base}/c`];
    const blocker = await new Mutex(other, `${base}/b`).acquire();
    const multi = new MultiLock(c, paths.map((p) => recorded(new Mutex(c, p), log)));
    const started = performance.now();
    const err = await multi.acquire({ timeout: 400 }).catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect((err as LockTimeoutError).lockPath).to.equal(`${base}/b`);
    expect((err as LockTimeoutError).timeoutMs).to.equal(400);
    expect(took).to.be.within(350, 3_000);
    expect(log).to.deep.equal([`took ${base}/a`]); // /a was taken, then given back
    expect(await nodesOf(other, paths, [c.sessionId])).to.deep.equal([]);
    expect(await multi.tryAcquire()).to.equal(null);
    expect(await nodesOf(other, paths, [c.sessionId])).to.deep.equal([]);
    await blocker.release();
    const lease = await multi.tryAcquire();
    expect(lease).to.not.equal(null);
    await lease!.release();
  });

  it('an abort while waiting on the second lock rejects with its reason and leaves nothing', async () => {
    const c = await newClient();
    const other = await newClient();
    const base = uniquePath('multi-abort');
    const blocker = await new Mutex(other, `${base}/b`).acquire();
    const ac = new AbortController();
    const multi = new MultiLock(c, [`${base}/b`, `${base}/a`]); // sorted: /a first
    const waiting = track(multi.acquire({ signal: ac.signal }));
    await untilChildren(other, `${base}/b`, 2);
    const reason = new Error('stop');
    ac.abort(reason);
    expect(await waiting.promise.catch((e: unknown) => e)).to.equal(reason);
    expect(await nodesOf(other, multi.paths, [c.sessionId])).to.deep.equal([]);
    expect(c.pendingWatchListeners).to.equal(0);
    await blocker.release();
  });

  it('release attempts every lock even if one fails, and reports the failures together', async () => {
    const c = await newClient();
    const base = uniquePath('multi-release');
    const failing: MultiLockMember = {
      path: `${base}/x`,
      acquire: async () => ({ release: () => Promise.reject(new Error('cannot give x back')) }),
    };
    const multi = new MultiLock(c, [`${base}/a`, failing, `${base}/z`]);
    const lease = await multi.acquire({ timeout: 5_000 });
    const err = await lease.release().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MultiLockError);
    expect((err as MultiLockError).errors.map((e) => (e as Error).message)).to.deep.equal(['cannot give x back']);
    expect(await nodesOf(c, [`${base}/a`, `${base}/z`], [c.sessionId])).to.deep.equal([]);
  });

  it('a failed give-back during a failed acquire is reported with the acquire error first', async () => {
    const c = await newClient();
    const other = await newClient();
    const base = uniquePath('multi-cleanup');
    const first: MultiLockMember = { path: `${base}/a`, acquire: async (): Promise<MultiLockLease> => ({ release: () => Promise.reject(new Error('stuck')) }) };
    const blocker = await new Mutex(other, `${base}/b`).acquire();
    const err = await new MultiLock(c, [first, `${base}/b`]).acquire({ timeout: 0 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MultiLockError);
    const errors = (err as MultiLockError).errors;
    expect(errors[0]).to.be.instanceOf(LockTimeoutError);
    expect((errors[1] as Error).message).to.equal('stuck');
    expect((err as MultiLockError).cause).to.equal(errors[0]);
    await blocker.release();
  });

  it('no deadlock: two multi-locks listing the same paths in opposite orders, concurrently, many rounds; never held twice at once', async () => {
    const c1 = await newClient();
    const c2 = await newClient();
    const base = uniquePath('multi-order');
    const x = `${base}/x`;
    const y = `${base}/y`;
    let holders = 0;
    let maxHolders = 0;
    const rounds = 25;
    const run = async (client: ZkClient, paths: string[]): Promise<void> => {
      const multi = new MultiLock(client, paths);
      for (let i = 0; i < rounds; i++) {
        await multi.withLock(async () => {
          holders++;
          maxHolders = Math.max(maxHolders, holders);
          await new Promise<void>((resolve) => { setImmediate(resolve); }); // let the other side run
          holders--;
        }, { timeout: 15_000 }); // a deadlock would end in LockTimeoutError
      }
    };
    await Promise.all([run(c1, [x, y]), run(c2, [y, x]), run(c1, [y, x]), run(c2, [x, y])]);
    expect(maxHolders).to.equal(1);
    expect(await nodesOf(c1, [x, y], [c1.sessionId, c2.sessionId])).to.deep.equal([]);
  });

  it("order 'given' (Curator's way) can deadlock: each side holds its first lock and waits for the other's; only a timeout breaks it, and nothing is left", async () => {
    const c1 = await newClient();
    const c2 = await newClient();
    const base = uniquePath('multi-given');
    const x = `${base}/x`;
    const y = `${base}/y`;
    // Each side's second lock waits until both sides hold their first: the classic interleaving.
    let firstTaken = 0;
    let bothTaken!: () => void;
    const barrier = new Promise<void>((resolve) => { bothTaken = resolve; });
    const side = (client: ZkClient, first: string, second: string): MultiLock => new MultiLock(client, [
      { path: first, acquire: async (o) => { const l = await new Mutex(client, first).acquire(o); if (++firstTaken === 2) bothTaken(); return l; } },
      { path: second, acquire: async (o) => { await barrier; return new Mutex(client, second).acquire(o); } },
    ], { order: 'given' });
    const settled = Promise.all([
      side(c1, x, y).acquire({ timeout: 3_000 }).catch((e: unknown) => e),
      side(c2, y, x).acquire({ timeout: 3_000 }).catch((e: unknown) => e),
    ]);
    // The cycle: each lock has a holder and, queued behind it, the other side.
    await barrier;
    await pollUntil(async () => (await nodesOf(c1, [x, y], [c1.sessionId, c2.sessionId])).length === 4,
      { timeoutMs: 10_000, what: 'both sides holding one lock and queued on the other' });
    const results = await settled;
    // Only a deadline ends it: the side whose deadline passes first gives its lock back, and the
    // other (still within its own deadline) may then complete. At least one must time out.
    const timedOut = results.filter((r) => r instanceof LockTimeoutError);
    expect(timedOut.length, String(results)).to.be.at.least(1);
    for (const r of results) {
      if (!(r instanceof LockTimeoutError)) await (r as MultiLockLease).release();
    }
    expect(await nodesOf(c1, [x, y], [c1.sessionId, c2.sessionId])).to.deep.equal([]);
  });

  it('bad input is a ValidationError before any request', async () => {
    const c = await newClient();
    const base = uniquePath('multi-bad');
    const before = { ...c.operationCounts };
    expect(() => new MultiLock(c, [])).to.throw(ValidationError, /non-empty/);
    expect(() => new MultiLock(c, 'x' as unknown as string[])).to.throw(ValidationError);
    expect(() => new MultiLock({} as ZkClient, [`${base}/a`])).to.throw(ValidationError);
    expect(() => new MultiLock(c, [`${base}/a`, `${base}/a`])).to.throw(ValidationError, /twice/);
    const rw = new ReadWriteLock(c, `${base}/rw`);
    expect(() => new MultiLock(c, [rw.readLock, rw.writeLock])).to.throw(ValidationError, /twice/);
    expect(() => new MultiLock(c, ['relative'])).to.throw(ValidationError);
    expect(() => new MultiLock(c, [{ path: 'x' } as unknown as MultiLockMember])).to.throw(ValidationError, /member 0/);
    expect(() => new MultiLock(c, [`${base}/a`], { order: 'random' as 'path' })).to.throw(ValidationError, /order/);
    const multi = new MultiLock(c, [`${base}/a`]);
    expect(await multi.acquire({ timeout: -1 }).catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
    expect(await multi.acquire({ signal: 'x' as unknown as AbortSignal }).catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
    expect(await multi.withLock('x' as unknown as () => void).catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
    expect(c.operationCounts).to.deep.equal(before);
  });

  it('an expired session while holding: the multi-lease reports the loss, release is quiet, nothing of ours is left', async () => {
    const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 2_000 });
    const other = await newClient();
    const base = uniquePath('multi-expire-hold');
    const multi = new MultiLock(client, [`${base}/a`, `${base}/b`]);
    const lease = await multi.acquire({ timeout: 5_000 });
    const signal = lease.signal;
    const oldSession = client.sessionId;
    const lost = nextState(client, 'LOST');
    await expireSession(client, proxy, sharedConnectString());
    await lost;
    expect(signal.aborted).to.equal(true);
    expect(lease.status).to.equal('lost');
    await lease.release(); // releasing lost leases deletes nothing and does not throw
    expect(await nodesOf(other, multi.paths, [oldSession, client.sessionId])).to.deep.equal([]);
    const again = await new MultiLock(other, multi.paths).tryAcquire();
    expect(again).to.not.equal(null);
    await again!.release();
  });

  it('an expired session while holding one lock and waiting on another: the acquire starts over on the new session; one node of ours per path, none of the old session', async () => {
    const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 2_000 });
    const other = await newClient();
    const base = uniquePath('multi-expire-wait');
    const blocker = await new Mutex(other, `${base}/b`).acquire();
    const multi = new MultiLock(client, [`${base}/a`, `${base}/b`]);
    const waiting = track(multi.acquire({ timeout: 20_000 }));
    await untilChildren(other, `${base}/b`, 2); // /a taken, queued on /b
    const oldSession = client.sessionId;
    const lost = nextState(client, 'LOST');
    await expireSession(client, proxy, sharedConnectString());
    await lost;
    // Started over on the new session: /a taken again, queued again on /b.
    await pollUntil(async () => (await nodesOf(other, multi.paths, [client.sessionId])).length === 2, { timeoutMs: 10_000, what: 'the new session queued' });
    expect(await nodesOf(other, multi.paths, [oldSession])).to.deep.equal([]);
    expect(waiting.settled()).to.equal(false);
    await blocker.release();
    const lease = await waiting.promise;
    expect(lease.status).to.equal('held');
    const ours = await nodesOf(other, multi.paths, [client.sessionId]);
    expect(ours.map((n) => n.slice(0, n.lastIndexOf('/')))).to.deep.equal(multi.paths);
    expect(ours).to.deep.equal(lease.leases.map((l) => (l as { path?: string }).path));
    await lease.release();
    expect(await nodesOf(other, multi.paths, [oldSession, client.sessionId])).to.deep.equal([]);
  });

  it('a lost create reply for the second lock: adopted by its protected prefix, one node of ours per path, same session', async () => {
    const { proxy, client } = await proxiedClient(proxies);
    const other = await newClient();
    const base = uniquePath('multi-lost-reply');
    const [a, b] = [`${base}/a`, `${base}/b`];
    await client.createContainers(a);
    await client.createContainers(b); // so the lock node's create is the next create sent
    let cut: Promise<void> | undefined;
    const second: MultiLockMember = {
      path: b,
      acquire: (o) => {
        cut = proxy.cutAfterReply(LOCK_CREATE_OPS, { reopen: true });
        return new Mutex(client, b).acquire(o);
      },
    };
    const lease = await new MultiLock(client, [a, second]).acquire({ timeout: 20_000 });
    await cut;
    expect(client.sessionGeneration).to.equal(0); // adopted, not re-created on a new session
    const ours = await nodesOf(other, [a, b], [client.sessionId]);
    expect(ours).to.deep.equal(lease.leases.map((l) => (l as { path?: string }).path));
    expect(await childrenOf(other, a)).to.have.length(1);
    expect(await childrenOf(other, b)).to.have.length(1);
    await lease.release();
    expect(await nodesOf(other, [a, b], [client.sessionId])).to.deep.equal([]);
  });

  describe('server restart', () => {
    let server: ZkCluster | undefined;
    after(async () => {
      await server?.destroy();
    });

    it('holding one lock and waiting on another across a server restart: the sessions survive, the acquire completes, nothing is left', async function () {
      this.timeout(90_000);
      server = await ZkCluster.standalone();
      const opts = { connectString: server.connectString, sessionTimeout: 20_000, lossPolicy: 'lost' as const };
      const [client, other] = await Promise.all([newClient(opts), newClient(opts)]);
      const base = uniquePath('multi-restart');
      const blocker = await new Mutex(other, `${base}/b`).acquire();
      const multi = new MultiLock(client, [`${base}/a`, `${base}/b`]);
      const waiting = track(multi.acquire({ timeout: 60_000 }));
      await untilChildren(other, `${base}/b`, 2);
      const sessions = [client.sessionId, other.sessionId];
      const back = Promise.all([nextState(client, 'RECONNECTED'), nextState(other, 'RECONNECTED')]);
      await server.members[0]!.stop('SIGKILL');
      await server.restart(1);
      await back;
      expect([client.sessionId, other.sessionId]).to.deep.equal(sessions);
      expect(waiting.settled()).to.equal(false);
      await blocker.release();
      const lease = await waiting.promise;
      expect(lease.status).to.equal('held');
      expect(await nodesOf(other, multi.paths, [client.sessionId])).to.deep.equal(lease.leases.map((l) => (l as { path?: string }).path));
      await lease.release();
      expect(await nodesOf(other, multi.paths, sessions)).to.deep.equal([]);
    });
  });
});
