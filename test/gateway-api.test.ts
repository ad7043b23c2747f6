// The HTTP lock gateway's REST API over real HTTP on a real ZooKeeper: every route and status
// code, and what each leaves on the server.
import { expect } from 'chai';
import { childrenOf } from './support/harness.js';
import { startGateway, uniqueRoot, useGateways } from './support/gateway-fixture.js';

interface LockViewJson {
  id: string; resource: string; url: string; node: string; mode: string; maxLeases: number; title: string;
  fencingToken: string; state: string; acquiredAt: string; lifetime: number; expiresAt: string | null;
}

describe('gateway REST API (real HTTP, real ZooKeeper)', function () {
  this.timeout(30_000);
  useGateways();

  it('POST takes a lock (201, Location, LockView); GET shows it; DELETE releases (204, then 404); nothing left', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const res = await gw.post('/locks/orders', { title: 'nightly', lifetime: 30 });
    expect(res.status).to.equal(201);
    const view = await res.json() as LockViewJson;
    expect(res.headers.get('location')).to.equal(view.url);
    expect(view.url).to.equal(`/locks/orders/${view.id}`);
    expect(view).to.include({ resource: 'orders', mode: 'mutex', maxLeases: 1, title: 'nightly', state: 'held', lifetime: 30 });
    expect(view.node.startsWith(`${root}/orders/_c_`)).to.equal(true);
    expect(Date.parse(view.expiresAt!) - Date.parse(view.acquiredAt)).to.equal(30_000);
    expect(BigInt(view.fencingToken) > 0n).to.equal(true);
    expect(await childrenOf(gw.client, `${root}/orders`)).to.deep.equal([view.node.split('/').pop()]);

    const got = await gw.http(view.url);
    expect(got.status).to.equal(200);
    expect(await got.json()).to.deep.equal(view);

    expect((await gw.http(view.url, { method: 'DELETE' })).status).to.equal(204);
    expect(await childrenOf(gw.client, `${root}/orders`)).to.deep.equal([]);
    const again = await gw.http(view.url, { method: 'DELETE' });
    expect(again.status).to.equal(404);
    expect(again.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(await again.json()).to.include({ status: 404, title: 'No such lock' });
    expect((await gw.http(view.url)).status).to.equal(404);
    expect(gw.gateway.heldCount).to.equal(0);
  });
});
