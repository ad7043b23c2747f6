// The diagnostics channels (each happening published once, in order, nothing built without a
// subscriber) and client.metrics(), on a real server; and the observability guide's Prometheus
// and logging examples, run as written.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LockChannels, LockTimeoutError, Mutex, ReadWriteLock, Semaphore, type ZkClient } from '../lib/index.js';
import { newClient, sharedConnectString, sharedServerPort, uniquePath, untilChildren } from './support/harness.js';
import { nextState } from './support/proxied-client.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { pollUntil } from './support/poll.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Seen { channel: string; message: Record<string, unknown> }

/** Records every zkurator event of `client` (by channel name) until the test ends. */
function recordEvents(client: ZkClient): { events: Seen[]; names: () => string[]; stop: () => void } {
  const events: Seen[] = [];
  const handlers = Object.entries(LockChannels).map(([key, name]) => {
    const fn = (message: unknown): void => {
      const m = message as Record<string, unknown>;
      if (m.client === client) events.push({ channel: key, message: m });
    };
    diagnosticsChannel.subscribe(name, fn);
    return () => diagnosticsChannel.unsubscribe(name, fn);
  });
  return {
    events,
    names: () => events.map((e) => e.channel === 'connection' ? `connection:${String(e.message.state)}` : e.channel),
    stop: () => handlers.forEach((h) => h()),
  };
}

