// Semaphore (Curator's InterProcessSemaphoreV2), SemaphoreMutex and SharedCount on a real
// server: the locks/ + leases/ layout, all-or-none acquires with one deadline, waiters woken
// by a release or by a change of the shared count, and bad input refused before any request.
import { expect } from 'chai';
import {
  LockTimeoutError, NotHeldError, Semaphore, SemaphoreMutex, SharedCount, ValidationError, WouldDeadlockError, type ZkClient,
} from '../lib/index.js';
import { decodeCount } from '../lib/locks/shared-count.js';
import { localAddressData } from '../lib/framework/local-address.js';
import { childrenOf, newClient, track, uniquePath, untilChildren } from './support/harness.js';
import { pollUntil } from './support/poll.js';

const LEASE_RE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lease-\d{10}$/;

function sentRequests(client: ZkClient): number {
  return Object.values(client.operationCounts).reduce((a, b) => a + b, 0);
}

describe('Semaphore (InterProcessSemaphoreV2), SemaphoreMutex, SharedCount', function () {
  this.timeout(30_000);

  it('layout: leases are protected ephemeral-sequential lease- nodes under leases/, the locks/ mutex is released; participants carry the data', async () => {
    const client = await newClient();
    const other = await newClient();
    const path = uniquePath('sem-layout');
    const sem = new Semaphore(client, path, { maxLeases: 3 });
    const leases = await sem.acquire({ count: 2, timeout: 5_000 });
    expect(leases).to.have.length(2);
    const names = await childrenOf(other, `${path}/leases`);
    expect(names.sort()).to.deep.equal(leases.map((l) => l.nodeName).sort());
    for (const name of names) expect(name).to.match(LEASE_RE);
    expect(await childrenOf(other, `${path}/locks`)).to.deep.equal([]);
    for (const lease of leases) {
      expect((await other.exists(lease.path))?.ephemeralOwner).to.equal(client.sessionId);
      expect(lease.fencingToken > 0n).to.equal(true);
      expect(lease.status).to.equal('held');
      expect((await lease.getData()).equals(localAddressData())).to.equal(true);
    }
    const tagged = new Semaphore(other, path, { maxLeases: 3, nodeData: Buffer.from('worker-7') });
    const [third] = await tagged.acquire({ timeout: 5_000 });
    const seen = await sem.participants();
    expect(seen.map((p) => p.name)).to.deep.equal([...leases.map((l) => l.nodeName), third!.nodeName]); // sequence order
    expect(seen[2]!.data?.toString()).to.equal('worker-7');
    await third!.release();
    await leases[0]!.release();
    await leases[1]!.release();
    expect(await childrenOf(other, `${path}/leases`)).to.deep.equal([]);
    expect(await sem.participants()).to.deep.equal([]);
    expect(await new Semaphore(client, uniquePath('never-used'), { maxLeases: 1 }).participants()).to.deep.equal([]);
  });

  it('never more than maxLeases: a waiter gets a lease when any holder returns one, and leaves nothing on timeout', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('sem-wait');
    const first = await new Semaphore(a, path, { maxLeases: 2 }).acquire({ count: 2 });
    const err = await new Semaphore(b, path, { maxLeases: 2 }).acquire({ timeout: 300 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect(await childrenOf(a, `${path}/leases`)).to.have.length(2);
    expect(await childrenOf(a, `${path}/locks`)).to.deep.equal([]);
    expect(b.pendingWatchListeners).to.equal(0);
    const waiting = track(new Semaphore(b, path, { maxLeases: 2 }).acquire({ timeout: 20_000 }));
    await untilChildren(a, `${path}/leases`, 3);
    expect(waiting.settled()).to.equal(false);
    await first[1]!.release(); // the later one: Curator's V2 counts leases, not order
    const [got] = await waiting.promise;
    expect(await childrenOf(a, `${path}/leases`)).to.have.members([first[0]!.nodeName, got!.nodeName]);
    await first[0]!.release();
    await got!.release();
  });

  it('all or none: a count that cannot be met in time releases what it took (timeout and abort)', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('sem-partial');
    const [held] = await new Semaphore(a, path, { maxLeases: 3 }).acquire();
    const sem = new Semaphore(b, path, { maxLeases: 3 });
    const err = await sem.acquire({ count: 3, timeout: 400 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect(await childrenOf(a, `${path}/leases`)).to.deep.equal([held!.nodeName]);
    const controller = new AbortController();
    const aborting = track(sem.acquire({ count: 3, signal: controller.signal }));
    await untilChildren(a, `${path}/leases`, 4); // three taken, the third waiting for room
    controller.abort(new Error('stop'));
    const reason = await aborting.promise.catch((e: unknown) => e);
    expect((reason as Error).message).to.equal('stop');
    expect(await childrenOf(a, `${path}/leases`)).to.deep.equal([held!.nodeName]);
    expect(await childrenOf(a, `${path}/locks`)).to.deep.equal([]);
    expect(await sem.tryAcquire({ count: 3 })).to.equal(null);
    const two = await sem.tryAcquire({ count: 2 });
    expect(two).to.have.length(2);
    await Promise.all([...two!, held!].map((l) => l.release()));
  });

  it('SharedCount: Curator\'s 4-byte big-endian node; raising the count wakes a waiter; trySetCount refuses a stale version', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('sem-count');
    const countPath = `${path}-count`;
    const countA = new SharedCount(a, countPath, 1);
    const countB = new SharedCount(b, countPath, 99); // the node exists by then: the seed is not used
    await countA.start();
    await countB.start();
    try {
      expect((await a.getData(countPath)).data).to.deep.equal(Buffer.from([0, 0, 0, 1]));
      expect(countB.count).to.equal(1);
      const [held] = await new Semaphore(a, path, { sharedCount: countA }).acquire();
      const waiting = track(new Semaphore(b, path, { sharedCount: countB }).acquire({ timeout: 20_000 }));
      await untilChildren(a, `${path}/leases`, 2);
      expect(waiting.settled()).to.equal(false);
      const seen = new Promise<number>((resolve) => countB.once('change', resolve));
      await countA.setCount(2);
      expect(await seen).to.equal(2);
      const [got] = await waiting.promise;
      expect(decodeCount((await a.getData(countPath)).data)).to.equal(2);
      const stale = { version: 0, count: 1 };
      expect(await countB.trySetCount(stale, 5)).to.equal(false);
      expect(await countB.trySetCount(countB.versionedCount, 3)).to.equal(true);
      await pollUntil(() => countA.count === 3, { timeoutMs: 5_000, what: 'count 3 seen by A' });
      await held!.release();
      await got!.release();
    } finally {
      countA.close();
      countB.close();
    }
    expect(a.pendingWatchListeners + b.pendingWatchListeners).to.equal(0);
  });

  it('lease node deleted by someone else: a waiter creates a new one and still gets in; a holder\'s lease reports NODE_DELETED', async () => {
    const [a, b, admin] = await Promise.all([newClient(), newClient(), newClient()]);
    const path = uniquePath('sem-deleted');
    const [held] = await new Semaphore(a, path, { maxLeases: 1 }).acquire();
    const waiting = track(new Semaphore(b, path, { maxLeases: 1 }).acquire({ timeout: 20_000 }));
    await untilChildren(admin, `${path}/leases`, 2);
    const waiterNode = (await childrenOf(admin, `${path}/leases`)).find((n) => n !== held!.nodeName)!;
    await admin.delete(`${path}/leases/${waiterNode}`);
    await pollUntil(async () => {
      const nodes = await childrenOf(admin, `${path}/leases`);
      return nodes.length === 2 && !nodes.includes(waiterNode);
    }, { timeoutMs: 5_000, what: 'the waiter queued again with a new lease node' });
    expect(waiting.settled()).to.equal(false);
    const lost = new Promise<unknown>((resolve) => held!.signal.addEventListener('abort', () => resolve(held!.signal.reason), { once: true }));
    await admin.delete(held!.path); // an operator removes the holder's lease: the waiter gets it
    expect((await lost as { reason: string }).reason).to.equal('NODE_DELETED');
    const [got] = await waiting.promise;
    await held!.release(); // lost: deletes nothing
    expect(await childrenOf(admin, `${path}/leases`)).to.deep.equal([got!.nodeName]);
    await got!.release();
    expect(await childrenOf(admin, `${path}/locks`)).to.deep.equal([]);
  });

  it('SemaphoreMutex: exclusive and not re-entrant; release() from any flow', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('smutex');
    const mutex = new SemaphoreMutex(a, path);
    await mutex.withLock(async () => {
      // the same instance, the same flow: it could only wait on itself (Curator's thread would block): refused at once
      const again = await mutex.acquire({ timeout: 300 }).catch((e: unknown) => e);
      expect(again).to.be.instanceOf(WouldDeadlockError);
      expect(await new SemaphoreMutex(b, path).tryAcquire()).to.equal(null);
      expect(mutex.isAcquiredInThisProcess()).to.equal(true);
    }, { timeout: 5_000 });
    expect(mutex.isAcquiredInThisProcess()).to.equal(false);
    const lease = await mutex.acquire({ timeout: 5_000 });
    await Promise.resolve().then(() => mutex.release()); // another flow may release (Curator too)
    expect(lease.released).to.equal(true);
    expect(await mutex.release().catch((e: unknown) => e)).to.be.instanceOf(NotHeldError);
    expect(await childrenOf(a, `${path}/leases`)).to.deep.equal([]);
  });

  it('bad input is refused before any request', async () => {
    const client = await newClient();
    const before = sentRequests(client);
    const path = uniquePath('sem-bad');
    const count = new SharedCount(client, `${path}-count`, 2);
    const bad: Array<() => unknown> = [
      () => new Semaphore(client, path),
      () => new Semaphore(client, path, { maxLeases: 2, sharedCount: count }),
      () => new Semaphore(client, path, { maxLeases: 0 }),
      () => new Semaphore(client, path, { maxLeases: 1.5 }),
      () => new Semaphore(client, '/a/', { maxLeases: 1 }),
      () => new Semaphore(client, path, { sharedCount: {} as SharedCount }),
      () => new Semaphore(client, path, { maxLeases: 1, lossPolicy: 'sometimes' as 'lost' }),
      () => new SharedCount(client, path, 2 ** 31),
      () => new SharedCount(client, 'relative', 1),
      () => new SemaphoreMutex({} as ZkClient, path),
    ];
    for (const make of bad) expect(make).to.throw(ValidationError);
    const sem = new Semaphore(client, path, { maxLeases: 2 });
    for (const options of [{ count: 0 }, { count: 1.5 }, { count: 3 }, { timeout: -1 }, { signal: 'x' as unknown as AbortSignal }]) {
      expect(await sem.acquire(options).catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
    }
    expect(await new Semaphore(client, path, { sharedCount: count }).acquire().catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
    expect(await count.setCount(3).catch((e: unknown) => e)).to.be.instanceOf(ValidationError); // not started
    expect(sentRequests(client)).to.equal(before);
  });
});
