// MultiLock over a mutex, a SemaphoreV2 and a SemaphoreMutex held against real Curator 5.4.0
// holders (InterProcessMutex, InterProcessSemaphoreV2, InterProcessSemaphoreMutex): it waits for
// each, takes all three once free, shuts Curator out of all three, and hands them back.
import { expect } from 'chai';
import { MultiLock, Mutex, Semaphore, SemaphoreMutex } from '../lib/index.js';
import { useCuratorPeer } from './support/curator-peer.js';
import { CuratorSemaphorePeer } from './support/curator-semaphore-peer.js';
import { childrenOf, newClient, track, uniquePath, untilChildren } from './support/harness.js';

describe('MultiLock interop with real Curator 5.4.0 (mutex + SemaphoreV2 + SemaphoreMutex)', function () {
  this.timeout(60_000);
  const mutexPeer = useCuratorPeer();
  let semPeer: CuratorSemaphorePeer;
  before(async function () {
    this.timeout(120_000);
    semPeer = await CuratorSemaphorePeer.start();
  });
  after(async () => {
    await semPeer?.stop();
  });

  it('waits for Curator holders of all three, holds them against Curator, and hands them back', async () => {
    const c = await newClient();
    const base = uniquePath('multi-v2');
    const [m, s, sm] = [`${base}/m`, `${base}/s`, `${base}/sm`];
    expect(await mutexPeer().acquire('cm', 'mutex', m, -1)).to.equal(true);
    expect(await semPeer.acquire('cs', s, 2, -1, 2)).to.equal(true); // both leases
    expect(await semPeer.acquireMutex('csm', sm, -1)).to.equal(true);
    const multi = new MultiLock(c, [m, new Semaphore(c, s, { maxLeases: 2 }), new SemaphoreMutex(c, sm)]);
    const waiting = track(multi.acquire({ timeout: 30_000 }));
    await untilChildren(c, m, 2);
    await mutexPeer().release('cm');
    await untilChildren(c, `${s}/leases`, 3); // mutex taken; our lease node waits for room
    expect(waiting.settled()).to.equal(false);
    await semPeer.release('cs');
    await untilChildren(c, `${sm}/leases`, 2); // semaphore lease taken; waiting for the SemaphoreMutex
    expect(waiting.settled()).to.equal(false);
    await semPeer.release('csm');
    const lease = await waiting.promise;
    expect(lease.leases).to.have.length(3);
    expect(await mutexPeer().acquire('cm2', 'mutex', m, 300)).to.equal(false);
    expect(await semPeer.acquire('cs2', s, 2, 300, 2)).to.equal(false); // one lease of 2 is ours
    expect(await semPeer.acquireMutex('csm2', sm, 300)).to.equal(false);
    await lease.release();
    expect(await mutexPeer().acquire('cm3', 'mutex', m, 5_000)).to.equal(true);
    expect(await semPeer.acquire('cs3', s, 2, 5_000, 2)).to.equal(true);
    expect(await semPeer.acquireMutex('csm3', sm, 5_000)).to.equal(true);
    await mutexPeer().release('cm3');
    await semPeer.release('cs3');
    await semPeer.release('csm3');
    expect(await childrenOf(c, m)).to.deep.equal([]);
    expect(await childrenOf(c, `${s}/leases`)).to.deep.equal([]);
    expect(await childrenOf(c, `${sm}/leases`)).to.deep.equal([]);
  });
});