describe('lock events (diagnostics_channel) and client.metrics()', function () {
  this.timeout(30_000);
  const stops: Array<() => void> = [];
  afterEach(() => stops.splice(0).forEach((s) => s()));

  it('queued, acquired, released, timeout, aborted, failed, lost and connection states: each once per happening, in order, with their figures', async () => {
    const path = uniquePath('events');
    const holder = await newClient();
    const client = await newClient();
    const rec = recordEvents(client);
    stops.push(rec.stop);
    // queued is published before the wait starts; poll the record (with a deadline) rather than sleep
    const untilQueued = (n: number) => pollUntil(() => rec.names().filter((e) => e === 'queued').length >= n,
      { timeoutMs: 5_000, what: `queued event ${n}` });
    const first = await new Mutex(holder, path).acquire({ timeout: 5_000 });
    const mutex = new Mutex(client, path);
    const waiting = mutex.acquire({ timeout: 10_000 });
    await untilChildren(holder, path, 2);
    await untilQueued(1);
    await first.release();
    const lease = await waiting;
    await lease.release();
    // try-lock on a busy lock: timeout; an abort; a failure (the client's lock on an ephemeral node)
    const busy = await new Mutex(holder, path).acquire({ timeout: 5_000 });
    expect(await mutex.tryAcquire()).to.equal(null);
    const ac = new AbortController();
    const aborted = mutex.acquire({ signal: ac.signal });
    await untilQueued(2); // its node exists before the listing that queues it: wait for that, not the node
    ac.abort();
    await aborted.catch(() => undefined);
    await busy.release();
    const ephemeral = `${uniquePath('events-eph')}`;
    await holder.createContainers(ephemeral.slice(0, ephemeral.lastIndexOf('/')));
    await holder.create(ephemeral, Buffer.alloc(0), 1 /* EPHEMERAL */);
    await new Mutex(client, `${ephemeral}/lock`).acquire({ timeout: 2_000 }).catch(() => undefined);
    // lost: our node deleted by someone else; then the client closes while holding a read lock
    const doomed = await mutex.acquire({ timeout: 5_000 });
    const lossSignal = doomed.signal;
    await holder.delete(doomed.path);
    if (!lossSignal.aborted) await new Promise((r) => lossSignal.addEventListener('abort', r, { once: true }));
    await new ReadWriteLock(client, path).readLock.acquire({ timeout: 5_000 });
    await client.close();

    expect(rec.names()).to.deep.equal([
      'queued', 'acquired', 'released',
      'timeout',
      'queued', 'aborted',
      'failed',
      'acquired', 'lost',
      'acquired', 'connection:CLOSED', 'lost',
    ]);
    const m = (i: number): Record<string, unknown> => rec.events[i]!.message;
    expect(m(0)).to.include({ lockPath: path, kind: 'lock', position: 1 });
    expect(m(0).watching).to.equal(first.path);
    expect(m(1).node).to.equal(lease.path);
    expect(m(1).waitMs).to.be.a('number').above(0);
    expect(m(1).fencingToken).to.equal(lease.fencingToken);
    expect(m(2)).to.include({ node: lease.path });
    expect(m(2).holdMs).to.be.a('number').at.least(0);
    expect(m(3).error).to.be.instanceOf(LockTimeoutError);
    expect(m(5).error).to.equal(ac.signal.reason);
    expect((m(6).error as Error).name).to.equal('NoChildrenForEphemeralsError');
    expect(m(8)).to.include({ node: doomed.path, reason: 'NODE_DELETED' });
    expect(m(9)).to.include({ kind: 'read' });
    expect(m(11)).to.include({ kind: 'read', reason: 'CLIENT_CLOSED' });

    const metrics = client.metrics();
    expect(metrics).to.deep.include({ held: 0, waiting: 0, released: 1, lost: 2, acquires: { acquired: 3, timeout: 1, aborted: 1, failed: 1 } });
    expect(metrics.waitMs.count).to.equal(3);
    expect(metrics.waitMs.max).to.be.at.least(metrics.waitMs.p50).and.at.least(m(1).waitMs as number);
    expect(metrics.holdMs.count).to.equal(3);
  });

  it('a dropped connection: SUSPENDED then RECONNECTED, once each; a hold that survives it is not lost, and is released once', async () => {
    const proxy = await TcpProxy.start(sharedServerPort());
    try {
      const client = await newClient({ connectString: proxy.connectString, sessionTimeout: 8_000 });
      const rec = recordEvents(client);
      stops.push(rec.stop);
      const lease = await new Mutex(client, uniquePath('events-drop')).acquire({ timeout: 5_000 });
      const reconnected = nextState(client, 'RECONNECTED');
      proxy.reset();
      await reconnected;
      await lease.untilSafe();
      await lease.release();
      expect(rec.names()).to.deep.equal(['acquired', 'connection:SUSPENDED', 'connection:RECONNECTED', 'released']);
      expect(rec.events[1]!.message.sessionId).to.equal(client.sessionId);
      expect(client.metrics()).to.deep.include({ held: 0, released: 1, lost: 0 });
    } finally {
      await proxy.close();
    }
  });

  it('metrics: held and waiting are live gauges; re-entry is not a new acquire; percentiles are nearest-rank over the samples', async () => {
    const path = uniquePath('metrics');
    const client = await newClient();
    const other = await newClient();
    const mutex = new Mutex(client, path);
    const held = await new Mutex(other, path).acquire({ timeout: 5_000 });
    const pending = mutex.acquire({ timeout: 10_000 });
    await untilChildren(other, path, 2);
    expect(client.metrics()).to.include({ held: 0, waiting: 1 });
    await held.release();
    const first = await pending;
    expect(client.metrics()).to.include({ held: 1, waiting: 0 });
    await first.release();
    await mutex.withLock(async () => {
      expect(client.metrics().held).to.equal(1);
      await mutex.withLock(() => expect(client.metrics().held).to.equal(1)); // re-entry: same hold
    }, { timeout: 5_000 });
    const after = client.metrics();
    expect(after).to.deep.include({ held: 0, waiting: 0, acquires: { acquired: 2, timeout: 0, aborted: 0, failed: 0 }, released: 2 });
    expect(after.waitMs.p99).to.equal(after.waitMs.max);
  });

  it('Semaphore: each lease asked for is one acquire (kind lease, on the semaphore path), released or timed out on its own; the gauges come back to 0', async () => {
    const path = uniquePath('events-semaphore');
    const client = await newClient();
    const rec = recordEvents(client);
    stops.push(rec.stop);
    const semaphore = new Semaphore(client, path, { maxLeases: 2 });
    const pair = await semaphore.acquire({ count: 2, timeout: 5_000 });
    expect(client.metrics()).to.include({ held: 2, waiting: 0 });
    expect(await semaphore.tryAcquire()).to.equal(null); // full: one lease asked for, timed out
    for (const lease of pair) await lease.release();
    const lease = rec.events.filter((e) => e.message.kind === 'lease');
    expect(lease.map((e) => e.channel)).to.deep.equal(['acquired', 'acquired', 'timeout', 'released', 'released']);
    expect(lease.every((e) => e.message.lockPath === path)).to.equal(true);
    expect(lease.filter((e) => e.channel === 'acquired').map((e) => e.message.node)).to.deep.equal(pair.map((l) => l.path));
    expect(client.metrics()).to.deep.include({ held: 0, waiting: 0, acquires: { acquired: 2, timeout: 1, aborted: 0, failed: 0 }, released: 2 });
  });

  it('with no subscriber nothing is published (no message is built)', async () => {
    const channels = Object.values(LockChannels).map((n) => diagnosticsChannel.channel(n));
    expect(channels.map((c) => c.hasSubscribers)).to.deep.equal(channels.map(() => false));
    const originals = channels.map((c) => c.publish);
    let published = 0;
    for (const c of channels) c.publish = () => { published++; };
    try {
      const client = await newClient();
      const lease = await new Mutex(client, uniquePath('quiet')).acquire({ timeout: 5_000 });
      await lease.release();
      await client.close();
    } finally {
      channels.forEach((c, i) => { c.publish = originals[i]!; });
    }
    expect(published).to.equal(0);
  });

  for (const example of ['prometheus', 'log-events']) {
    it(`examples/${example}.mjs is in docs/observability.md verbatim and runs`, async function () {
      this.timeout(30_000);
      const file = join(repoRoot, 'examples', `${example}.mjs`);
      const source = readFileSync(file, 'utf8');
      expect(readFileSync(join(repoRoot, 'docs', 'observability.md'), 'utf8')).to.contain(source.trim());
      const { stdout } = await promisify(execFile)(process.execPath, [file], {
        cwd: repoRoot, env: { ...process.env, ZOOKEEPER_CONNECT: sharedConnectString() }, timeout: 25_000,
      });
      if (example === 'prometheus') {
        expect(stdout).to.match(/^zkurator_lock_acquires_total\{lock="\/locks\/example",outcome="acquired"\} 1$/m);
        expect(stdout).to.match(/^zkurator_lock_acquires_total\{lock="\/locks\/example",outcome="timeout"\} 1$/m);
        expect(stdout).to.match(/^zkurator_lock_wait_seconds_count\{lock="\/locks\/example"\} 1$/m);
        expect(stdout).to.match(/^zkurator_lock_hold_seconds_count\{lock="\/locks\/example"\} 1$/m);
        expect(stdout).to.match(/^zkurator_locks_held 0$/m);
      } else {
        const events = stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event);
        expect(events).to.deep.equal(['connection', 'lock.acquired', 'lock.timeout', 'lock.released', 'connection']);
      }
    });
  }
});
