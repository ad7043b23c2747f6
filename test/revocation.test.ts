// Revocation (Curator's makeRevocable / Revoker.attemptRevoke), zkurator on both sides, on the
// shared server: a revoker's `__REVOKE__` reaches a revocable holder's lease as an event, once
// per request, also when written while the acquire was still queued or while the holder was
// disconnected; the holder decides; one own-node watch, nothing left registered after release.
import { expect } from 'chai';
import {
  Mutex, NotHeldError, ReadWriteLock, RevokeRequestedError, ValidationError, revoke, type Lease, type ZkClient,
} from '../lib/index.js';
import { fourLetterWord } from './support/four-letter.js';
import { newClient, sharedConnectString, sharedServerPort, track, uniquePath, untilChildren } from './support/harness.js';
import { nextState, proxiedClient } from './support/proxied-client.js';
import { expireSession } from './support/expire-session.js';
import { pollUntil } from './support/poll.js';
import type { TcpProxy } from './support/tcp-proxy.js';

const proxies: TcpProxy[] = [];

/** Resolves with the abort reason when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

/** Counts revocation requests heard by `lease`, with a way to await the n-th. */
function countRequests(lease: Lease): { count: () => number; until: (n: number) => Promise<void> } {
  let count = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  lease.onRevokeRequested((l) => {
    expect(l).to.equal(lease);
    count++;
    for (const w of waiters.filter((x) => x.n <= count)) w.resolve();
  });
  return {
    count: () => count,
    until: (n) => (count >= n ? Promise.resolve() : new Promise((resolve) => { waiters.push({ n, resolve }); })),
  };
}

/** The paths the server says `client`'s session watches (`wchc`). */
async function serverWatches(client: ZkClient): Promise<string[]> {
  const out = await fourLetterWord(sharedServerPort(), 'wchc');
  const paths: string[] = [];
  let current: string | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('0x')) current = line.trim().slice(2);
    else if (line.trim().startsWith('/') && current === client.sessionId) paths.push(line.trim());
  }
  return paths;
}

function watchesLeft(client: ZkClient): { own: string[]; waiting: number } {
  return { own: client.ownWatchedPaths, waiting: client.pendingWatchListeners };
}

