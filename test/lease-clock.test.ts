// The lease judged by the clock (docs/guarantees.md, "Paused holders"): validFor() counts
// down from the latest request the server answered and stays above 0 while the session is
// healthy; a holder paused (SIGSTOP) for longer than the session timeout sees its lease lost
// in its very first timer callback after SIGCONT, before the client has noticed anything.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { LockLostError, Mutex, ValidationError, type ZkClient } from '../lib/index.js';
import { newClient, sharedConnectString, sharedServerPort, uniquePath } from './support/harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const holderScript = fileURLToPath(new URL('./support/pause-holder.js', import.meta.url));

describe('lease validity by the clock', function () {
  this.timeout(60_000);

  it('validFor() is above 0 and at most a session timeout while healthy, and counts down between replies', async () => {
    const client = await newClient({ sessionTimeout: 2_000 });
    const lease = await new Mutex(client, uniquePath('valid-for')).acquire();
    const timeout = client.negotiatedSessionTimeout;
    const first = lease.validFor();
    expect(first).to.be.greaterThan(0).and.at.most(timeout);
    const start = performance.now();
    while (performance.now() - start < 5) { /* no I/O can run: no reply can renew it */ }
    expect(lease.validFor()).to.be.below(first);
    // Over more than a session timeout of idle holding (pings keep the session confirmed).
    let lowest = Infinity;
    const until = performance.now() + 1.5 * timeout;
    while (performance.now() < until) {
      const v = lease.validFor();
      lowest = Math.min(lowest, v);
      expect(v, 'validFor while healthy').to.be.greaterThan(0);
      lease.assertValid();
      await sleep(50);
    }
    expect(lease.signal.aborted).to.equal(false);
    expect(lowest).to.be.below(timeout); // it does count down
    const tooLong = (() => { try { lease.assertValid(10 * timeout); return undefined; } catch (e) { return e; } })();
    expect(tooLong).to.be.instanceOf(LockLostError);
    expect((tooLong as LockLostError).reason).to.equal('SESSION_UNCONFIRMED');
    expect(() => lease.assertValid(-1)).to.throw(ValidationError);
    await lease.release();
    expect(lease.validFor()).to.equal(0);
    expect(() => lease.assertValid()).to.throw(LockLostError).with.property('reason', 'RELEASED');
  });

  it('disconnected, with policy "lost": once the clock runs out, the lease is lost for the reason the client gives (SESSION_LOST), before its timers have run', async () => {
    const proxy = await TcpProxy.start(sharedServerPort());
    try {
      const client: ZkClient = await newClient({ connectString: proxy.connectString, sessionTimeout: 2_000, lossPolicy: 'lost' });
      const lease = await new Mutex(client, uniquePath('clock-lost')).acquire();
      const suspended = new Promise<void>((resolve) => client.once('state', () => resolve()));
      proxy.cut();
      await suspended;
      expect(client.state).to.equal('SUSPENDED');
      expect(lease.signal.aborted).to.equal(false); // policy 'lost': not yet
      const signal = lease.signal;
      // Block the event loop (a pause in miniature) past the session timeout: no timer can run.
      const until = client.sessionAliveUntil + 50;
      while (performance.now() < until) { /* busy */ }
      expect(lease.validFor()).to.equal(0);
      expect(signal.aborted).to.equal(true);
      expect((signal.reason as LockLostError).reason).to.equal('SESSION_LOST');
      expect(client.state).to.equal('LOST'); // given up now, not when its timer gets a turn
      expect(lease.status).to.equal('lost');
      proxy.restore();
      await lease.release();
    } finally {
      await proxy.close();
    }
  });

  it('a holder SIGSTOPped longer than the session timeout sees its lease lost in its first timer callback after SIGCONT', async function () {
    const path = uniquePath('paused');
    const sessionTimeout = 4_000;
    const child = spawn(process.execPath, [holderScript, JSON.stringify({ connect: sharedConnectString(), path, sessionTimeout })],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const inbox: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    child.on('message', (m: Record<string, unknown>) => { inbox.push(m); for (const w of waiters.splice(0)) w(); });
    const next = async (kind: string): Promise<Record<string, unknown>> => {
      for (;;) {
        const at = inbox.findIndex((m) => m.kind === kind);
        if (at >= 0) return inbox.splice(at, 1)[0]!;
        const message = new Promise<void>((resolve) => waiters.push(resolve));
        const ended = exited.then((code) => { throw new Error(`holder exited (${code}) before sending '${kind}'`); });
        await Promise.race([message, ended]);
      }
    };
    try {
      const holding = await next('holding');
      expect(holding.negotiated).to.equal(sessionTimeout);
      expect(holding.validFor).to.be.greaterThan(0);
      child.send('arm');
      await next('armed');
      const other = await newClient();
      process.kill(child.pid!, 'SIGSTOP');
      let taken;
      try {
        // Paused until the server has expired the holder's session and given the lock on.
        taken = await new Mutex(other, path).acquire({ timeout: 30_000 });
      } finally {
        process.kill(child.pid!, 'SIGCONT');
      }
      expect(taken.fencingToken > BigInt(holding.token as string)).to.equal(true);
      const probe = await next('probe');
      expect(probe.gap).to.be.at.least(sessionTimeout);
      // The first timer after the pause: lost by the clock, whatever the client knows yet.
      expect(probe.validFor).to.equal(0);
      expect(probe.capturedAborted).to.equal(true);
      expect(probe.freshAborted).to.equal(true);
      expect(probe.asserted).to.be.oneOf(['SESSION_UNCONFIRMED', 'SUSPENDED', 'SESSION_LOST']);
      // Work due 1.2 s into the pause runs after the watchdog (due at most 100 ms after its
      // last run): its signal was aborted by an event before it ran, not just on reading.
      const work = await next('work');
      expect(work.abortEventSeen).to.equal(true);
      const final = await next('final');
      expect(final.status).to.equal('lost');
      expect(final.reason).to.equal('SESSION_LOST');
      await taken.release();
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
