// SemaphoreV2, SharedCount and SemaphoreMutex against a real Curator 5.4.0 in its own JVM, both
// directions: mixed holders never above the lease count over hundreds of hand-offs (every
// grant and return logged to one shared record), a count change through the shared count seen
// by both, and SemaphoreMutex exclusion and non-re-entrancy on either side.
import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockTimeoutError, Semaphore, SemaphoreMutex, SharedCount } from '../lib/index.js';
import { CuratorSemaphorePeer } from './support/curator-semaphore-peer.js';
import { childrenOf, newClient, track, uniquePath, untilChildren } from './support/harness.js';
import { pollUntil } from './support/poll.js';

/** Replays "enter <ref>" / "exit <ref>" lines; the most holders at once, and rule breaks. */
function checkLeaseRecord(text: string, maxLeases: number): { most: number; enters: number; violations: string[] } {
  const holding = new Set<string>();
  const violations: string[] = [];
  let most = 0;
  let enters = 0;
  text.split('\n').filter(Boolean).forEach((line, n) => {
    const [event, ref] = line.split(' ');
    if (event === 'enter') {
      enters++;
      holding.add(ref!);
      most = Math.max(most, holding.size);
      if (holding.size > maxLeases) violations.push(`line ${n + 1}: ${holding.size} holders (${[...holding].join(',')})`);
    } else if (!holding.delete(ref!)) {
      violations.push(`line ${n + 1}: ${ref} exited without entering`);
    }
  });
  if (holding.size > 0) violations.push(`never exited: ${[...holding].join(',')}`);
  return { most, enters, violations };
}

