// The test rig itself, on real servers: a 3-node ensemble that loses and regains members,
// server-side session expiry. (Container reaping: F20 in faults.test.ts.)
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Mutex, type ConnectionState } from '../lib/index.js';
import { expireSession } from './support/expire-session.js';
import { childrenOf, newClient, sharedConnectString, sharedServerPort, track, uniquePath, untilChildren } from './support/harness.js';
import { pollUntil } from './support/poll.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { useEnsemble } from './support/ensemble-fixture.js';
import { launchServer, serverBackend, untilContainerEnds, type ContainerHandle } from './support/server-backend.js';
import { ZkServerProcess } from './support/zk-server.js';
import { freePort } from './support/ports.js';

describe('test rig on real servers', function () {
  this.timeout(120_000);

  describe('3-node ensemble', () => {
    const cluster = useEnsemble();

    it('elects one leader; the mutex keeps working after the leader is killed and restarted', async () => {
      const modes = await Promise.all(cluster().members.map((m) => m.mode()));
      expect(modes.filter((m) => m === 'leader')).to.have.length(1);
      expect(modes.filter((m) => m === 'follower')).to.have.length(2);
      const [a, b] = await Promise.all([
        newClient({ connectString: cluster().connectString, sessionTimeout: 10_000 }),
        newClient({ connectString: cluster().connectString, sessionTimeout: 10_000 }),
      ]);
      const path = uniquePath('ensemble');
      const lease = await new Mutex(a, path).acquire({ timeout: 10_000 });
      const waiting = track(new Mutex(b, path).acquire({ timeout: 60_000 }));
      await pollUntil(async () => (await childrenOf(a, path).catch(() => [])).length === 2, { timeoutMs: 10_000, what: 'b queued' });

      const leader = await cluster().leader();
      expect(leader).to.not.equal(undefined);
      await leader!.stop('SIGKILL');
      await pollUntil(async () => (await cluster().leader()) !== undefined, { timeoutMs: 60_000, intervalMs: 200, what: 'new leader' });
      // sessions survive the election (shorter than the session timeout): holder and waiter keep their nodes
      await lease.release();
      const got = await waiting.promise;
      expect(await new Mutex(b, path).participants()).to.deep.equal([got.path]);
      await cluster().restart(leader!.id);
      expect(await leader!.mode()).to.be.oneOf(['follower', 'leader']);
      await got.release();
      expect(await childrenOf(b, path)).to.deep.equal([]);
    });
  });

  it(`a server that ends by itself (bad config): its run's exited resolves and running turns false (backend: ${serverBackend()})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkurator-dies-'));
    try {
      const configFile = join(dir, 'zoo.cfg');
      const logFile = join(dir, 'server.log');
      writeFileSync(configFile, `dataDir=${dir}/data\nclientPort=not-a-port\n`);
      const run = await launchServer({ configFile, logFile, dir, jvm: {} });
      await run.exited; // hangs (the test times out) if nothing watches the JVM or container end
      expect(run.running).to.equal(false);
      await run.stop('SIGKILL'); // nothing left to stop; the container, if any, is removed
      expect(readFileSync(logFile, 'utf8')).to.contain('Invalid config, exiting abnormally');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`a server that exits before serving fails waitServing with the end of its log, not a path to a log that is removed (backend: ${serverBackend()})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkurator-dies-'));
    try {
      const configFile = join(dir, 'zoo.cfg');
      writeFileSync(configFile, `dataDir=${dir}/data\nclientPort=not-a-port\n`);
      const server = new ZkServerProcess(1, await freePort(), configFile, join(dir, 'server.log'), dir, {});
      await server.start();
      const err = await server.waitServing(30_000).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(Error);
      expect((err as Error).message).to.match(/^server 1 exited before serving; the end of its log \(.*server\.log, removed with its cluster\):\n/);
      expect((err as Error).message).to.contain('  | ').and.to.contain('Invalid config, exiting abnormally');
      await server.stop('SIGKILL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('free ports for servers are below the kernel\'s ephemeral range, free, and never handed out twice', async () => {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
    expect(new Set(ports).size).to.equal(50);
    for (const port of ports) expect(port).to.be.within(20_000, low - 1);
    // a port picked is bindable now (nothing else holds it)
    const srv = createServer();
    await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(ports[0], '127.0.0.1', resolve); });
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });

  it('container backend: waiting on a container ends when the engine says so, retried while it still runs, never forever', async () => {
    /** A fake engine: wait() answers from `waits` in turn; inspect() says whether it still runs. */
    const fake = (waits: Array<'ends' | 'fails'>, runningAfterFailure: boolean): ContainerHandle & { calls: string[] } => {
      const calls: string[] = [];
      return {
        calls,
        wait: async () => {
          const next = waits.shift() ?? 'fails';
          calls.push(`wait:${next}`);
          if (next === 'fails') throw new Error('socket hang up');
        },
        inspect: async () => {
          calls.push('inspect');
          return { State: { Running: runningAfterFailure } };
        },
      };
    };
    const notes: string[] = [];
    const ends = fake(['ends'], true);
    await untilContainerEnds(ends, (n) => notes.push(n));
    expect(ends.calls).to.deep.equal(['wait:ends']);
    const flaky = fake(['fails', 'fails', 'ends'], true);
    await untilContainerEnds(flaky, (n) => notes.push(n));
    expect(flaky.calls).to.deep.equal(['wait:fails', 'inspect', 'wait:fails', 'inspect', 'wait:ends']);
    const gone = fake(['fails'], false);
    await untilContainerEnds(gone, (n) => notes.push(n));
    expect(gone.calls).to.deep.equal(['wait:fails', 'inspect']);
    expect(notes).to.deep.equal([]);
    const broken = fake([], true);
    await untilContainerEnds(broken, (n) => notes.push(n));
    expect(broken.calls.filter((c) => c === 'wait:fails')).to.have.length(5);
    expect(notes).to.deep.equal(['waiting on the container failed 5 times while it runs (Error: socket hang up); reported as ended']);
  });

  it('server-side session expiry: the holder sees LOST then a new session; a waiter takes the lock', async () => {
    const proxy = await TcpProxy.start(sharedServerPort());
    try {
      const [holder, waiter] = await Promise.all([newClient({ connectString: proxy.connectString }), newClient()]);
      const path = uniquePath('expiry');
      const states: ConnectionState[] = [];
      holder.on('state', (s) => states.push(s));
      const oldSession = holder.sessionId;
      const lease = await new Mutex(holder, path).acquire();
      const waiting = track(new Mutex(waiter, path).acquire({ timeout: 30_000 }));
      await untilChildren(waiter, path, 2);
      await expireSession(holder, proxy, sharedConnectString());
      const got = await waiting.promise;
      await pollUntil(() => states.includes('CONNECTED'), { timeoutMs: 20_000, what: 'holder reconnected with a new session' });
      expect(states).to.include('LOST');
      expect(states.indexOf('LOST')).to.be.below(states.lastIndexOf('CONNECTED'));
      expect(holder.sessionId).to.not.equal(oldSession);
      expect(holder.sessionGeneration).to.equal(1);
      // the stale lease's release neither throws nor deletes the new holder's node
      await lease.release();
      expect(await new Mutex(waiter, path).participants()).to.deep.equal([got.path]);
      await got.release();
      // and the holder's client works again on its new session
      const again = await new Mutex(holder, path).acquire({ timeout: 5_000 });
      await again.release();
    } finally {
      await proxy.close();
    }
  });
});
