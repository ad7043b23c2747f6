import { expect } from 'chai';
import {
  LockTimeoutError, NotHeldError, ReadWriteLock, ValidationError, WouldDeadlockError, type Lease,
} from '../lib/index.js';
import { childrenOf, newClient, track, uniquePath, untilChildren } from './support/harness.js';
import { pollUntil } from './support/poll.js';

const READ_RE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-__READ__\d{10}$/;
const WRITE_RE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-__WRIT__\d{10}$/;
const name = (p: string): string => p.split('/').at(-1)!;
const seq = (p: string): string => p.slice(-10);


describe('ReadWriteLock on a real ZooKeeper server', () => {
  it('writes Curator node names under the lock path and cleans them up', async () => {
    const client = await newClient();
    const path = uniquePath('rw-names');
    const rw = new ReadWriteLock(client, path);
    const w = await rw.writeLock.acquire({ timeout: 5_000 });
    expect(name(w.path)).to.match(WRITE_RE);
    await w.release();
    const r = await rw.readLock.acquire({ timeout: 5_000 });
    expect(name(r.path)).to.match(READ_RE);
    expect(await rw.readLock.participants()).to.deep.equal([r.path]);
    await r.release();
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('readers share; a writer excludes readers and writers; readers exclude writers', async () => {
    const [a, b, c] = await Promise.all([newClient(), newClient(), newClient()]);
    const path = uniquePath('rw-excl');
    const r1 = await new ReadWriteLock(a, path).readLock.acquire({ timeout: 5_000 });
    const r2 = await new ReadWriteLock(b, path).readLock.acquire({ timeout: 5_000 });
    expect(await new ReadWriteLock(c, path).writeLock.acquire({ timeout: 300 }).catch((e: unknown) => e)).to.be.instanceOf(LockTimeoutError);
    await r1.release();
    await r2.release();
    const w = await new ReadWriteLock(c, path).writeLock.acquire({ timeout: 5_000 });
    expect(await new ReadWriteLock(a, path).readLock.acquire({ timeout: 300 }).catch((e: unknown) => e)).to.be.instanceOf(LockTimeoutError);
    expect(await new ReadWriteLock(b, path).writeLock.acquire({ timeout: 300 }).catch((e: unknown) => e)).to.be.instanceOf(LockTimeoutError);
    expect(await childrenOf(a, path)).to.deep.equal([name(w.path)]);
    await w.release();
  });

  it('queue order is respected across kinds: W1 | R1, W2, R2 -> R1, then W2, then R2', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => newClient()));
    const path = uniquePath('rw-order');
    const rws = clients.map((c) => new ReadWriteLock(c, path));
    const order: string[] = [];
    const w1 = await rws[0]!.writeLock.acquire();
    const r1 = track(rws[1]!.readLock.acquire({ timeout: 20_000 }).then((l) => { order.push('R1'); return l; }));
    await untilChildren(clients[0]!, path, 2);
    const w2 = track(rws[2]!.writeLock.acquire({ timeout: 20_000 }).then((l) => { order.push('W2'); return l; }));
    await untilChildren(clients[0]!, path, 3);
    const r2 = track(rws[3]!.readLock.acquire({ timeout: 20_000 }).then((l) => { order.push('R2'); return l; }));
    await untilChildren(clients[0]!, path, 4);
    await w1.release();
    const lr1 = await r1.promise;
    expect(w2.settled() || r2.settled()).to.equal(false);
    await lr1.release();
    const lw2 = await w2.promise;
    expect(r2.settled()).to.equal(false);
    await lw2.release();
    await (await r2.promise).release();
    expect(order).to.deep.equal(['R1', 'W2', 'R2']);
  });

  it('F10: 20 readers hold, a writer queues, later readers wait behind it, then resume together', async function () {
    this.timeout(60_000);
    const clients = await Promise.all([1, 2, 3, 4].map(() => newClient()));
    const path = uniquePath('f10');
    const rw = (i: number): ReadWriteLock => new ReadWriteLock(clients[i % clients.length]!, path);
    const early: Lease[] = await Promise.all(Array.from({ length: 20 }, (_, i) => rw(i).readLock.acquire({ timeout: 10_000 })));
    const writer = track(rw(0).writeLock.acquire({ timeout: 30_000 }));
    await untilChildren(clients[0]!, path, 21);
    const late = Array.from({ length: 5 }, (_, i) => track(rw(i + 1).readLock.acquire({ timeout: 30_000 })));
    await untilChildren(clients[0]!, path, 26);
    // every late reader watches the writer: 5 listeners (shared native watches per client)
    await pollUntil(() => clients.reduce((n, c) => n + c.pendingWatchListeners, 0) === 6, { timeoutMs: 5_000, what: 'watches set' });
    expect(writer.settled() || late.some((l) => l.settled())).to.equal(false);
    for (const l of early.slice(0, 19)) await l.release();
    expect(writer.settled()).to.equal(false); // one early reader still holds
    await early[19]!.release();
    const w = await writer.promise;
    // the writer holds alone: only its node and the 5 waiting readers' remain
    const parts = await rw(0).participants();
    expect(parts[0]).to.equal(w.path);
    expect(parts).to.have.length(6);
    expect(late.some((l) => l.settled())).to.equal(false);
    await w.release();
    const lateLeases = await Promise.all(late.map((l) => l.promise));
    expect(await childrenOf(clients[0]!, path)).to.have.length(5); // all 5 hold together
    for (const l of lateLeases) await l.release();
  });

  it('F11: after a downgrade, a queued writer stays blocked until the read lease is released', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('f11');
    const mine = new ReadWriteLock(a, path);
    const w = await mine.writeLock.acquire();
    const queued = track(new ReadWriteLock(b, path).writeLock.acquire({ timeout: 30_000 }));
    await untilChildren(a, path, 2);
    const r = await w.downgrade();
    expect(w.released).to.equal(true);
    // Curator 5.5+ form: plain EPHEMERAL, our write node's sequence, __READ__
    expect(name(r.path)).to.match(READ_RE);
    expect(seq(r.path)).to.equal(seq(w.path));
    expect((await a.getData(r.path)).stat.ephemeralOwner).to.equal(a.sessionId);
    // the queued writer is blocked by our read node (it watches it), not let in
    await pollUntil(() => b.watchedPaths.includes(r.path), { timeoutMs: 5_000, what: 'queued writer watching our read node' });
    expect(queued.settled()).to.equal(false);
    const parts = await mine.participants();
    expect(parts[0]).to.equal(r.path);
    await r.release();
    const got = await queued.promise;
    expect(await mine.participants()).to.deep.equal([got.path]);
    expect(await mine.writeLock.participants()).to.deep.equal([got.path]);
    expect(await mine.readLock.participants()).to.deep.equal([]);
    await got.release();
    expect(await w.downgrade().catch((e: unknown) => e)).to.be.instanceOf(NotHeldError);
  });

  it('downgrade by nesting: inside writeLock.withLock the read lock is granted at once on a downgrade node', async () => {
    const client = await newClient();
    const path = uniquePath('nest-down');
    const rw = new ReadWriteLock(client, path);
    let readLease: Lease | undefined;
    await rw.writeLock.withLock(async (w) => {
      readLease = await rw.readLock.acquire({ timeout: 0 });
      expect(seq(readLease.path)).to.equal(seq(w.path));
      expect(name(readLease.path)).to.match(READ_RE);
    });
    // write released, read still held: a writer from elsewhere cannot get in
    const other = await newClient();
    expect(await new ReadWriteLock(other, path).writeLock.acquire({ timeout: 300 }).catch((e: unknown) => e)).to.be.instanceOf(LockTimeoutError);
    expect(await new ReadWriteLock(other, path).readLock.acquire({ timeout: 2_000 }).then((l) => l.release())).to.equal(undefined);
    await readLease!.release();
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('F12: no upgrade; asking for the write lock while reading times out cleanly from another flow, and is refused at once nested', async () => {
    const client = await newClient();
    const path = uniquePath('f12');
    const rw = new ReadWriteLock(client, path);
    const r = await rw.readLock.acquire();
    const err = await rw.writeLock.acquire({ timeout: 300 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect(await childrenOf(client, path)).to.deep.equal([name(r.path)]);
    await r.release();
    await rw.readLock.withLock(async (inner) => {
      const nested = await rw.writeLock.acquire({ timeout: 300 }).catch((e: unknown) => e);
      expect(nested).to.be.instanceOf(WouldDeadlockError).with.property('upgrade', true); // the flow holds the read lock
      expect(await childrenOf(client, path)).to.deep.equal([name(inner.path)]);
    });
    expect(await childrenOf(client, path)).to.deep.equal([]);
    expect(client.pendingWatchListeners).to.equal(0);
  });

  it('re-entrancy: nested read in read and write in write reuse the node', async () => {
    const client = await newClient();
    const path = uniquePath('rw-reent');
    const rw = new ReadWriteLock(client, path);
    await rw.readLock.withLock(async (outer) => {
      const inner = await rw.readLock.acquire({ timeout: 0 });
      expect(inner.path).to.equal(outer.path);
      await inner.release();
    });
    await rw.writeLock.withLock(async (outer) => {
      const inner = await rw.writeLock.acquire({ timeout: 0 });
      expect(inner.path).to.equal(outer.path);
      await inner.release();
      expect(await childrenOf(client, path)).to.have.length(1);
    });
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('rejects a bad path before any request', async () => {
    const client = await newClient();
    expect(() => new ReadWriteLock(client, '/a//b')).to.throw(ValidationError);
    expect(Object.values(client.operationCounts).reduce((x, y) => x + y, 0)).to.equal(0);
  });
});