describe('interop with real Curator 5.4.0: SemaphoreV2, SharedCount, SemaphoreMutex', function () {
  this.timeout(90_000);
  let peer: CuratorSemaphorePeer;
  let dir: string;

  before(async function () {
    this.timeout(120_000);
    peer = await CuratorSemaphorePeer.start();
    dir = mkdtempSync(join(tmpdir(), 'zkurator-sem-'));
  });
  after(async () => {
    await peer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mixed Curator and zkurator holders never exceed 3 leases over 360 hand-offs; nothing left', async () => {
    const path = uniquePath('sem-mixed');
    const record = join(dir, 'mixed.log');
    await peer.recordTo(record);
    const clients = await Promise.all([newClient(), newClient(), newClient()]);
    const zk = clients.map(async (client, w) => {
      const sem = new Semaphore(client, path, { maxLeases: 3 });
      for (let i = 0; i < 60; i++) {
        const [lease] = await sem.acquire({ timeout: 60_000 });
        appendFileSync(record, `enter Z${w}.${i}\n`);
        await new Promise((r) => setTimeout(r, 1 + (i % 3)));
        appendFileSync(record, `exit Z${w}.${i}\n`);
        await lease!.release();
      }
    });
    const curator = [0, 1, 2].map((t) => peer.loop(`C${t}`, path, 3, 60, 2));
    await Promise.all([...zk, ...curator]);
    const verdict = checkLeaseRecord(readFileSync(record, 'utf8'), 3);
    expect(verdict.violations).to.deep.equal([]);
    expect(verdict.enters).to.equal(360);
    expect(verdict.most).to.equal(3); // the count was actually reached, not just respected
    expect(await childrenOf(clients[0]!, `${path}/leases`)).to.deep.equal([]);
    expect(await childrenOf(clients[0]!, `${path}/locks`)).to.deep.equal([]);
  });

  it('both directions: each side waits for the other\'s lease and sees the same participants', async () => {
    const client = await newClient();
    const path = uniquePath('sem-both');
    const sem = new Semaphore(client, path, { maxLeases: 2 });
    expect(await peer.acquire('b1', path, 2, 5_000, 2)).to.equal(true); // Curator takes both
    expect(await sem.acquire({ timeout: 300 }).catch((e: unknown) => e)).to.be.instanceOf(LockTimeoutError);
    expect(await childrenOf(client, `${path}/leases`)).to.have.length(2);
    const waiting = track(sem.acquire({ timeout: 20_000 }));
    await untilChildren(client, `${path}/leases`, 3);
    expect(waiting.settled()).to.equal(false);
    await peer.release('b1');
    const ours = await waiting.promise;
    const more = await sem.acquire({ timeout: 5_000 });
    expect((await peer.list(path)).sort()).to.deep.equal([...ours, ...more].map((l) => l.nodeName).sort());
    expect((await sem.participants()).map((p) => p.name).sort()).to.deep.equal((await peer.list(path)).sort());
    expect(await peer.acquire('b2', path, 2, 300)).to.equal(false); // zkurator holds both
    const curatorWaits = track(peer.acquire('b3', path, 2, 20_000));
    await untilChildren(client, `${path}/leases`, 3);
    expect(curatorWaits.settled()).to.equal(false);
    await ours[0]!.release();
    expect(await curatorWaits.promise).to.equal(true);
    await peer.release('b3');
    await more[0]!.release();
    expect(await childrenOf(client, `${path}/leases`)).to.deep.equal([]);
  });

  it('a count change through the shared count is seen by both, and waiters on both sides are let in', async () => {
    const client = await newClient();
    const path = uniquePath('sem-count');
    const countPath = `${path}-count`;
    await peer.startCount(countPath, 1); // Curator creates the node with its encoding
    const count = new SharedCount(client, countPath, 7);
    await count.start();
    try {
      expect(count.count).to.equal(1);
      const sem = new Semaphore(client, path, { sharedCount: count });
      expect(await peer.acquire('s1', path, { countPath }, 5_000)).to.equal(true);
      const waiting = track(sem.acquire({ timeout: 20_000 }));
      await untilChildren(client, `${path}/leases`, 2);
      expect(waiting.settled()).to.equal(false);
      await peer.setCount(countPath, 2); // Curator raises it: our waiter must notice
      const [ours] = await waiting.promise;
      expect(count.count).to.equal(2);
      // now zkurator raises it: Curator's SharedCount sees it and its semaphore admits a third
      const curatorWaits = track(peer.acquire('s2', path, { countPath }, 20_000));
      await untilChildren(client, `${path}/leases`, 3);
      expect(curatorWaits.settled()).to.equal(false);
      await count.setCount(3);
      expect(await curatorWaits.promise).to.equal(true);
      expect(await peer.getCount(countPath)).to.equal(3);
      await peer.release('s1');
      await peer.release('s2');
      await ours!.release();
    } finally {
      count.close();
    }
    expect(await childrenOf(client, `${path}/leases`)).to.deep.equal([]);
  });

  it('SemaphoreMutex: exclusion both ways, and neither side re-enters', async () => {
    const client = await newClient();
    const path = uniquePath('smutex-interop');
    const mutex = new SemaphoreMutex(client, path);
    expect(await peer.acquireMutex('m1', path, 5_000)).to.equal(true);
    expect(await peer.acquireMutexAgain('m1', 'm1b', 300)).to.equal(false); // Curator: not re-entrant
    expect(await mutex.tryAcquire()).to.equal(null);
    expect(await childrenOf(client, `${path}/leases`)).to.have.length(1);
    const waiting = track(mutex.acquire({ timeout: 20_000 }));
    await untilChildren(client, `${path}/leases`, 2);
    await peer.release('m1');
    const lease = await waiting.promise;
    expect(await mutex.acquire({ timeout: 300 }).catch((e: unknown) => e)).to.be.instanceOf(LockTimeoutError); // zkurator: not re-entrant
    expect(await peer.acquireMutex('m2', path, 300)).to.equal(false);
    const curatorWaits = track(peer.acquireMutex('m3', path, 20_000));
    await pollUntil(async () => (await childrenOf(client, `${path}/leases`)).length === 2, { timeoutMs: 5_000, what: 'Curator queued' });
    expect(curatorWaits.settled()).to.equal(false);
    await lease.release();
    expect(await curatorWaits.promise).to.equal(true);
    await peer.release('m3');
    expect(await childrenOf(client, `${path}/leases`)).to.deep.equal([]);
  });
});
