// An acquire that could only ever wait on what its own flow holds is refused at once with
// WouldDeadlockError, instead of waiting forever (or timing out with a LockTimeoutError that
// says nothing of the cause): a read -> write upgrade above all, and also a second lock object
// on a path the flow holds, and more semaphore leases than the flow's own leave free. Only
// when it provably can never succeed: an acquire that others' leaving could satisfy still waits.
import { expect } from 'chai';
import {
  LockTimeoutError, Mutex, MultiLock, ReadWriteLock, Semaphore, SemaphoreMutex, WouldDeadlockError, type ZkClient,
} from '../lib/index.js';
import { childrenOf, newClient, uniquePath } from './support/harness.js';

/** The rejection of `p` (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then((value) => { throw new Error(`resolved: ${String(value)}`); }, (err: unknown) => err);
}

/** Requests of every kind this client has sent so far. */
function sent(client: ZkClient): number {
  return Object.values(client.operationCounts).reduce((a, b) => a + b, 0);
}

describe('an acquire that could only wait on its own flow is refused (WouldDeadlockError)', function () {
  this.timeout(30_000);

  it('read -> write upgrade in one flow: refused at once, also with a timeout and beside other readers; nothing is sent', async () => {
    const [client, other] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('upgrade');
    const rw = new ReadWriteLock(client, path);
    const otherRead = await new ReadWriteLock(other, path).readLock.acquire({ timeout: 5_000 });
    await rw.readLock.withLock(async (read) => {
      const before = sent(client);
      for (const attempt of [() => rw.writeLock.acquire(), () => rw.writeLock.acquire({ timeout: 60_000 }), () => rw.writeLock.tryAcquire({ timeout: 60_000 }),
        () => rw.writeLock.withLock(() => 'never')]) {
        const err = await rejection(attempt());
        expect(err).to.be.instanceOf(WouldDeadlockError);
        const e = err as WouldDeadlockError;
        expect(e.code).to.equal('WOULD_DEADLOCK');
        expect(e.upgrade).to.equal(true);
        expect(e.lockPath).to.equal(path);
        expect(e.heldNodes).to.deep.equal([read.path]);
        expect(e.message).to.contain(`lock ${path}: cannot upgrade a read lock to the write lock`);
        expect(e.message).to.contain('Release the read lock, then take the write lock; or take the write lock first and downgrade it');
      }
      expect(sent(client)).to.equal(before);
      // a try-lock does not wait, so it is not refused: busy, as before, and nothing is left
      expect(await rw.writeLock.tryAcquire()).to.equal(null);
      expect((await childrenOf(client, path)).sort()).to.deep.equal([read.path, otherRead.path].map((p) => p.slice(path.length + 1)).sort());
      expect(client.pendingWatchListeners).to.equal(0);
    });
    await otherRead.release();
    // the advice works: write first, then read inside it (a downgrade node)
    await rw.writeLock.withLock(async (write) => {
      const read = await rw.readLock.acquire({ timeout: 0 });
      expect(read.path).to.not.equal(write.path);
      await read.release();
    });
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('a second lock object on a path the flow holds (mutex, write, read behind our write): refused; the same object re-enters', async () => {
    const client = await newClient();
    const path = uniquePath('second-object');
    const mutex = new Mutex(client, path);
    await mutex.withLock(async (held) => {
      const err = await rejection(new Mutex(client, path).acquire({ timeout: 60_000 }));
      expect(err).to.be.instanceOf(WouldDeadlockError).with.property('upgrade', false);
      expect((err as WouldDeadlockError).heldNodes).to.deep.equal([held.path]);
      expect((err as Error).message).to.contain('Re-enter through the same lock object');
      const again = await mutex.acquire({ timeout: 0 }); // the same object re-enters
      expect(again.path).to.equal(held.path);
      await again.release();
    });
    const rwPath = uniquePath('second-rw');
    await new ReadWriteLock(client, rwPath).writeLock.withLock(async (write) => {
      for (const other of [new ReadWriteLock(client, rwPath).writeLock, new ReadWriteLock(client, rwPath).readLock]) {
        const err = await rejection(other.acquire());
        expect(err).to.be.instanceOf(WouldDeadlockError).with.property('upgrade', false);
        expect((err as WouldDeadlockError).heldNodes).to.deep.equal([write.path]);
      }
      expect(await childrenOf(client, rwPath)).to.deep.equal([write.path.slice(rwPath.length + 1)]);
    });
  });

  it('maxLeases: refused only when the flow\'s own holders fill every place; a place others could free still waits', async () => {
    const [client, other] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('max-leases');
    const first = new Mutex(client, path, { maxLeases: 2 });
    const second = new Mutex(client, path, { maxLeases: 2 });
    await first.withLock(async () => {
      // one place left: granted
      await second.withLock(async () => {
        // both places are the flow's own: a third object can never get in
        const err = await rejection(new Mutex(client, path, { maxLeases: 2 }).acquire());
        expect(err).to.be.instanceOf(WouldDeadlockError);
        expect((err as WouldDeadlockError).heldNodes).to.have.length(2);
      });
      // the other place taken by another client, which may leave: this waits, and times out
      const otherLease = await new Mutex(other, path, { maxLeases: 2 }).acquire({ timeout: 5_000 });
      expect(await rejection(second.acquire({ timeout: 300 }))).to.be.instanceOf(LockTimeoutError);
      await otherLease.release();
    });
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('semaphore leases: more than the flow leaves free is refused; what others could free waits; SemaphoreMutex and MultiLock flows too', async () => {
    const [client, other] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('sem-own');
    const semaphore = new Semaphore(client, path, { maxLeases: 3 });
    await semaphore.withLeases(async (leases) => {
      expect(await semaphore.tryAcquire({ count: 2 })).to.equal(null); // a try-lock: busy, not refused
      const err = await rejection(semaphore.acquire({ count: 2, timeout: 60_000 }));
      expect(err).to.be.instanceOf(WouldDeadlockError);
      expect((err as WouldDeadlockError).heldNodes).to.deep.equal(leases.map((l) => l.path));
      expect((err as Error).message).to.contain('this flow holds 2 of its 3 leases');
      expect((err as Error).message).to.contain('ask for at most 1');
      const third = await semaphore.acquire({ count: 1, timeout: 5_000 }); // one left: granted
      await third[0]!.release();
      const otherLeases = await new Semaphore(other, path, { maxLeases: 3 }).acquire({ timeout: 5_000 });
      expect(await rejection(semaphore.acquire({ timeout: 300 }))).to.be.instanceOf(LockTimeoutError); // others may leave
      await otherLeases[0]!.release();
    }, { count: 2, timeout: 5_000 });
    expect(await childrenOf(client, `${path}/locks`)).to.deep.equal([]);

    const mutexPath = uniquePath('semmutex-own');
    const semaphoreMutex = new SemaphoreMutex(client, mutexPath);
    await semaphoreMutex.withLock(async () => {
      expect(await rejection(semaphoreMutex.acquire())).to.be.instanceOf(WouldDeadlockError);
      expect(await rejection(new SemaphoreMutex(client, mutexPath).acquire())).to.be.instanceOf(WouldDeadlockError);
    });

    const [a, b] = [uniquePath('multi-a'), uniquePath('multi-b')];
    await new MultiLock(client, [a, b]).withLock(async () => {
      expect(await rejection(new Mutex(client, b).acquire())).to.be.instanceOf(WouldDeadlockError);
      expect(await rejection(new MultiLock(client, [a, b]).acquire())).to.be.instanceOf(WouldDeadlockError);
    });
    expect(await childrenOf(client, a)).to.deep.equal([]);
    expect(await childrenOf(client, b)).to.deep.equal([]);
  });

  it('what cannot be proven is left to wait: a lease held outside any flow, and another client on the same path', async () => {
    const [client, other] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('unprovable');
    const rw = new ReadWriteLock(client, path);
    // acquire() outside withLock: another flow of the process may release it
    const read = await rw.readLock.acquire();
    expect(await rejection(rw.writeLock.acquire({ timeout: 300 }))).to.be.instanceOf(LockTimeoutError);
    await read.release();
    // another client may be another ensemble (or the same): it waits
    await rw.readLock.withLock(async () => {
      expect(await rejection(new ReadWriteLock(other, path).writeLock.acquire({ timeout: 300 }))).to.be.instanceOf(LockTimeoutError);
    });
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });
});
