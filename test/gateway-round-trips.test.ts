// What a gateway lock costs in ZooKeeper requests and round trips, counted at the gateway's own
// client and seen on the wire through a proxy that holds the server's replies back: an
// uncontended POST + DELETE is the library's own cycle (create and listing together, then one
// delete), and a lock that waits adds only what waiting needs.
import { expect } from 'chai';
import { childrenOf, newClient, sharedServerPort, untilChildren } from './support/harness.js';
import { sessionsWatching } from './support/four-letter.js';
import { pollUntil } from './support/poll.js';
import { startGateway, uniqueRoot, useGateways, type TestGateway } from './support/gateway-fixture.js';
import { proxiedClient } from './support/proxied-client.js';
import { ZkOp, type TcpProxy } from './support/tcp-proxy.js';
import type { LockViewJson } from './gateway-api.test.js';

/** No expiry sweep of the whole root during a test: its reads are not a lock's. */
const QUIET = 3_600;

type Counts = Record<'create' | 'getChildren' | 'getData' | 'setData' | 'delete', number>;

function since(gw: TestGateway, before: Counts): Counts & { total: number } {
  const now = gw.client.operationCounts;
  const d = {
    create: now.create - before.create, getChildren: now.getChildren - before.getChildren, getData: now.getData - before.getData,
    setData: now.setData - before.setData, delete: now.delete - before.delete,
  };
  return { ...d, total: Object.values(d).reduce((a, b) => a + b, 0) };
}

