// Revocation against real Curator 5.4.0, both ways: Curator's Revoker.attemptRevoke reaches a
// revocable zkurator holder, and zkurator's revoke() reaches a Curator InterProcessMutex made
// revocable (makeRevocable). Same node, same `__REVOKE__` bytes, same "the holder decides".
import { expect } from 'chai';
import { Mutex, RevokeRequestedError, revoke } from '../lib/index.js';
import { CuratorRevokePeer } from './support/curator-revoke-peer.js';
import { newClient, sharedConnectString, track, uniquePath, untilChildren } from './support/harness.js';

describe('revocation interop with real Curator 5.4.0 (Revoker / makeRevocable)', function () {
  this.timeout(60_000);
  let peer: CuratorRevokePeer;

  before(async function () {
    this.timeout(120_000);
    peer = await CuratorRevokePeer.start(sharedConnectString());
  });
  after(async () => {
    await peer?.stop();
  });

  it('a Curator revoker reaches a revocable zkurator holder, which releases; the Curator waiter gets the lock', async () => {
    const client = await newClient();
    const path = uniquePath('revoke-from-curator');
    const lease = await new Mutex(client, path, { revocable: true }).acquire();
    const requested = new Promise<unknown>((resolve) => lease.revokeSignal.addEventListener('abort', () => resolve(lease.revokeSignal.reason), { once: true }));
    lease.onRevokeRequested((l) => l.release());
    const curatorWaits = peer.acquire('w1', path, 20_000, 'keep');
    await untilChildren(client, path, 2);
    await peer.revoke('r1', lease.path);
    expect(await requested).to.be.instanceOf(RevokeRequestedError);
    const curatorNode = await curatorWaits;
    expect(curatorNode).to.be.a('string');
    expect(lease.released).to.equal(true);
    expect(await new Mutex(client, path).participants()).to.deep.equal([curatorNode]);
    await peer.release('w1');
  });

  it('zkurator revoke() reaches a Curator holder made revocable, which releases; the zkurator waiter gets the lock', async () => {
    const client = await newClient();
    const path = uniquePath('revoke-to-curator');
    const node = await peer.acquire('h2', path, -1, 'release');
    expect(node).to.be.a('string');
    expect((await client.getData(node!)).data.length).to.equal(0); // Curator's revocable node is empty
    const waiting = track(new Mutex(client, path).acquire({ timeout: 20_000 }));
    await untilChildren(client, path, 2);
    expect(waiting.settled()).to.equal(false);
    expect(await revoke(client, node!)).to.equal(true);
    expect((await peer.next('revoke-requested', 'h2')).event).to.equal('revoke-requested');
    expect((await peer.next('released', 'h2')).event).to.equal('released');
    const lease = await waiting.promise;
    expect(await new Mutex(client, path).participants()).to.deep.equal([lease.path]);
    await lease.release();
  });

  it('a Curator holder that keeps the lock hears each zkurator request once and still holds', async () => {
    const client = await newClient();
    const path = uniquePath('revoke-curator-keeps');
    const node = await peer.acquire('h3', path, -1, 'keep');
    await revoke(client, node!);
    expect((await peer.next('revoke-requested', 'h3')).event).to.equal('revoke-requested');
    await revoke(client, node!);
    expect((await peer.next('revoke-requested', 'h3')).event).to.equal('revoke-requested');
    expect(await new Mutex(client, path).tryAcquire()).to.equal(null);
    expect(await new Mutex(client, path).participants()).to.deep.equal([node]);
    expect(peer.pending('revoke-requested', 'h3')).to.equal(0);
    await peer.release('h3');
  });
});
