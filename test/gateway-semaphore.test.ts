// The gateway's "semaphore" mode (Curator's InterProcessSemaphoreV2: `<path>/locks` +
// `<path>/leases`) over real HTTP on a real ZooKeeper: N clients hold at once and the next
// waits or is refused, the view shows lease holders and queued waiters with their origins,
// mismatched modes are refused leaving nothing, a Curator 5.4.0 holder counts against the same
// leases both ways, lock URLs work from any instance, lifetimes expire leases, and a client
// that goes away while waiting leaves no node under leases/ nor locks/.
import { expect } from 'chai';
import { CreateMode } from '../lib/index.js';
import { CuratorSemaphorePeer } from './support/curator-semaphore-peer.js';
import { childrenOf, newClient, track, untilChildren } from './support/harness.js';
import { startGateway, uniqueRoot, useGateways, type TestGateway } from './support/gateway-fixture.js';
import { pollUntil } from './support/poll.js';
import type { LockViewJson } from './gateway-api.test.js';

interface ParticipantJson {
  node: string; state: string; mode: string; origin: string; lock: LockViewJson | null; waitingOn: string | null;
}

async function takeLease(gw: TestGateway, resource: string, body: object): Promise<LockViewJson> {
  const res = await gw.post(`/locks/${resource}`, { mode: 'semaphore', ...body });
  expect(res.status, await res.clone().text()).to.equal(201);
  return await res.json() as LockViewJson;
}

/** The nodes under `<path>/leases` and `<path>/locks`, sorted. */
async function layout(gw: TestGateway, path: string): Promise<{ leases: string[]; locks: string[] }> {
  return { leases: (await childrenOf(gw.client, `${path}/leases`)).sort(), locks: (await childrenOf(gw.client, `${path}/locks`)).sort() };
}