describe('revocation', function () {
  this.timeout(30_000);

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('a revoke request reaches a revocable holder (signal and listener); it releases and the waiter gets the lock; nothing stays registered', async () => {
    const holderClient = await newClient();
    const other = await newClient();
    const path = uniquePath('revoke');
    const lease = await new Mutex(holderClient, path, { revocable: true }).acquire();
    expect(lease.revocable).to.equal(true);
    expect(lease.revokeRequested).to.equal(false);
    expect((await other.getData(lease.path)).data.length).to.equal(0); // Curator's revocable nodes are empty
    const signal = lease.revokeSignal;
    expect(signal.aborted).to.equal(false);
    const heard = countRequests(lease);
    lease.onRevokeRequested(async (l) => { await l.release(); }); // honour it
    let afterRelease = 0;
    lease.onRevokeRequested(() => { afterRelease++; }); // removed by that release: never called
    const waiter = track(new Mutex(other, path).acquire({ timeout: 20_000 }));
    await untilChildren(other, path, 2);
    await pollUntil(() => holderClient.ownWatchedPaths.length === 1, { timeoutMs: 5_000, what: 'the holder watching its node' });
    expect(holderClient.ownWatchedPaths).to.deep.equal([lease.path]);

    expect(await revoke(other, lease.path)).to.equal(true);
    const reason = await aborted(signal);
    expect(reason).to.be.instanceOf(RevokeRequestedError);
    expect((reason as RevokeRequestedError).nodePath).to.equal(lease.path);
    expect((reason as RevokeRequestedError).code).to.equal('REVOKE_REQUESTED');
    expect(heard.count()).to.equal(1);
    expect(lease.revokeRequested).to.equal(true);
    const next = await waiter.promise;
    expect(lease.released).to.equal(true);
    expect(afterRelease).to.equal(0);
    expect(lease.status).to.equal('released');
    expect(watchesLeft(holderClient)).to.deep.equal({ own: [], waiting: 0 });
    await next.release();
    expect(await revoke(other, lease.path)).to.equal(false); // gone: ignored, as Curator's Revoker does
  });

  it('every request is heard once (a re-read after an unrelated event does not repeat one); a holder may keep the lock', async () => {
    const holderClient = await newClient();
    const other = await newClient();
    const path = uniquePath('revoke-keep');
    const lease = await new Mutex(holderClient, path, { revocable: true }).acquire();
    const heard = countRequests(lease);
    await pollUntil(() => holderClient.ownWatchedPaths.length === 1, { timeoutMs: 5_000, what: 'the holder watching its node' });
    expect(await serverWatches(holderClient)).to.deep.equal([lease.path]); // one watch: its own node's data
    for (let n = 1; n <= 3; n++) {
      await revoke(other, lease.path);
      await heard.until(n);
      expect(heard.count()).to.equal(n);
    }
    // Re-armed after each request, still exactly one.
    await pollUntil(async () => (await serverWatches(holderClient)).length === 1, { timeoutMs: 5_000, what: 'the watch re-armed' });
    expect(await serverWatches(holderClient)).to.deep.equal([lease.path]);
    // An unrelated change of our node's data fires the watch too: it is re-armed, not a request.
    await other.setData(lease.path, Buffer.from('x'));
    await pollUntil(async () => (await holderClient.getData(lease.path)).data.toString() === 'x' && holderClient.ownWatchedPaths.length === 1,
      { timeoutMs: 5_000, what: 'the watch re-armed after an unrelated change' });
    await revoke(other, lease.path);
    await heard.until(4);
    expect(heard.count()).to.equal(4);
    expect(lease.status).to.equal('held'); // kept: revocation is cooperative
    expect(await new Mutex(other, path).tryAcquire()).to.equal(null);
    await lease.release();
    expect(watchesLeft(holderClient)).to.deep.equal({ own: [], waiting: 0 });
    expect(await serverWatches(holderClient)).to.deep.equal([]); // the delete fired and ended it
  });

  it('a request written while the acquire was still queued is pending at once on the lease', async () => {
    const a = await newClient();
    const b = await newClient();
    const path = uniquePath('revoke-queued');
    const first = await new Mutex(a, path).acquire();
    const queued = track(new Mutex(b, path, { revocable: true }).acquire({ timeout: 20_000 }));
    await untilChildren(a, path, 2);
    const [, ourNode] = await new Mutex(a, path).participants();
    expect(await revoke(a, ourNode!)).to.equal(true);
    await pollUntil(async () => (await a.getData(ourNode!)).data.toString() === '__REVOKE__', { timeoutMs: 5_000, what: 'the request written' });
    await first.release();
    const lease = await queued.promise;
    expect(lease.path).to.equal(ourNode);
    expect(lease.revokeSignal.aborted).to.equal(true);
    const heard = countRequests(lease);
    await heard.until(1); // told at once (a microtask) of the pending request
    await lease.release();
  });

  it('a request written while the holder is disconnected is heard after the reconnect (the watch comes back with the session)', async () => {
    const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 8_000, lossPolicy: 'lost' });
    const other = await newClient();
    const path = uniquePath('revoke-reconnect');
    const lease = await new Mutex(client, path, { revocable: true }).acquire();
    const heard = countRequests(lease);
    await pollUntil(() => client.ownWatchedPaths.length === 1, { timeoutMs: 5_000, what: 'the holder watching its node' });
    const suspended = nextState(client, 'SUSPENDED');
    proxy.cut();
    await suspended;
    await revoke(other, lease.path);
    expect(heard.count()).to.equal(0);
    const back = nextState(client, 'RECONNECTED');
    proxy.restore();
    await back;
    await heard.until(1);
    expect(lease.status).to.equal('held');
    await lease.release();
    expect(watchesLeft(client)).to.deep.equal({ own: [], waiting: 0 });
  });

  it('an expired session: the revocable lease is lost, hears nothing more, and its old node cannot be revoked; nothing stays registered', async () => {
    const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 2_000 });
    const other = await newClient();
    const lease = await new Mutex(client, uniquePath('revoke-expired'), { revocable: true }).acquire();
    const heard = countRequests(lease);
    const lost = nextState(client, 'LOST');
    await expireSession(client, proxy, sharedConnectString());
    await lost;
    expect(lease.status).to.equal('lost');
    expect(await revoke(other, lease.path)).to.equal(false); // the node went with the session
    expect(heard.count()).to.equal(0);
    expect(lease.revokeSignal.aborted).to.equal(false);
    await lease.release();
    expect(watchesLeft(client)).to.deep.equal({ own: [], waiting: 0 });
  });

  it('both halves of a revocable read-write lock hear requests; a downgrade keeps the lock revocable', async () => {
    const c = await newClient();
    const other = await newClient();
    const rw = new ReadWriteLock(c, uniquePath('revoke-rw'), { revocable: true });
    const write = await rw.writeLock.acquire();
    const writeHeard = countRequests(write);
    await revoke(other, write.path);
    await writeHeard.until(1);
    const read = await write.downgrade();
    const readHeard = countRequests(read);
    await revoke(other, read.path);
    await readHeard.until(1);
    expect(read.revokeSignal.aborted).to.equal(true);
    await read.release();
  });

  it('a revocable v1 semaphore (maxLeases): only the lease whose node is named hears the request', async () => {
    const c = await newClient();
    const other = await newClient();
    const path = uniquePath('revoke-sem');
    const a = await new Mutex(c, path, { maxLeases: 2, revocable: true }).acquire();
    const b = await new Mutex(c, path, { maxLeases: 2, revocable: true }).acquire();
    const heardA = countRequests(a);
    const heardB = countRequests(b);
    await revoke(other, b.path);
    await heardB.until(1);
    await revoke(other, b.path);
    await heardB.until(2);
    expect(heardA.count()).to.equal(0);
    expect(a.revokeRequested).to.equal(false);
    await Promise.all([a.release(), b.release()]);
  });

  it('bad input: not revocable, nodeData with revocable, a bad node path, a released lease', async () => {
    const c = await newClient();
    const path = uniquePath('revoke-bad');
    expect(() => new Mutex(c, path, { revocable: true, nodeData: Buffer.from('x') })).to.throw(ValidationError, /nodeData/);
    expect(() => new Mutex(c, path, { revocable: 'yes' as unknown as boolean })).to.throw(ValidationError, /revocable/);
    expect(() => new ReadWriteLock(c, path, { revocable: 1 as unknown as boolean })).to.throw(ValidationError, /revocable/);
    const sent = c.operationCounts.setData;
    expect(await revoke(c, 'relative').catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
    expect(await revoke({} as ZkClient, '/a').catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
    expect(c.operationCounts.setData).to.equal(sent);
    const plain = await new Mutex(c, path).acquire();
    expect(plain.revocable).to.equal(false);
    expect(plain.revokeRequested).to.equal(false);
    expect(() => plain.revokeSignal).to.throw(ValidationError, /not revocable/);
    expect(() => plain.onRevokeRequested(() => undefined)).to.throw(ValidationError, /not revocable/);
    // A request for a lock that is not revocable is written, and ignored by its holder, as in Curator.
    expect(await revoke(c, plain.path)).to.equal(true);
    await plain.release();
    const revocable = await new Mutex(c, path, { revocable: true }).acquire();
    expect(() => revocable.onRevokeRequested('x' as unknown as () => void)).to.throw(ValidationError);
    await revocable.release();
    expect(() => revocable.onRevokeRequested(() => undefined)).to.throw(NotHeldError);
  });
});
