// MultiLock against real Curator 5.4.0 holders: a multi-lock over a mutex and a v1 semaphore
// (Mutex with maxLeases) waits for Curator's holds, takes both once they are free, shuts
// Curator out of both while held, and lets Curator in after its release.
import { expect } from 'chai';
import { MultiLock, Mutex } from '../lib/index.js';
import { useCuratorPeer } from './support/curator-peer.js';
import { childrenOf, newClient, track, uniquePath, untilChildren } from './support/harness.js';

describe('MultiLock interop with real Curator 5.4.0 (mutex + v1 semaphore)', function () {
  this.timeout(60_000);
  const peer = useCuratorPeer();

  it('waits for Curator holders, holds both against Curator, and hands both back', async () => {
    const c = await newClient();
    const base = uniquePath('multi-curator');
    const m = `${base}/mutex`;
    const s = `${base}/sem`;
    expect(await peer().acquire('cm', 'mutex', m, -1)).to.equal(true);
    expect(await peer().acquire('cs1', 'semaphore', s, -1, 2)).to.equal(true);
    expect(await peer().acquire('cs2', 'semaphore', s, -1, 2)).to.equal(true);
    const multi = new MultiLock(c, [m, new Mutex(c, s, { maxLeases: 2 })]);
    const waiting = track(multi.acquire({ timeout: 20_000 }));
    await untilChildren(c, m, 2);
    await peer().release('cm');
    await untilChildren(c, s, 3); // mutex taken, now queued for a semaphore lease
    expect(waiting.settled()).to.equal(false);
    await peer().release('cs1');
    const lease = await waiting.promise;
    // Curator is shut out of the mutex and of the semaphore's last lease meanwhile.
    expect(await peer().acquire('cm2', 'mutex', m, 300)).to.equal(false);
    expect(await peer().acquire('cs3', 'semaphore', s, 300, 2)).to.equal(false);
    await lease.release();
    expect(await peer().acquire('cm3', 'mutex', m, 5_000)).to.equal(true);
    expect(await peer().acquire('cs4', 'semaphore', s, 5_000, 2)).to.equal(true);
    await peer().release('cm3');
    await peer().release('cs4');
    await peer().release('cs2');
    expect(await childrenOf(c, m)).to.deep.equal([]);
    expect(await childrenOf(c, s)).to.deep.equal([]);
  });
});
