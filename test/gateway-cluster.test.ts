// Gateways among other clients of one ensemble: two gateway instances serve each other's
// lock URLs and expiry, and a real Curator 5.4.0 peer and the gateway exclude each other.
import { expect } from 'chai';
import { CreateMode } from '../lib/index.js';
import { useCuratorPeer } from './support/curator-peer.js';
import { childrenOf, newClient, track, untilChildren } from './support/harness.js';
import { startGateway, uniqueRoot, useGateways } from './support/gateway-fixture.js';
import { pollUntil } from './support/poll.js';
import { nextState, proxiedClient } from './support/proxied-client.js';
import type { TcpProxy } from './support/tcp-proxy.js';
import type { LockViewJson } from './gateway-api.test.js';

describe('gateway instances and other clients on one ensemble', function () {
  this.timeout(60_000);
  useGateways();

  it('two instances share lock URLs: GET, refresh and DELETE through B of a lock taken through A; A forgets it without error', async () => {
    const root = uniqueRoot();
    const [a, b] = [await startGateway({ root }), await startGateway({ root })];
    const res = await a.post('/locks/shared', { title: 'from A', lifetime: 30 });
    const view = await res.json() as LockViewJson;
    expect(a.gateway.heldCount).to.equal(1);
    expect((await b.post('/locks/shared', { wait: 0 })).status).to.equal(408); // B's clients are excluded too
    const viaB = await b.http(view.url);
    expect(viaB.status).to.equal(200);
    expect(await viaB.json()).to.deep.equal(view);
    const refreshed = await (await b.post(`${view.url}/refresh`, { lifetime: 60 })).json() as LockViewJson;
    expect(refreshed.lifetime).to.equal(60);
    expect(await (await a.http(view.url)).json()).to.deep.equal(refreshed); // A reads what B wrote

    expect((await b.http(view.url, { method: 'DELETE' })).status).to.equal(204);
    expect(await childrenOf(a.client, `${root}/shared`)).to.deep.equal([]);
    await pollUntil(() => a.gateway.heldCount === 0, { timeoutMs: 5_000, what: 'A to forget the lock B deleted' });
    expect((await a.http(view.url)).status).to.equal(404);
    expect((await a.http(view.url, { method: 'DELETE' })).status).to.equal(404);
    expect((await (await a.http('/healthz')).json() as { status: string }).status).to.equal('ok');
    const again = await a.post('/locks/shared', { wait: 0 });
    expect(again.status).to.equal(201);
  });

  it('shared expiry: a refresh through B moves the expiry A enforces; a stalled holder\'s expired lock is reaped by another instance', async () => {
    const root = uniqueRoot();
    const [a, b] = [await startGateway({ root }), await startGateway({ root })];
    const view = await (await a.post('/locks/exp', { lifetime: 2 })).json() as LockViewJson;
    const refreshed = await (await b.post(`${view.url}/refresh`, { lifetime: 3 })).json() as LockViewJson;
    await pollUntil(async () => (await childrenOf(a.client, `${root}/exp`)).length === 0, { timeoutMs: 10_000, what: 'the refreshed lock to expire' });
    // not released at A's original expiry: only once the refreshed one passed
    expect(Date.now()).to.be.at.least(Date.parse(refreshed.expiresAt!));
    await pollUntil(() => a.gateway.heldCount === 0, { timeoutMs: 5_000, what: 'A to drop the expired lock' });

    // A gateway that is alive but stalled keeps its session, so its node stays: any instance
    // reaps it from the data. Here the "stalled instance" is a plain session holding a node
    // with an expired gateway record, and one with a live record that must stay.
    const stalled = await newClient();
    await stalled.createContainers(`${root}/stuck`);
    const record = (expiresAt: string): Buffer => Buffer.from(JSON.stringify({
      zkuratorGateway: true, key: 'aaaaaaaaaaaa', title: 'stuck', mode: 'mutex', maxLeases: 1, lifetime: 1,
      acquiredAt: new Date(Date.now() - 5_000).toISOString(), expiresAt, instance: 'elsewhere:1',
    }));
    const expired = await stalled.create(`${root}/stuck/_c_00000000-0000-4000-8000-000000000000-lock-`, record(new Date(Date.now() - 1_000).toISOString()), CreateMode.EPHEMERAL_SEQUENTIAL);
    const live = await stalled.create(`${root}/stuck/_c_00000000-0000-4000-8000-000000000001-lock-`, record(new Date(Date.now() + 60_000).toISOString()), CreateMode.EPHEMERAL_SEQUENTIAL);
    expect(await b.gateway.sweepExpired()).to.equal(1);
    expect(await stalled.exists(expired)).to.equal(undefined);
    expect(await stalled.exists(live)).to.not.equal(undefined);
  });

  it('a dropped ZooKeeper connection: /healthz 503 and requests 503 meanwhile; the same session back: /healthz CONNECTED again, every lock kept', async () => {
    const proxies: TcpProxy[] = [];
    try {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 8_000 });
      const root = uniqueRoot();
      const gw = await startGateway({ root, client });
      const view = await (await gw.post('/locks/blip', { lifetime: 60 })).json() as LockViewJson;
      const suspended = nextState(client, 'SUSPENDED');
      proxy.cut();
      await suspended;
      const health = await gw.http('/healthz');
      expect([health.status, await health.json()]).to.deep.equal([503, { status: 'unavailable', zookeeper: 'SUSPENDED' }]);
      const post = await gw.post('/locks/other', { wait: 0 });
      expect(post.status).to.equal(503);
      expect((await post.json() as { title: string }).title).to.equal('ZooKeeper unavailable');
      const back = nextState(client, 'RECONNECTED');
      proxy.restore();
      await back;
      // The client says RECONNECTED; an operator is told what they can act on: connected.
      expect(client.state).to.equal('RECONNECTED');
      const healthy = await gw.http('/healthz');
      expect([healthy.status, await healthy.json()]).to.deep.equal([200, { status: 'ok', zookeeper: 'CONNECTED' }]);
      expect(gw.gateway.heldCount).to.equal(1);
      expect(await (await gw.http(view.url)).json()).to.deep.equal(view);
      expect((await gw.http(view.url, { method: 'DELETE' })).status).to.equal(204);
      expect(await childrenOf(client, `${root}/blip`)).to.deep.equal([]);
    } finally {
      await Promise.all(proxies.map((p) => p.close()));
    }
  });

  describe('with a real Curator 5.4.0 peer', () => {
    const curator = useCuratorPeer();

    it('Curator holds: the gateway refuses (408), shows the Curator holder, queues, and gets it when Curator releases', async () => {
      const root = uniqueRoot();
      const gw = await startGateway({ root });
      const path = `${root}/c-first`;
      expect(await curator().acquire('gc1', 'mutex', path, 5_000)).to.equal(true);
      expect((await gw.post('/locks/c-first', { wait: 0 })).status).to.equal(408);
      expect(await childrenOf(gw.client, path)).to.have.length(1);
      const seen = await (await gw.http('/locks/c-first')).json() as { locked: boolean; participants: Array<{ state: string; origin: string; data: string }> };
      expect(seen.locked).to.equal(true);
      expect(seen.participants.map((p) => [p.state, p.origin])).to.deep.equal([['holder', 'curator']]);
      const waiting = track(gw.post('/locks/c-first', { wait: 30 }));
      await untilChildren(gw.client, path, 2);
      expect(waiting.settled()).to.equal(false);
      await curator().release('gc1');
      const res = await waiting.promise;
      expect(res.status).to.equal(201);
      const view = await res.json() as LockViewJson;
      expect(await curator().list(path)).to.deep.equal([view.node]);
      await gw.http(view.url, { method: 'DELETE' });
      expect(await childrenOf(gw.client, path)).to.deep.equal([]);
    });

    it('the gateway holds: Curator times out, then waits and gets it when the lock URL is deleted', async () => {
      const root = uniqueRoot();
      const gw = await startGateway({ root });
      const path = `${root}/g-first`;
      const view = await (await gw.post('/locks/g-first', {})).json() as LockViewJson;
      expect(await curator().acquire('gc2', 'mutex', path, 500)).to.equal(false);
      expect(await childrenOf(gw.client, path)).to.have.length(1);
      const curatorWaits = track(curator().acquire('gc3', 'mutex', path, 30_000));
      await untilChildren(gw.client, path, 2);
      expect(curatorWaits.settled()).to.equal(false);
      const seen = await (await gw.http('/locks/g-first')).json() as { participants: Array<{ state: string; origin: string }> };
      expect(seen.participants.map((p) => [p.state, p.origin])).to.deep.equal([['holder', 'gateway'], ['waiting', 'curator']]);
      expect((await gw.http(view.url, { method: 'DELETE' })).status).to.equal(204);
      expect(await curatorWaits.promise).to.equal(true);
      expect((await gw.post('/locks/g-first', { wait: 0 })).status).to.equal(408);
      await curator().release('gc3');
      expect(await childrenOf(gw.client, path)).to.deep.equal([]);
    });
  });
});
