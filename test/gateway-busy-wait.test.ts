// The busy-wait mutex server's contract on the gateway: get -> YES/NO, wait blocks until YES,
// release -> OK; pools and their lifetimes from the config.
import { expect } from 'chai';
import { childrenOf, track, untilChildren } from './support/harness.js';
import { startGateway, uniqueRoot, useGateways } from './support/gateway-fixture.js';
import { pollUntil } from './support/poll.js';

describe('gateway busy-wait API (/get/, /wait/, /release/)', function () {
  this.timeout(30_000);
  useGateways();

  it('get answers YES to one host (again YES to it), NO to others; release frees it; wait blocks until YES', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root, pools: { deploy: { expire: 120 } } });
    const text = async (path: string): Promise<[number, string, string]> => {
      const res = await gw.http(path);
      return [res.status, res.headers.get('content-type') ?? '', await res.text()];
    };
    expect(await text('/get/?host=web1&pool=deploy')).to.deep.equal([200, 'text/plain; charset=utf-8', 'YES']);
    expect((await text('/get/?host=web1&pool=deploy'))[2]).to.equal('YES'); // the holder asking again
    expect((await text('/get/?host=web2&pool=deploy'))[2]).to.equal('NO');
    expect(await childrenOf(gw.client, `${root}/deploy`)).to.have.length(1);
    const view = await (await gw.http('/locks/deploy')).json() as { participants: Array<{ lock: { title: string; lifetime: number } | null }> };
    expect(view.participants[0]!.lock).to.include({ title: 'web1', lifetime: 120 });

    const waiting = track(text('/wait/?host=web2&pool=deploy'));
    await untilChildren(gw.client, `${root}/deploy`, 2);
    expect(waiting.settled()).to.equal(false);
    expect((await text('/release/?host=web1&pool=deploy'))[2]).to.equal('OK');
    expect((await waiting.promise)[2]).to.equal('YES');
    expect((await text('/get/?host=web1&pool=deploy'))[2]).to.equal('NO');
    expect((await text('/release/?host=web1&pool=deploy'))[2]).to.equal('OK'); // holding nothing is fine
    expect((await text('/release/?host=web2&pool=deploy'))[2]).to.equal('OK');
    expect(await childrenOf(gw.client, `${root}/deploy`)).to.deep.equal([]);
  });

  it('pool size and expire from the config; an unknown pool is 404, a bad host or pool 400; a wait that disconnects leaves nothing', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root, lifetime: { max: 60 }, pools: { pair: { size: 2, expire: 2 }, solo: { expire: 60 } } });
    const get = async (path: string): Promise<string> => (await gw.http(path)).text();
    expect([await get('/get/?host=a&pool=pair'), await get('/get/?host=b&pool=pair'), await get('/get/?host=c&pool=pair')]).to.deep.equal(['YES', 'YES', 'NO']);
    await pollUntil(async () => (await childrenOf(gw.client, `${root}/pair`)).length === 0, { timeoutMs: 5_000, what: 'the pool locks to expire' });
    expect(await get('/get/?host=c&pool=pair')).to.equal('YES');

    const unknown = await gw.http('/get/?host=a&pool=other');
    expect(unknown.status).to.equal(404);
    expect(unknown.headers.get('content-type')).to.match(/^application\/problem\+json/);
    for (const bad of ['/get/?pool=pair', '/get/?host=a', '/get/?host=a%20b&pool=pair', '/wait/?host=a&pool=..', '/release/?host=&pool=pair', '/get/?host=a&pool=pair&x=1']) {
      expect((await gw.http(bad)).status, bad).to.equal(400);
    }

    expect(await get('/get/?host=e&pool=solo')).to.equal('YES');
    const controller = new AbortController();
    const gone = gw.http('/wait/?host=d&pool=solo', { signal: controller.signal }).catch((e: unknown) => e);
    await untilChildren(gw.client, `${root}/solo`, 2);
    controller.abort();
    expect(await gone).to.be.instanceOf(Error);
    await untilChildren(gw.client, `${root}/solo`, 1);
    expect(await get('/get/?host=d&pool=solo')).to.equal('NO');
  });
});
