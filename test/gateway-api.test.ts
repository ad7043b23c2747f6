// The HTTP lock gateway's REST API over real HTTP on a real ZooKeeper: every route and status
// code, and what each leaves on the server.
import { expect } from 'chai';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Mutex } from '../lib/index.js';
import { childrenOf, newClient, untilChildren } from './support/harness.js';
import { startGateway, uniqueRoot, useGateways, type TestGateway } from './support/gateway-fixture.js';
import { createGateway } from '../lib/gateway/index.js';
import { pollUntil } from './support/poll.js';

export interface LockViewJson {
  id: string; resource: string; url: string; node: string; mode: string; maxLeases: number; title: string;
  fencingToken: string; state: string; acquiredAt: string; lifetime: number; expiresAt: string | null;
}

interface ParticipantJson {
  node: string; name: string; sequence: string | null; state: string; mode: string; origin: string;
  createdAt: string; data: string; lock: LockViewJson | null; waitingOn: string | null;
}

async function take(gw: TestGateway, resource: string, body: object = {}): Promise<LockViewJson> {
  const res = await gw.post(`/locks/${resource}`, body);
  expect(res.status, await res.clone().text()).to.equal(201);
  return await res.json() as LockViewJson;
}

/** A POST sent as is, path not normalised (fetch would turn /locks/.. into /). */
function rawPost(gw: TestGateway, path: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${gw.base}/`, { method: 'POST', path, headers: { 'content-type': 'application/json' } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: r.statusCode!, headers: r.headers as Record<string, string> })));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

/** A metric's value from /metrics. */
async function metric(gw: TestGateway, name: string): Promise<number> {
  const text = await (await gw.http('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no metric ${name} in:\n${text}`);
  return Number(line.slice(name.length + 1));
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
    const stat = await gw.client.exists(view.node);
    expect(view.fencingToken).to.equal(stat!.czxid.toString());
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
    expect((await gw.http(`/locks/orders/not-an-id`)).status).to.equal(404);
    expect(gw.gateway.heldCount).to.equal(0);
  });

  it('408 when the wait runs out (wait 0 tries once; wait 0.3 waits), leaving no node; a waiter gets the lock when the holder is deleted', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const held = await take(gw, 'r');
    const once = await gw.post('/locks/r', { wait: 0 });
    expect(once.status).to.equal(408);
    expect(await once.json()).to.include({ status: 408, title: 'Lock not obtained in time' });
    const started = performance.now();
    const timed = await gw.post('/locks/r', { wait: 0.3 });
    expect(timed.status).to.equal(408);
    expect(performance.now() - started).to.be.at.least(290);
    expect(await childrenOf(gw.client, `${root}/r`)).to.have.length(1);
    expect(await metric(gw, 'zkurator_gateway_acquires_total{outcome="timeout"}')).to.equal(2);

    const waiting = gw.post('/locks/r', { wait: 20, title: 'second' });
    await untilChildren(gw.client, `${root}/r`, 2);
    expect((await gw.http(held.url, { method: 'DELETE' })).status).to.equal(204);
    const second = await waiting;
    expect(second.status).to.equal(201);
    const view = await second.json() as LockViewJson;
    expect(view.title).to.equal('second');
    expect(BigInt(view.fencingToken) > BigInt(held.fencingToken)).to.equal(true);
    expect(await metric(gw, 'zkurator_gateway_wait_seconds_count')).to.equal(2);
  });

  it('two HTTP clients on one resource never share a hold (no re-entrancy across requests), concurrent or on one connection', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const results = await Promise.all(Array.from({ length: 6 }, () => gw.post('/locks/one', { wait: 0 })));
    expect(results.map((r) => r.status).sort()).to.deep.equal([201, 408, 408, 408, 408, 408]);
    // the same keep-alive connection, one request after the other
    await new Promise<void>((resolve, reject) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const post = (): Promise<number> => new Promise((res, rej) => {
        const req = httpRequest(`${gw.base}/locks/one`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (r) => { r.resume(); r.on('end', () => res(r.statusCode!)); });
        req.on('error', rej);
        req.end('{"wait":0}');
      });
      post().then(async (a) => {
        expect(a).to.equal(408);
        expect(await post()).to.equal(408);
        agent.destroy();
        resolve();
      }).catch(reject);
    });
    expect(await childrenOf(gw.client, `${root}/one`)).to.have.length(1);
  });

  it('refresh (POST and PUT) extends the lifetime from now; 404 once released', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const view = await take(gw, 'r', { lifetime: 20 });
    const posted = await gw.post(`${view.url}/refresh`, { lifetime: 100 });
    expect(posted.status).to.equal(200);
    const after = await posted.json() as LockViewJson;
    expect(after).to.include({ id: view.id, lifetime: 100, acquiredAt: view.acquiredAt, fencingToken: view.fencingToken });
    expect(Date.parse(after.expiresAt!)).to.be.at.least(Date.parse(view.expiresAt!) + 79_000);
    const put = await gw.http(`${view.url}/refresh`, { method: 'PUT' });
    expect(put.status).to.equal(200);
    expect((await put.json() as LockViewJson).lifetime).to.equal(100); // the lock's own lifetime again
    expect(((await (await gw.http(view.url)).json()) as LockViewJson).lifetime).to.equal(100);
    await gw.http(view.url, { method: 'DELETE' });
    expect((await gw.post(`${view.url}/refresh`, {})).status).to.equal(404);
  });

  it('a lifetime passes: the lock is released (node gone, GET and refresh 404) and counted', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const view = await take(gw, 'short', { lifetime: 0.5 });
    await pollUntil(async () => (await childrenOf(gw.client, `${root}/short`)).length === 0, { timeoutMs: 5_000, what: 'the expired lock to go' });
    expect(Date.now()).to.be.at.least(Date.parse(view.expiresAt!));
    expect((await gw.http(view.url)).status).to.equal(404);
    expect((await gw.post(`${view.url}/refresh`, {})).status).to.equal(404);
    expect(gw.gateway.heldCount).to.equal(0);
    expect(await metric(gw, 'zkurator_gateway_expired_total')).to.equal(1);
  });

  it('lifetime 0 (until released) only when the config allows it; defaults and caps from the config', async () => {
    const root = uniqueRoot();
    const strict = await startGateway({ root, lifetime: { default: 10, max: 20 } });
    const refused = await strict.post('/locks/a', { lifetime: 0 });
    expect(refused.status).to.equal(400);
    expect((await refused.json() as { detail: string }).detail).to.match(/lifetime 0/);
    expect((await strict.post('/locks/a', { lifetime: 21 })).status).to.equal(400);
    expect((await take(strict, 'a')).lifetime).to.equal(10);
    const open = await startGateway({ root, lifetime: { unlimited: true } });
    const forever = await take(open, 'b', { lifetime: 0 });
    expect(forever).to.include({ lifetime: 0, expiresAt: null });
  });

  it('GET /locks/<resource>: holders first, then waiters in lock order, gateway and library nodes told apart; unknown resource is empty', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const holder = await take(gw, 'mixed', { title: 'first' });
    const library = new Mutex(await newClient(), `${root}/mixed`).acquire({ timeout: 20_000 });
    await untilChildren(gw.client, `${root}/mixed`, 2);
    const gatewayWaiter = gw.post('/locks/mixed', { wait: 20, title: 'third' });
    await untilChildren(gw.client, `${root}/mixed`, 3);
    const res = await gw.http('/locks/mixed');
    expect(res.status).to.equal(200);
    const body = await res.json() as { resource: string; path: string; locked: boolean; participants: ParticipantJson[] };
    expect(body).to.include({ resource: 'mixed', path: `${root}/mixed`, locked: true });
    const [p1, p2, p3] = body.participants;
    expect([p1!.state, p1!.origin, p1!.mode, p1!.data, p1!.waitingOn]).to.deep.equal(['holder', 'gateway', 'mutex', '', null]);
    expect(p1!.lock).to.deep.equal(holder);
    expect([p2!.state, p2!.origin, p2!.waitingOn, p2!.lock]).to.deep.equal(['waiting', 'zkurator', p1!.node, null]);
    expect(p2!.data).to.match(/ zkurator\/\S+ pid \d+$/);
    expect([p3!.state, p3!.origin, p3!.waitingOn, p3!.lock]).to.deep.equal(['waiting', 'gateway', p2!.node, null]);
    expect(p3!.sequence! > p2!.sequence!).to.equal(true);

    const list = await (await gw.http('/locks')).json() as { root: string; locks: Array<{ resource: string; url: string; holders: number; waiters: number; participants?: unknown[] }> };
    expect(list).to.deep.equal({ root, locks: [{ resource: 'mixed', url: '/locks/mixed', holders: 1, waiters: 2 }] });
    const detailed = await (await gw.http('/locks?detail=true')).json() as typeof list;
    expect(detailed.locks[0]!.participants).to.deep.equal(body.participants);

    await gw.http(holder.url, { method: 'DELETE' });
    const lease = await library;
    await lease.release();
    const third = await (await gatewayWaiter).json() as LockViewJson;
    await gw.http(third.url, { method: 'DELETE' });
    expect(await (await gw.http('/locks/nothing-here')).json()).to.deep.equal({ resource: 'nothing-here', path: `${root}/nothing-here`, locked: false, participants: [] });
  });

  it('modes: readers share, a writer waits for them; maxLeases 2 admits two; a conflicting kind or maxLeases is 409', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const r1 = await take(gw, 'rw', { mode: 'read' });
    const r2 = await take(gw, 'rw', { mode: 'read' });
    expect([r1.mode, r2.mode]).to.deep.equal(['read', 'read']);
    expect((await gw.post('/locks/rw', { mode: 'write', wait: 0 })).status).to.equal(408);
    expect((await gw.post('/locks/rw', { mode: 'mutex', wait: 0 })).status).to.equal(409);
    const writer = gw.post('/locks/rw', { mode: 'write', wait: 20 });
    await untilChildren(gw.client, `${root}/rw`, 3);
    await gw.http(r1.url, { method: 'DELETE' });
    await gw.http(r2.url, { method: 'DELETE' });
    const w = await (await writer).json() as LockViewJson;
    expect(w.mode).to.equal('write');
    const rwView = await (await gw.http('/locks/rw')).json() as { participants: ParticipantJson[] };
    expect(rwView.participants.map((p) => [p.mode, p.state])).to.deep.equal([['write', 'holder']]);

    const s1 = await take(gw, 'sem', { maxLeases: 2 });
    const s2 = await take(gw, 'sem', { maxLeases: 2 });
    expect([s1.maxLeases, s2.maxLeases]).to.deep.equal([2, 2]);
    expect((await gw.post('/locks/sem', { maxLeases: 2, wait: 0 })).status).to.equal(408);
    const conflict = await gw.post('/locks/sem', { maxLeases: 3, wait: 0 });
    expect(conflict.status).to.equal(409);
    expect(await childrenOf(gw.client, `${root}/sem`)).to.have.length(2);
    const semView = await (await gw.http('/locks/sem')).json() as { participants: ParticipantJson[] };
    expect(semView.participants.map((p) => p.state)).to.deep.equal(['holder', 'holder']);
    expect((await gw.post('/locks/x', { mode: 'read', maxLeases: 2 })).status).to.equal(400);
  });

  it('a waiting client that disconnects cancels its acquire at once: no node is left to be granted to nobody', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const held = await take(gw, 'd');
    const controller = new AbortController();
    const gone = gw.post('/locks/d', { wait: 60 }, { signal: controller.signal }).catch((e: unknown) => e);
    await untilChildren(gw.client, `${root}/d`, 2);
    controller.abort();
    expect(await gone).to.be.instanceOf(Error);
    await untilChildren(gw.client, `${root}/d`, 1); // the waiter's node is deleted at once, not at its wait's end
    expect(await childrenOf(gw.client, `${root}/d`)).to.deep.equal([held.node.split('/').pop()]);
    await pollUntil(async () => await metric(gw, 'zkurator_gateway_acquires_total{outcome="cancelled"}') === 1, { timeoutMs: 5_000, what: 'the cancel to be counted' });
    expect(await metric(gw, 'zkurator_gateway_waiters')).to.equal(0);
    await gw.http(held.url, { method: 'DELETE' });
    expect(await childrenOf(gw.client, `${root}/d`)).to.deep.equal([]);
  });

  it('bad input is a 4xx problem and leaves the server unchanged: bad JSON, huge body, bad names, bad numbers, unknown fields', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root, bodyLimit: 1_024, wait: { max: 60 } });
    const holder = await take(gw, 'kept');
    const before = await (await gw.http('/locks?detail=true')).text();
    const raw = (path: string, body: string, type = 'application/json'): Promise<Response> => gw.http(path, { method: 'POST', body, headers: { 'content-type': type } });
    const cases: Array<[string, Promise<Response>, number]> = [
      ['bad JSON', raw('/locks/a', '{"title":'), 400],
      ['JSON not an object', raw('/locks/a', '[1,2]'), 400],
      ['huge body', raw('/locks/a', JSON.stringify({ title: 'x'.repeat(5_000) })), 413],
      ['form body', raw('/locks/a', 'title=x', 'application/x-www-form-urlencoded'), 415],
      ['bad name', gw.post('/locks/a%20b', {}), 400],
      ['name too long', gw.post(`/locks/${'a'.repeat(201)}`, {}), 400],
      ['dot-dot', rawPost(gw, '/locks/..'), 400],
      ['dot', rawPost(gw, '/locks/.'), 400],
      ['slash in name', gw.post('/locks/a%2Fb', {}), 400],
      ['negative lifetime', gw.post('/locks/a', { lifetime: -1 }), 400],
      ['huge lifetime', gw.post('/locks/a', { lifetime: 1e12 }), 400],
      ['lifetime as string', gw.post('/locks/a', { lifetime: '5' }), 400],
      ['negative wait', gw.post('/locks/a', { wait: -1 }), 400],
      ['wait over the max', gw.post('/locks/a', { wait: 61 }), 400],
      ['maxLeases 0', gw.post('/locks/a', { maxLeases: 0 }), 400],
      ['maxLeases 1.5', gw.post('/locks/a', { maxLeases: 1.5 }), 400],
      ['unknown mode', gw.post('/locks/a', { mode: 'exclusive' }), 400],
      ['unknown field', gw.post('/locks/a', { ttl: 5 }), 400],
      ['title too long', gw.post('/locks/a', { title: 'x'.repeat(201) }), 400],
      ['bad refresh lifetime', gw.post(`${holder.url}/refresh`, { lifetime: -5 }), 400],
      ['no such route', gw.http('/nope'), 404],
      ['bad detail', gw.http('/locks?detail=maybe'), 400],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      expect(res.status, what).to.equal(status);
      expect(res.headers.get('content-type'), what).to.match(/^application\/problem\+json/);
      const problem = await res.json() as { type: string; title: string; status: number; detail: string };
      expect(problem.status, what).to.equal(status);
      expect(problem.type, what).to.match(/^urn:zkurator:gateway:/);
      expect(problem.detail, what).to.be.a('string').and.not.equal('');
    }
    expect(await (await gw.http('/locks?detail=true')).text()).to.equal(before);
    expect(await childrenOf(gw.client, root)).to.deep.equal(['kept']);
    expect((await gw.http('/healthz')).status).to.equal(200);
  });

  it('bearer token: every route but /healthz and the web page shell need it', async () => {
    const gw = await startGateway({ root: uniqueRoot(), token: 's3cret' });
    const auth = { headers: { authorization: 'Bearer s3cret' } };
    const denied = await gw.http('/locks');
    expect(denied.status).to.equal(401);
    expect(denied.headers.get('www-authenticate')).to.match(/^Bearer/);
    expect((await gw.http('/locks', { headers: { authorization: 'Bearer wrong' } })).status).to.equal(401);
    expect((await gw.post('/locks/a', {})).status).to.equal(401);
    expect((await gw.http('/metrics')).status).to.equal(401);
    expect((await gw.http('/get/?host=h&pool=p')).status).to.equal(401);
    expect((await gw.http('/')).status).to.equal(200); // the shell holds no data; it asks for the token
    expect((await gw.http('/locks?token=s3cret')).status).to.equal(401); // the API never takes it from the URL
    expect((await gw.http('/healthz')).status).to.equal(200);
    expect((await gw.http('/locks', auth)).status).to.equal(200);
    const res = await gw.post('/locks/a', {}, { headers: { ...auth.headers, 'content-type': 'application/json' } });
    expect(res.status).to.equal(201);
  });

  it('/healthz follows the ZooKeeper connection (503 once closed); /metrics is Prometheus text; / is the page', async () => {
    const client = await newClient();
    const gw = await startGateway({ root: uniqueRoot(), client });
    const ok = await gw.http('/healthz');
    expect([ok.status, await ok.json()]).to.deep.equal([200, { status: 'ok', zookeeper: 'CONNECTED' }]);
    const metrics = await gw.http('/metrics');
    expect(metrics.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    for (const name of ['zkurator_gateway_locks_held 0', 'zkurator_gateway_waiters 0', 'zkurator_gateway_acquires_total{outcome="acquired"} 0',
      'zkurator_gateway_wait_seconds_bucket{le="+Inf"} 0', 'zkurator_gateway_zookeeper_connected 1']) {
      expect(text).to.include(name);
    }
    const page = await gw.http('/');
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(await page.text()).to.match(/<html/i); // the page itself is tested in a real browser
    await client.close();
    const down = await gw.http('/healthz');
    expect([down.status, await down.json()]).to.deep.equal([503, { status: 'unavailable', zookeeper: 'CLOSED' }]);
    const post = await gw.post('/locks/a', {});
    expect(post.status).to.equal(503);
  });

  it('access log: one JSON line per request when asked for (method, url, status, ms, remote)', async () => {
    const log = new PassThrough();
    let text = '';
    log.setEncoding('utf8').on('data', (d: string) => { text += d; });
    const gw = await startGateway({ root: uniqueRoot(), accessLog: log });
    await (await gw.http('/locks/none')).text();
    await (await gw.post('/locks/a', { bogus: 1 })).text();
    await pollUntil(() => text.split('\n').filter((l) => l.includes('"access"')).length === 2, { timeoutMs: 5_000, what: 'two access lines' });
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'access');
    expect(lines.map((l) => [l.method, l.url, l.status, l.remote])).to.deep.equal([['GET', '/locks/none', 200, '127.0.0.1'], ['POST', '/locks/a', 400, '127.0.0.1']]);
    expect(lines[0]!.ms).to.be.a('number');
  });

  it('close(): waiters answered 503, every lock released (the client stays open and sees no node), later requests refused', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    await take(gw, 'a');
    await take(gw, 'b', { mode: 'read' });
    const waiter = gw.post('/locks/a', { wait: 30 });
    await untilChildren(gw.client, `${root}/a`, 2);
    await gw.gateway.close();
    const answered = await waiter;
    expect(answered.status).to.equal(503);
    expect(gw.client.isConnected).to.equal(true);
    expect(await childrenOf(gw.client, `${root}/a`)).to.deep.equal([]);
    expect(await childrenOf(gw.client, `${root}/b`)).to.deep.equal([]);
    expect(gw.gateway.heldCount).to.equal(0);
    expect(await gw.http('/healthz').then(() => 'answered', () => 'refused')).to.equal('refused');
  });

  it('20 HTTP clients x 5 rounds on one resource: one holder at a time, fencing tokens grow, nothing left', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    let inside = 0;
    let most = 0;
    const tokens: bigint[] = [];
    await Promise.all(Array.from({ length: 20 }, async () => {
      for (let round = 0; round < 5; round++) {
        const res = await gw.post('/locks/hot', { wait: 60 });
        expect(res.status).to.equal(201);
        const view = await res.json() as LockViewJson;
        inside += 1;
        most = Math.max(most, inside);
        tokens.push(BigInt(view.fencingToken));
        await new Promise((resolve) => setImmediate(resolve));
        inside -= 1; // before the DELETE leaves: nobody else can be granted before it arrives
        expect((await gw.http(view.url, { method: 'DELETE' })).status).to.equal(204);
      }
    }));
    expect(most).to.equal(1);
    expect(tokens).to.have.length(100);
    expect(tokens.every((t, i) => i === 0 || t > tokens[i - 1]!)).to.equal(true);
    expect(await childrenOf(gw.client, `${root}/hot`)).to.deep.equal([]);
    expect(gw.gateway.heldCount).to.equal(0);
  });

  it('gateway.handler mounts on an HTTP server of your own', async () => {
    const root = uniqueRoot();
    const client = await newClient();
    const gateway = await createGateway({ client, root });
    const server = createServer(gateway.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/locks/mounted`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.status).to.equal(201);
      const view = await res.json() as LockViewJson;
      expect((await fetch(`${base}${view.url}`)).status).to.equal(200);
      expect(await childrenOf(client, `${root}/mounted`)).to.have.length(1);
    } finally {
      await gateway.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await childrenOf(client, `${root}/mounted`)).to.deep.equal([]);
  });
});
