// An acquire that times out while (or after) the connection to ZooKeeper was down says so: a
// LockTimeoutError whose message and `outage` tell how long the connection was down during the
// wait, whether it still is, whether the session was replaced, and whose `cause` is the
// connection's problem. It used to read like contention ("could not acquire lock ... within
// 1000 ms"). Connections are cut with a TcpProxy between the client and a real server.
import { expect } from 'chai';
import { ConnectionLossError, ConnectTimeoutError, LockTimeoutError, Mutex } from '../lib/index.js';
import { rejection } from './support/rejection.js';
import { childrenOf, newClient, uniquePath } from './support/harness.js';
import { nextState, proxiedClient } from './support/proxied-client.js';
import { pollUntil } from './support/poll.js';
import type { TcpProxy } from './support/tcp-proxy.js';

const proxies: TcpProxy[] = [];

describe('LockTimeoutError across a connection outage', function () {
  this.timeout(60_000);

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('plain contention: the message is unchanged, no outage, no cause', async () => {
    const [holder, client] = await Promise.all([newClient(), newClient()]);
    const path = uniquePath('outage-none');
    const held = await new Mutex(holder, path).acquire();
    const err = await rejection(new Mutex(client, path).acquire({ timeout: 300 }));
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect((err as LockTimeoutError).message).to.equal(`could not acquire lock ${path} within 300 ms`);
    expect((err as LockTimeoutError).outage).to.equal(undefined);
    expect((err as LockTimeoutError).cause).to.equal(undefined);
    await held.release();
  });

  it('still down when the time runs out: says so, for how long and the last attempt; the cause is the ConnectTimeoutError', async () => {
    const holder = await newClient();
    const { proxy, client } = await proxiedClient(proxies);
    const path = uniquePath('outage-down');
    const held = await new Mutex(holder, path).acquire();
    let queued!: () => void;
    const isQueued = new Promise<void>((resolve) => { queued = resolve; });
    const waiting = rejection(new Mutex(client, path).acquire({ timeout: 2_000, onQueued: () => queued() }));
    await isQueued;
    const suspended = nextState(client, 'SUSPENDED');
    proxy.cut(); // connections reset, new ones refused
    await suspended;
    const err = await waiting as LockTimeoutError;
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect(err.outage?.stillDisconnected).to.equal(true);
    expect(err.outage?.sessionRenewed).to.equal(false);
    expect(err.outage?.disconnectedMs).to.be.above(0).and.at.most(2_000);
    expect(err.message).to.match(new RegExp(`^could not acquire lock ${path} within 2000 ms; the connection to ZooKeeper was down for \\d+ ms of that time \\(still down\\); last connection attempt: 127\\.0\\.0\\.1:\\d+: `));
    expect(err.cause).to.be.instanceOf(ConnectTimeoutError);
    expect((err.cause as ConnectTimeoutError).attempts.map((a) => a.server)).to.deep.equal([proxy.connectString]);
    proxy.restore();
    await held.release();
    // our node, if the server still had it, is deleted once the connection is back
    await pollUntil(async () => (await childrenOf(holder, path)).length === 0, { timeoutMs: 10_000, what: 'no node left' });
  });

  it('down for part of the wait, back before the time ran out: says for how long; the cause is the ConnectionLossError it dropped with', async () => {
    const holder = await newClient();
    const { proxy, client } = await proxiedClient(proxies);
    const path = uniquePath('outage-back');
    const held = await new Mutex(holder, path).acquire();
    let queued!: () => void;
    const isQueued = new Promise<void>((resolve) => { queued = resolve; });
    const waiting = rejection(new Mutex(client, path).acquire({ timeout: 6_000, onQueued: () => queued() }));
    await isQueued;
    const suspended = nextState(client, 'SUSPENDED');
    proxy.cut();
    await suspended;
    const reconnected = nextState(client, 'RECONNECTED');
    proxy.restore();
    await reconnected;
    const err = await waiting as LockTimeoutError;
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect(err.outage?.stillDisconnected).to.equal(false);
    expect(err.outage?.sessionRenewed).to.equal(false);
    expect(err.outage?.disconnectedMs).to.be.above(0).and.below(6_000);
    expect(err.message).to.match(new RegExp(`^could not acquire lock ${path} within 6000 ms; the connection to ZooKeeper was down for \\d+ ms of that time \\(it is back\\)$`));
    expect(err.cause).to.be.instanceOf(ConnectionLossError);
    expect((err.cause as Error).message).to.match(/^the connection to ZooKeeper dropped: 127\.0\.0\.1:\d+: /);
    await held.release();
    expect(await childrenOf(holder, path)).to.deep.equal([]);
  });

  it('the session expired during the wait: says a new one is being established', async () => {
    const holder = await newClient();
    const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 2_000 });
    const path = uniquePath('outage-session');
    const held = await new Mutex(holder, path).acquire();
    let queued!: () => void;
    const isQueued = new Promise<void>((resolve) => { queued = resolve; });
    // longer than the session timeout: the client gives the session up (LOST) before it runs out
    const waiting = rejection(new Mutex(client, path).acquire({ timeout: 5_000, onQueued: () => queued() }));
    await isQueued;
    const lost = nextState(client, 'LOST');
    proxy.cut();
    await lost;
    const err = await waiting as LockTimeoutError;
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect(err.outage).to.include({ stillDisconnected: true, sessionRenewed: true });
    expect(err.message).to.contain('the session expired and a new one is being established');
    expect(err.cause).to.be.instanceOf(ConnectTimeoutError);
    proxy.restore();
    await held.release();
  });
});
