// F15 (read-write and downgrade): real Curator 5.4.0 and zkurator on the same read-write lock.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LockTimeoutError, ReadWriteLock, type Lease, type ZkClient } from '../lib/index.js';
import { useCuratorPeer, type PeerKind } from './support/curator-peer.js';
import { checkHoldRecord } from './support/hold-record.js';
import { sessionsWatching } from './support/four-letter.js';
import { childrenOf, newClient, sharedConnectString, sharedServerPort, track, uniquePath, untilChildren } from './support/harness.js';
import { pollUntil } from './support/poll.js';

type Kind = 'read' | 'write';


describe('interop with real Curator 5.4.0 (F15: read-write lock, downgrade)', function () {
  this.timeout(90_000);
  const curator = useCuratorPeer();
  let refs = 0;
  const ref = (): string => `rw${++refs}`;

  const zkAcquire = (client: ZkClient, path: string, kind: Kind, timeout: number): Promise<Lease> => {
    const rw = new ReadWriteLock(client, path);
    return (kind === 'read' ? rw.readLock : rw.writeLock).acquire({ timeout });
  };

  // Every combination, both directions: who holds first (side, kind) x who asks (side, kind).
  const combos: Array<[Kind, Kind, boolean]> = [
    ['read', 'read', true], ['read', 'write', false], ['write', 'read', false], ['write', 'write', false],
  ];
  for (const [heldKind, askKind, compatible] of combos) {
    it(`Curator ${heldKind} held -> zkurator ${askKind} ${compatible ? 'holds too' : 'is excluded, then gets it'}`, async () => {
      const client = await newClient();
      const path = uniquePath('rw-c-first');
      const r = ref();
      expect(await curator().acquire(r, heldKind, path, 5_000)).to.equal(true);
      if (compatible) {
        const lease = await zkAcquire(client, path, askKind, 5_000);
        expect(await childrenOf(client, path)).to.have.length(2);
        await lease.release();
        await curator().release(r);
      } else {
        expect(await zkAcquire(client, path, askKind, 300).catch((e: unknown) => e)).to.be.instanceOf(LockTimeoutError);
        expect(await childrenOf(client, path)).to.have.length(1);
        const waiting = track(zkAcquire(client, path, askKind, 20_000));
        await untilChildren(client, path, 2);
        expect(waiting.settled()).to.equal(false);
        await curator().release(r);
        await (await waiting.promise).release();
      }
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it(`zkurator ${heldKind} held -> Curator ${askKind} ${compatible ? 'holds too' : 'is excluded, then gets it'}`, async () => {
      const client = await newClient();
      const path = uniquePath('rw-z-first');
      const lease = await zkAcquire(client, path, heldKind, 5_000);
      const r = ref();
      if (compatible) {
        expect(await curator().acquire(r, askKind as PeerKind, path, 5_000)).to.equal(true);
        await curator().release(r);
        await lease.release();
      } else {
        expect(await curator().acquire(r, askKind as PeerKind, path, 300)).to.equal(false);
        expect(await childrenOf(client, path)).to.have.length(1);
        const r2 = ref();
        const waiting = track(curator().acquire(r2, askKind as PeerKind, path, 20_000));
        await untilChildren(client, path, 2);
        expect(waiting.settled()).to.equal(false);
        await lease.release();
        expect(await waiting.promise).to.equal(true);
        await curator().release(r2);
      }
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });
  }

  it('queued order is respected across sides: zk W1 | Curator R1, zk W2, Curator R2, zk R3', async () => {
    const [a, b, c] = await Promise.all([newClient(), newClient(), newClient()]);
    const path = uniquePath('rw-queue');
    const order: string[] = [];
    const w1 = await zkAcquire(a, path, 'write', 5_000);
    const cr1 = ref();
    const r1 = track(curator().acquire(cr1, 'read', path, 30_000).then((ok) => { order.push('C-R1'); return ok; }));
    await untilChildren(a, path, 2);
    const w2 = track(zkAcquire(b, path, 'write', 30_000).then((l) => { order.push('Z-W2'); return l; }));
    await untilChildren(a, path, 3);
    const cr2 = ref();
    const r2 = track(curator().acquire(cr2, 'read', path, 30_000).then((ok) => { order.push('C-R2'); return ok; }));
    await untilChildren(a, path, 4);
    const r3 = track(zkAcquire(c, path, 'read', 30_000).then((l) => { order.push('Z-R3'); return l; }));
    await untilChildren(a, path, 5);
    // both sides list the same order, half by half as Curator does
    const rw = new ReadWriteLock(a, path);
    expect(await rw.readLock.participants()).to.deep.equal(await curator().listReadWrite(path, 'read'));
    expect(await rw.writeLock.participants()).to.deep.equal(await curator().listReadWrite(path, 'write'));
    expect(await rw.readLock.participants()).to.have.length(3);
    expect(await rw.writeLock.participants()).to.deep.equal([w1.path, (await rw.participants())[2]]);

    await w1.release();
    expect(await r1.promise).to.equal(true);
    expect(w2.settled() || r2.settled() || r3.settled()).to.equal(false);
    await curator().release(cr1);
    const lw2 = await w2.promise;
    expect(r2.settled() || r3.settled()).to.equal(false);
    await lw2.release();
    expect(await r2.promise).to.equal(true);
    const lr3 = await r3.promise; // readers behind the same writer resume together
    expect(order.slice(0, 2)).to.deep.equal(['C-R1', 'Z-W2']);
    expect(order.slice(2).sort()).to.deep.equal(['C-R2', 'Z-R3']); // released together, any order
    await curator().release(cr2);
    await lr3.release();
    expect(await childrenOf(a, path)).to.deep.equal([]);
  });

  it('F11: zkurator downgrades with a queued Curator writer AND a queued zkurator writer; both stay blocked until the read is released', async () => {
    const [a, b] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('f11-mixed');
    const w = await zkAcquire(a, path, 'write', 5_000) as import('../lib/index.js').WriteLease;
    const cw = ref();
    const curatorWriter = track(curator().acquire(cw, 'write', path, 30_000));
    await untilChildren(a, path, 2);
    const zkWriter = track(zkAcquire(b, path, 'write', 30_000));
    await untilChildren(a, path, 3);
    await pollUntil(() => b.pendingWatchListeners === 1, { timeoutMs: 5_000, what: 'our writer watching' });
    const bListings = b.operationCounts.getChildren;
    const r = await w.downgrade();
    // the write node went: Curator's writer (watching it) re-checked; ours watches Curator's node
    await pollUntil(async () => (await childrenOf(a, path)).length === 3 && !(await childrenOf(a, path)).includes(w.path.split('/').at(-1)!),
      { timeoutMs: 5_000, what: 'write node replaced by the read node' });
    expect(await curator().listReadWrite(path, 'read')).to.deep.equal([r.path]);
    expect((await new ReadWriteLock(a, path).participants())[0]).to.equal(r.path);
    // Curator's writer woke (it watched our write node), looked again, and now watches our read
    // node: the server's own watch table shows it. Only then is "still not acquired" meaningful.
    await pollUntil(async () => (await sessionsWatching(sharedServerPort(), r.path)).filter((id) => id !== a.sessionId).length === 1,
      { timeoutMs: 5_000, what: "Curator's writer watching our read node" });
    expect(curatorWriter.settled()).to.equal(false);
    expect(zkWriter.settled()).to.equal(false);
    expect(b.operationCounts.getChildren).to.equal(bListings); // ours was not even woken
    await r.release();
    expect(await curatorWriter.promise).to.equal(true);
    expect(zkWriter.settled()).to.equal(false);
    await curator().release(cw);
    await (await zkWriter.promise).release();
    expect(await childrenOf(a, path)).to.deep.equal([]);
  });

  it('Curator 5.4.0 difference: its own downgrade (nested read on the write thread) lets a queued writer in (CURATOR-621)', async () => {
    const client = await newClient();
    const path = uniquePath('curator-621');
    const cw = ref();
    expect(await curator().acquire(cw, 'write', path, 5_000)).to.equal(true);
    const zkWriter = track(zkAcquire(client, path, 'write', 30_000));
    await untilChildren(client, path, 2);
    const cr = ref();
    expect(await curator().nested(cw, cr, 'read')).to.equal(true);
    await curator().release(cw);
    // 5.4.0 made a NEW sequential read node, which sorts after our queued writer: we get in
    // while Curator still holds its read lock. zkurator's own downgrade does not do this.
    const lease = await zkWriter.promise;
    expect(await curator().listReadWrite(path, 'write')).to.deep.equal([lease.path]);
    const all = await new ReadWriteLock(client, path).participants();
    expect(all[0]).to.equal(lease.path);
    expect(all[1]).to.match(/__READ__\d{10}$/);
    expect(await curator().listReadWrite(path, 'read')).to.deep.equal([all[1]]);
    await lease.release();
    await curator().release(cr);
  });

  it('mixed run: 3 zkurator processes and Curator, ~10% writes: one writer alone, readers shared', async function () {
    this.timeout(180_000);
    const dir = mkdtempSync(join(tmpdir(), 'zkurator-rw-'));
    const record = join(dir, 'record.log');
    const path = uniquePath('rw-mixed');
    try {
      await curator().recordTo(record);
      const worker = fileURLToPath(new URL('./support/rw-worker.js', import.meta.url));
      const procs = [1, 2, 3].map((n) => spawn(process.execPath, [worker, JSON.stringify({
        connect: sharedConnectString(), path, name: `Z${n}`, flows: 2, iterations: 25, writeRatio: 0.1, record, seed: n,
      })], { stdio: ['ignore', 'inherit', 'inherit'] }));
      const exits = procs.map((p) => new Promise<number | null>((res) => p.once('exit', (code) => res(code))));
      let seed = 7;
      const random = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
      const curatorLoop = async (loop: number): Promise<void> => {
        for (let i = 0; i < 25; i++) {
          const kind: Kind = random() < 0.1 ? 'write' : 'read';
          const r = `C.${loop}.${i}`;
          expect(await curator().acquire(r, kind, path, 60_000)).to.equal(true);
          await new Promise((res) => setTimeout(res, 1 + Math.floor(random() * 4))); // simulated work
          await curator().release(r);
        }
      };
      await Promise.all([curatorLoop(1), curatorLoop(2)]);
      expect(await Promise.all(exits)).to.deep.equal([0, 0, 0]);
      const verdict = checkHoldRecord(readFileSync(record, 'utf8'));
      expect(verdict.violations).to.deep.equal([]);
      expect(verdict.enters).to.equal(3 * 2 * 25 + 2 * 25);
      expect(verdict.exits).to.equal(verdict.enters);
      expect(verdict.maxReaders).to.be.greaterThan(1);
      const text = readFileSync(record, 'utf8');
      expect(text).to.match(/enter Z\d\.\d+\.\d+ write/);
      expect(text).to.match(/enter C\.\d\.\d+ (read|write)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