describe('gateway mode "semaphore" (Curator SemaphoreV2; real HTTP, real ZooKeeper)', function () {
  this.timeout(60_000);
  useGateways();

  it('3 leases: three clients hold at once, the 4th gets 408 (wait 0) or waits and gets a released lease; the view shows holders and queued waiters; mismatched modes are 409 and leave nothing', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const path = `${root}/pool`;
    const held = [await takeLease(gw, 'pool', { maxLeases: 3, title: 'a' }), await takeLease(gw, 'pool', { maxLeases: 3 }), await takeLease(gw, 'pool', { maxLeases: 3 })];
    expect(held.map((v) => [v.mode, v.maxLeases, v.node.split('/').slice(-2, -1)[0]])).to.deep.equal(Array(3).fill(['semaphore', 3, 'leases']));
    expect(new Set(held.map((v) => v.id)).size).to.equal(3);
    const refused = await gw.post('/locks/pool', { mode: 'semaphore', maxLeases: 3, wait: 0 });
    expect(refused.status).to.equal(408);
    expect(((await refused.json()) as { type: string }).type).to.match(/wait-expired/);
    expect(await layout(gw, path)).to.deep.equal({ leases: held.map((v) => v.node.split('/').pop()).sort(), locks: [] });

    // Mismatches: another kind, or another count, on the semaphore; a semaphore on a mutex.
    for (const body of [{ mode: 'mutex', wait: 0 }, { mode: 'read', wait: 0 }, { mode: 'write', wait: 0 }, { mode: 'semaphore', maxLeases: 4, wait: 0 }]) {
      const res = await gw.post('/locks/pool', body);
      expect(res.status, JSON.stringify(body)).to.equal(409);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    }
    expect((await gw.post('/locks/plain', { mode: 'mutex' })).status).to.equal(201);
    const onMutex = await gw.post('/locks/plain', { mode: 'semaphore', maxLeases: 3, wait: 0 });
    expect(onMutex.status).to.equal(409);
    expect(await childrenOf(gw.client, `${root}/plain`)).to.have.length(1);
    const reader = await (await gw.post('/locks/shared-read', { mode: 'read' })).json() as LockViewJson;
    expect((await gw.post('/locks/shared-read', { mode: 'semaphore', wait: 0 })).status).to.equal(409);
    expect(await childrenOf(gw.client, `${root}/shared-read`)).to.deep.equal([reader.node.split('/').pop()]);
    await gw.http(reader.url, { method: 'DELETE' });
    expect(await layout(gw, path)).to.deep.equal({ leases: held.map((v) => v.node.split('/').pop()).sort(), locks: [] });

    // Two waiters: the first inside the internal mutex with its lease node, the second queued on locks/.
    const first = track(gw.post('/locks/pool', { mode: 'semaphore', maxLeases: 3, wait: 30, title: 'w1' }));
    await untilChildren(gw.client, `${path}/leases`, 4);
    const second = track(gw.post('/locks/pool', { mode: 'semaphore', maxLeases: 3, wait: 30, title: 'w2' }));
    await untilChildren(gw.client, `${path}/locks`, 2);
    const view = await (await gw.http('/locks/pool')).json() as { locked: boolean; participants: ParticipantJson[] };
    expect(view.locked).to.equal(true);
    expect(view.participants.map((p) => [p.state, p.mode, p.origin])).to.deep.equal([
      ['holder', 'lease', 'gateway'], ['holder', 'lease', 'gateway'], ['holder', 'lease', 'gateway'],
      ['waiting', 'lease', 'gateway'], ['waiting', 'lease', 'gateway'],
    ]);
    expect(view.participants.slice(0, 3).map((p) => p.lock?.id)).to.deep.equal(held.map((v) => v.id));
    expect(view.participants[3]!.node.split('/').slice(-2, -1)[0]).to.equal('leases'); // waits for room
    expect(view.participants[4]!.node.split('/').slice(-2, -1)[0]).to.equal('locks'); // waits for the internal mutex
    expect(view.participants[4]!.waitingOn).to.match(/\/pool\/locks\//);
    const list = await (await gw.http('/locks')).json() as { locks: Array<{ resource: string; holders: number; waiters: number }> };
    expect(list.locks.find((l) => l.resource === 'pool')).to.deep.include({ holders: 3, waiters: 2 });

    expect((await gw.http(held[0]!.url, { method: 'DELETE' })).status).to.equal(204);
    const got1 = await (await first.promise).json() as LockViewJson;
    expect(got1.title).to.equal('w1');
    expect(second.settled()).to.equal(false);
    expect((await gw.http(held[1]!.url, { method: 'DELETE' })).status).to.equal(204);
    const got2 = await (await second.promise).json() as LockViewJson;
    expect(got2.title).to.equal('w2');
    for (const v of [held[2]!, got1, got2]) expect((await gw.http(v.url, { method: 'DELETE' })).status).to.equal(204);
    expect(await layout(gw, path)).to.deep.equal({ leases: [], locks: [] });
    expect(gw.gateway.heldCount).to.equal(1); // the mutex on "plain"

    // Unused now: a mutex may take the resource, and the semaphore's empty containers go first.
    const mutex = await (await gw.post('/locks/pool', { mode: 'mutex' })).json() as LockViewJson;
    expect(await childrenOf(gw.client, path)).to.deep.equal([mutex.node.split('/').pop()]);
    const after = await (await gw.http('/locks/pool')).json() as { participants: ParticipantJson[] };
    expect(after.participants.map((p) => [p.state, p.mode])).to.deep.equal([['holder', 'mutex']]);
  });

  it('two instances: GET, refresh and DELETE of a lease through B of a lease taken through A; A forgets it; the sweep of B reaps an expired lease of a stalled instance', async () => {
    const root = uniqueRoot();
    const [a, b] = [await startGateway({ root }), await startGateway({ root })];
    const view = await takeLease(a, 'shared', { maxLeases: 2, lifetime: 30 });
    expect(await (await b.http(view.url)).json()).to.deep.equal(view);
    const refreshed = await (await b.post(`${view.url}/refresh`, { lifetime: 60 })).json() as LockViewJson;
    expect(refreshed.lifetime).to.equal(60);
    expect(await (await a.http(view.url)).json()).to.deep.equal(refreshed);
    expect((await b.http(view.url, { method: 'DELETE' })).status).to.equal(204);
    expect(await layout(a, `${root}/shared`)).to.deep.equal({ leases: [], locks: [] });
    await pollUntil(() => a.gateway.heldCount === 0, { timeoutMs: 5_000, what: 'A to forget the lease B deleted' });
    expect((await a.http(view.url)).status).to.equal(404);

    // A stalled instance keeps its session: its expired lease is reaped from the data by any instance.
    const stalled = await newClient();
    await stalled.createContainers(`${root}/stuck/leases`);
    const record = (expiresAt: string): Buffer => Buffer.from(JSON.stringify({
      zkuratorGateway: true, key: 'aaaaaaaaaaaa', title: 'stuck', mode: 'semaphore', maxLeases: 2, lifetime: 1,
      acquiredAt: new Date(Date.now() - 5_000).toISOString(), expiresAt, instance: 'elsewhere:1',
    }));
    const expired = await stalled.create(`${root}/stuck/leases/_c_00000000-0000-4000-8000-000000000000-lease-`, record(new Date(Date.now() - 1_000).toISOString()), CreateMode.EPHEMERAL_SEQUENTIAL);
    const live = await stalled.create(`${root}/stuck/leases/_c_00000000-0000-4000-8000-000000000001-lease-`, record(new Date(Date.now() + 60_000).toISOString()), CreateMode.EPHEMERAL_SEQUENTIAL);
    expect(await b.gateway.sweepExpired()).to.equal(1);
    expect(await stalled.exists(expired)).to.equal(undefined);
    expect(await stalled.exists(live)).to.not.equal(undefined);
  });

  it('a lease whose lifetime passes is released (node gone, URL 404) and a waiter gets it', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const path = `${root}/short`;
    const view = await takeLease(gw, 'short', { maxLeases: 1, lifetime: 1 });
    const waiter = gw.post('/locks/short', { mode: 'semaphore', maxLeases: 1, wait: 20, lifetime: 30 });
    const next = await (await waiter).json() as LockViewJson;
    expect(Date.now()).to.be.at.least(Date.parse(view.expiresAt!));
    expect((await gw.http(view.url)).status).to.equal(404);
    expect((await gw.post(`${view.url}/refresh`, {})).status).to.equal(404);
    expect(await layout(gw, path)).to.deep.equal({ leases: [next.node.split('/').pop()], locks: [] });
    await gw.http(next.url, { method: 'DELETE' });
    expect(await layout(gw, path)).to.deep.equal({ leases: [], locks: [] });
  });

  it('clients that disconnect while waiting (one inside the internal mutex, one queued) leave no node under leases/ nor locks/', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const path = `${root}/d`;
    const held = await takeLease(gw, 'd', { maxLeases: 1 });
    const controllers = [new AbortController(), new AbortController()];
    const gone1 = gw.post('/locks/d', { mode: 'semaphore', maxLeases: 1, wait: 60 }, { signal: controllers[0]!.signal }).catch((e: unknown) => e);
    await untilChildren(gw.client, `${path}/leases`, 2);
    const gone2 = gw.post('/locks/d', { mode: 'semaphore', maxLeases: 1, wait: 60 }, { signal: controllers[1]!.signal }).catch((e: unknown) => e);
    await untilChildren(gw.client, `${path}/locks`, 2);
    for (const c of controllers) c.abort();
    expect(await gone1).to.be.instanceOf(Error);
    expect(await gone2).to.be.instanceOf(Error);
    await pollUntil(async () => {
      const now = await layout(gw, path);
      return now.leases.length === 1 && now.locks.length === 0;
    }, { timeoutMs: 5_000, what: 'the waiters\' nodes to be deleted' });
    expect(await layout(gw, path)).to.deep.equal({ leases: [held.node.split('/').pop()], locks: [] });
    expect(gw.gateway.heldCount).to.equal(1);
    await gw.http(held.url, { method: 'DELETE' });
    expect(await layout(gw, path)).to.deep.equal({ leases: [], locks: [] });
  });

  describe('with a real Curator 5.4.0 SemaphoreV2 peer', () => {
    let peer: CuratorSemaphorePeer;
    before(async function () {
      this.timeout(120_000);
      peer = await CuratorSemaphorePeer.start();
    });
    after(async () => {
      await peer?.stop();
    });

    it('Curator and gateway holders count against the same 2 leases, both ways; the view tells them apart', async () => {
      const root = uniqueRoot();
      const gw = await startGateway({ root });
      const path = `${root}/mixed`;
      expect(await peer.acquire('gs1', path, 2, 5_000)).to.equal(true);
      const mine = await takeLease(gw, 'mixed', { maxLeases: 2 });
      // Full: the gateway refuses, and so does Curator.
      expect((await gw.post('/locks/mixed', { mode: 'semaphore', maxLeases: 2, wait: 0 })).status).to.equal(408);
      expect(await peer.acquire('gs2', path, 2, 200)).to.equal(false);
      const view = await (await gw.http('/locks/mixed')).json() as { participants: ParticipantJson[] };
      expect(view.participants.map((p) => [p.state, p.origin])).to.have.deep.members([['holder', 'curator'], ['holder', 'gateway']]);
      expect(view.participants.find((p) => p.origin === 'gateway')!.lock!.id).to.equal(mine.id);

      // Curator releases: a waiting gateway client gets the lease.
      const waiting = track(gw.post('/locks/mixed', { mode: 'semaphore', maxLeases: 2, wait: 30 }));
      await untilChildren(gw.client, `${path}/leases`, 3);
      expect(waiting.settled()).to.equal(false);
      await peer.release('gs1');
      const second = await (await waiting.promise).json() as LockViewJson;
      expect((await peer.list(path)).sort()).to.deep.equal([mine, second].map((v) => v.node.split('/').pop()).sort());

      // The gateway releases: a waiting Curator acquirer gets the lease.
      const curatorWaits = track(peer.acquire('gs3', path, 2, 30_000));
      await untilChildren(gw.client, `${path}/leases`, 3);
      expect(curatorWaits.settled()).to.equal(false);
      expect((await gw.http(mine.url, { method: 'DELETE' })).status).to.equal(204);
      expect(await curatorWaits.promise).to.equal(true);
      await peer.release('gs3');
      await gw.http(second.url, { method: 'DELETE' });
      expect(await layout(gw, path)).to.deep.equal({ leases: [], locks: [] });
    });
  });
});