describe('gateway: ZooKeeper requests per lock', function () {
  this.timeout(30_000);
  useGateways();
  const proxies: TcpProxy[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('an uncontended POST + DELETE: three requests in two round trips (create with its stat and the listing leave together, then the delete), nothing else', async () => {
    const { proxy, client } = await proxiedClient(proxies);
    const root = uniqueRoot();
    const gw = await startGateway({ root, client, reapInterval: QUIET });
    const observer = await newClient(); // the test's own reads are not the gateway's
    // The first lock on a resource checks this client's rights on it once (lock-rights.ts).
    const first = await (await gw.post('/locks/r', { lifetime: 60 })).json() as LockViewJson;
    expect((await gw.http(first.url, { method: 'DELETE' })).status).to.equal(204);

    const before = { ...gw.client.operationCounts };
    let hold = proxy.holdReplies();
    const posting = gw.post('/locks/r', { title: 'counted', lifetime: 60 });
    try {
      // Both leave before any reply: one round trip. The kind check and the record need nothing more.
      expect(await hold.untilRequests(2)).to.deep.equal([ZkOp.CREATE2, ZkOp.GET_CHILDREN2]);
    } finally {
      hold.release();
    }
    const res = await posting;
    expect(res.status).to.equal(201);
    const view = await res.json() as LockViewJson;
    expect(view).to.include({ title: 'counted', lifetime: 60, state: 'held' });
    expect(view.fencingToken).to.equal((await observer.exists(view.node))!.czxid.toString()); // from the create's reply
    expect(since(gw, before)).to.deep.equal({ create: 1, getChildren: 1, getData: 0, setData: 0, delete: 0, total: 2 });

    hold = proxy.holdReplies();
    const deleting = gw.http(view.url, { method: 'DELETE' });
    try {
      expect(await hold.untilRequests(1)).to.deep.equal([ZkOp.DELETE]); // the id names the node: no listing, no read
    } finally {
      hold.release();
    }
    expect((await deleting).status).to.equal(204);
    const counted = since(gw, before);
    expect(counted.total, JSON.stringify(counted)).to.be.at.most(3);
    expect(counted).to.deep.equal({ create: 1, getChildren: 1, getData: 0, setData: 0, delete: 1, total: 3 });
    expect(await childrenOf(observer, `${root}/r`)).to.deep.equal([]);
    expect(gw.gateway.heldCount).to.equal(0);
  });

  it('a POST that waits behind another instance\'s lock: it marks its record waiting alongside its watches, is granted by the holder\'s DELETE with one listing and its grant written alongside, and a refresh of the holder meanwhile costs it no listing', async () => {
    const root = uniqueRoot();
    const [a, b] = [await startGateway({ root, reapInterval: QUIET }), await startGateway({ root, reapInterval: QUIET })];
    const observer = await newClient();
    const first = await (await a.post('/locks/q', {})).json() as LockViewJson; // A's rights check, once (see above)
    expect((await a.http(first.url, { method: 'DELETE' })).status).to.equal(204);
    const holder = await (await b.post('/locks/q', { lifetime: 60 })).json() as LockViewJson;
    const before = { ...a.client.operationCounts };
    const waiting = a.post('/locks/q', { wait: 20, title: 'second' });
    await untilChildren(observer, `${root}/q`, 2);
    await pollUntil(async () => (await sessionsWatching(sharedServerPort(), holder.node)).includes(a.client.sessionId), { timeoutMs: 5_000, what: 'the waiter to watch the holder' });
    // Created with the record of a grant at its create (A knew of nothing ahead), it says it waits.
    const waiterNode = (await observer.getChildren(`${root}/q`)).map((c) => `${root}/q/${c}`).find((p) => p !== holder.node)!;
    expect(JSON.parse((await observer.getData(waiterNode)).data.toString())).to.include({ title: 'second', acquiredAt: null, expiresAt: null });
    // The holder's refresh rewrites the node the waiter watches: it watches it again, no new listing.
    expect((await b.post(`${holder.url}/refresh`, { lifetime: 90 })).status).to.equal(200);
    expect((await b.http(holder.url, { method: 'DELETE' })).status).to.equal(204);
    const second = await waiting;
    expect(second.status).to.equal(201);
    const view = await second.json() as LockViewJson;
    expect(view.title).to.equal('second');
    const counted = since(a, before);
    const record = JSON.parse((await observer.getData(view.node)).data.toString()) as { acquiredAt: string; expiresAt: string };
    expect([record.acquiredAt, record.expiresAt]).to.deep.equal([view.acquiredAt, view.expiresAt]);
    // At A: create, 2 listings (its first look, and after the DELETE), 4 reads (the holder's
    // record once, for the maxLeases it is used with: another instance's node; its own watch,
    // the holder's watch, that watch again after the refresh), 2 writes (its waiting mark, its
    // grant sent with the second listing).
    expect(counted).to.deep.equal({ create: 1, getChildren: 2, getData: 4, setData: 2, delete: 0, total: 9 });
    expect((await a.http(view.url, { method: 'DELETE' })).status).to.equal(204);
  });

  it('a POST its instance expected to queue (it still counted a lock another instance had just deleted) but granted at once writes its grant before answering', async () => {
    const root = uniqueRoot();
    const [a, b] = [await startGateway({ root, reapInterval: QUIET }), await startGateway({ root, reapInterval: QUIET })];
    const observer = await newClient();
    const old = await (await a.post('/locks/g', { lifetime: 60 })).json() as LockViewJson;
    expect((await b.http(old.url, { method: 'DELETE' })).status).to.equal(204); // A does not know yet
    expect(a.gateway.heldCount).to.equal(1);
    const res = await a.post('/locks/g', { lifetime: 60, title: 'again' });
    expect(res.status).to.equal(201);
    const view = await res.json() as LockViewJson;
    const { data, stat } = await observer.getData(view.node);
    expect(JSON.parse(data.toString())).to.include({ title: 'again', acquiredAt: view.acquiredAt, expiresAt: view.expiresAt });
    expect(stat.version).to.equal(1); // created waiting, then its grant
    expect((await a.http(view.url, { method: 'DELETE' })).status).to.equal(204);
  });

  it('a waiter woken by its holder\'s deletion sends its grant with the listing that grants it: one round trip from the event to the answer', async () => {
    const { proxy, client } = await proxiedClient(proxies);
    const root = uniqueRoot();
    const [a, b] = [await startGateway({ root, client, reapInterval: QUIET }), await startGateway({ root })];
    const observer = await newClient();
    // After a first lock on the resource (the rights check's create reads its node, watching it),
    // the only watch of A's on the holder's node is its waiter's.
    const first = await (await a.post('/locks/h', {})).json() as LockViewJson;
    expect((await a.http(first.url, { method: 'DELETE' })).status).to.equal(204);
    const holder = await (await a.post('/locks/h', { lifetime: 60 })).json() as LockViewJson;
    const waiting = a.post('/locks/h', { wait: 20, title: 'next' });
    await untilChildren(observer, `${root}/h`, 2);
    await pollUntil(async () => (await sessionsWatching(sharedServerPort(), holder.node)).includes(a.client.sessionId), { timeoutMs: 5_000, what: 'the waiter to watch the holder' });
    // A's replies are held, its watch events are not: B deletes the holder, A's waiter hears it.
    const hold = proxy.holdReplies({ passEvents: true });
    try {
      expect((await b.http(holder.url, { method: 'DELETE' })).status).to.equal(204);
      expect(await hold.untilRequests(2)).to.deep.equal([ZkOp.SET_DATA, ZkOp.GET_CHILDREN2]);
    } finally {
      hold.release();
    }
    const res = await waiting;
    expect(res.status).to.equal(201);
    const view = await res.json() as LockViewJson;
    const { data, stat } = await observer.getData(view.node);
    expect(JSON.parse(data.toString())).to.include({ title: 'next', acquiredAt: view.acquiredAt, expiresAt: view.expiresAt });
    // Created with a waiting record (A's own holder filled the resource: no mark needed), then its grant.
    expect(stat.version).to.equal(1);
    expect((await a.http(view.url, { method: 'DELETE' })).status).to.equal(204); // at the version A knows
  });
});
