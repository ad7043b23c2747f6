// Leader elections shared with real Curator 5.4.0 members (Debian's jars, in a JVM of their
// own: test/peer/CuratorLeaderPeer.java): LeaderLatch members of both kinds on one path, and
// LeaderSelector members of both kinds on another. Every member, Java and Node, logs the start
// and end of each of its terms with CLOCK_MONOTONIC to one record; replayed in time order it
// must show at most one leader at every moment. Leadership passes Node -> JVM and JVM -> Node
// on close and on session expiry, and both sides list the same participants in the same order.
// Last, a zkurator leader paused (SIGSTOP) past its session timeout: a Curator member leads
// meanwhile, and the paused one's signal is aborted in its first timer after SIGCONT.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ElectionConflictError, LeaderLatch, LeaderSelector, type ElectionParticipant, type Leadership, type ZkClient,
} from '../lib/index.js';
import { useCuratorLeaderPeer, type CuratorParticipant } from './support/curator-leader-peer.js';
import { childrenOf, newClient, sharedConnectString, sharedServerPort, uniquePath, untilChildren } from './support/harness.js';
import { checkLeaderRecord, recordTerm } from './support/leader-record.js';
import { pollUntil } from './support/poll.js';
import { rejection } from './support/rejection.js';
import { TcpProxy } from './support/tcp-proxy.js';

const pauseMember = fileURLToPath(new URL('./support/leader-pause-member.js', import.meta.url));

/** Both sides' participants, compared on what Curator's Participant has: id and isLeader, in order. */
function ids(list: readonly (ElectionParticipant | CuratorParticipant)[]): string[] {
  return list.map((p) => `${p.id}${p.isLeader ? '*' : ''}`);
}

/** Resolves once the signal aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

describe('leader election with real Curator 5.4.0 members (LeaderLatch, LeaderSelector)', function () {
  this.timeout(120_000);
  const SESSION_MS = 2_000;
  const curatorPeer = useCuratorLeaderPeer();
  let dir: string;
  const proxies: TcpProxy[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zkurator-leader-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  /** A proxy of its own in front of the shared server, for one member. */
  async function proxy(): Promise<TcpProxy> {
    const p = await TcpProxy.start(sharedServerPort());
    proxies.push(p);
    return p;
  }

  /** A zkurator LeaderLatch member `name` behind a proxy of its own, logging its terms to `record`. */
  async function nodeLatch(name: string, path: string, record: string): Promise<{ latch: LeaderLatch; client: ZkClient; proxy: TcpProxy }> {
    const p = await proxy();
    const client = await newClient({ connectString: p.connectString, sessionTimeout: SESSION_MS });
    const latch = new LeaderLatch(client, path, { id: name, closeMode: 'notifyLeader' });
    latch.on('isLeader', () => recordTerm(record, 'enter', name, latch.leadership?.fencingToken));
    latch.on('notLeader', () => recordTerm(record, 'exit', name));
    return { latch, client, proxy: p };
  }

  it('LeaderLatch: one leader at a time across JVM and Node members; it passes both ways on close and on session expiry; participants agree', async () => {
    const record = join(dir, 'latch.log');
    await curatorPeer().recordTo(record);
    const path = uniquePath('interop-latch');
    const observer = await newClient();
    const z1 = await nodeLatch('Z1', path, record);
    const z2 = await nodeLatch('Z2', path, record);
    const j1Proxy = await proxy();
    const j2Proxy = await proxy();
    // Join in this order: Z1 J1 Z2 J2.
    await z1.latch.start();
    await curatorPeer().latch('J1', j1Proxy.connectString, SESSION_MS, path, 'J1');
    await untilChildren(observer, path, 2);
    await z2.latch.start();
    await curatorPeer().latch('J2', j2Proxy.connectString, SESSION_MS, path, 'J2');
    await untilChildren(observer, path, 4);
    expect(await z1.latch.await({ timeout: 10_000 })).to.equal(true);
    // Both sides list the same members in the same order, the same leader.
    expect(ids(await curatorPeer().participants('J2'))).to.deep.equal(['Z1*', 'J1', 'Z2', 'J2']);
    expect(ids(await z2.latch.getParticipants())).to.deep.equal(['Z1*', 'J1', 'Z2', 'J2']);
    expect(ids([await z2.latch.getLeader()])).to.deep.equal(['Z1*']);

    // Node -> JVM on close.
    await z1.latch.close();
    await curatorPeer().next('isLeader', 'J1');
    // JVM -> Node on close.
    await curatorPeer().close('J1');
    expect(await z2.latch.await({ timeout: 10_000 })).to.equal(true);
    expect(ids(await curatorPeer().participants('J2'))).to.deep.equal(['Z2*', 'J2']);
    // Node -> JVM on session expiry: Z2 is cut off (its term ends at once: SUSPENDED) and the
    // server expires its session; then it queues again behind J2.
    const z2Node = z2.latch.node;
    z2.proxy.cut();
    await curatorPeer().next('isLeader', 'J2');
    expect(z2.latch.hasLeadership).to.equal(false);
    z2.proxy.restore();
    await pollUntil(() => z2.latch.node !== undefined && z2.latch.node !== z2Node, { timeoutMs: 20_000, what: 'Z2 in line again' });
    expect(ids(await z2.latch.getParticipants())).to.deep.equal(['J2*', 'Z2']);
    expect(ids(await curatorPeer().participants('J2'))).to.deep.equal(['J2*', 'Z2']);
    // JVM -> Node on session expiry.
    j2Proxy.cut();
    await curatorPeer().next('notLeader', 'J2');
    expect(await z2.latch.await({ timeout: 20_000 })).to.equal(true);
    j2Proxy.restore();
    await untilChildren(observer, path, 2, 20_000); // J2 queued again, on a new session
    expect(ids(await curatorPeer().participants('J2'))).to.deep.equal(['Z2*', 'J2']);
    expect(ids(await z2.latch.getParticipants())).to.deep.equal(['Z2*', 'J2']);

    await z2.latch.close();
    await curatorPeer().next('isLeader', 'J2');
    await curatorPeer().close('J2');
    const verdict = checkLeaderRecord(readFileSync(record, 'utf8'));
    expect(verdict.violations).to.deep.equal([]);
    expect(verdict.terms).to.deep.equal(['Z1', 'J1', 'Z2', 'J2', 'Z2', 'J2']);
    expect(verdict.open).to.deep.equal([]);
    expect(await childrenOf(observer, path)).to.deep.equal([]);
  });

  it('LeaderSelector: one leader at a time across JVM and Node members; it passes both ways on close and on session expiry; participants agree', async () => {
    const record = join(dir, 'selector.log');
    await curatorPeer().recordTo(record);
    const path = uniquePath('interop-selector');
    const observer = await newClient();
    const terms = new Map<string, Leadership>();
    const nodeSelector = async (name: string): Promise<{ selector: LeaderSelector; proxy: TcpProxy; led: () => Promise<void> }> => {
      const p = await proxy();
      const client = await newClient({ connectString: p.connectString, sessionTimeout: SESSION_MS });
      let wake: (() => void) | undefined;
      const selector = new LeaderSelector(client, path, async (leadership) => {
        recordTerm(record, 'enter', name, leadership.fencingToken);
        terms.set(name, leadership);
        wake?.();
        try {
          await aborted(leadership.signal);
        } finally {
          recordTerm(record, 'exit', name); // before the mutex is released
        }
      }, { id: name });
      const led = (): Promise<void> => terms.get(name)?.signal.aborted === false
        ? Promise.resolve()
        : new Promise((resolve) => { wake = resolve; });
      return { selector, proxy: p, led };
    };
    const z1 = await nodeSelector('ZS1');
    const z2 = await nodeSelector('ZS2');
    const j1Proxy = await proxy();
    const j2Proxy = await proxy();
    const z1Led = z1.led();
    z1.selector.start();
    await z1Led;
    await curatorPeer().selector('JS1', j1Proxy.connectString, SESSION_MS, path, 'JS1');
    await untilChildren(observer, path, 2);
    z2.selector.start();
    await untilChildren(observer, path, 3);
    await curatorPeer().selector('JS2', j2Proxy.connectString, SESSION_MS, path, 'JS2');
    await untilChildren(observer, path, 4);
    expect(ids(await curatorPeer().participants('JS2'))).to.deep.equal(['ZS1*', 'JS1', 'ZS2', 'JS2']);
    expect(ids(await z2.selector.getParticipants())).to.deep.equal(['ZS1*', 'JS1', 'ZS2', 'JS2']);

    // Node -> JVM on close.
    await z1.selector.close();
    await curatorPeer().next('isLeader', 'JS1');
    // JVM -> Node on close (Curator interrupts takeLeadership, then releases the mutex).
    const z2Led = z2.led();
    await curatorPeer().close('JS1');
    await z2Led;
    expect(ids(await curatorPeer().participants('JS2'))).to.deep.equal(['ZS2*', 'JS2']);
    // Node -> JVM on session expiry: ZS2's signal aborts at once (SUSPENDED), its callback ends,
    // and the server expires its session and node.
    z2.proxy.cut();
    await curatorPeer().next('isLeader', 'JS2');
    expect(z2.selector.hasLeadership).to.equal(false);
    z2.proxy.restore();
    expect(z2.selector.requeue()).to.equal(true); // its attempt ended with its callback: queue again
    await untilChildren(observer, path, 2, 20_000);
    expect(ids(await curatorPeer().participants('JS2'))).to.deep.equal(['JS2*', 'ZS2']);
    // JVM -> Node on session expiry.
    const z2LedAgain = z2.led();
    j2Proxy.cut();
    await curatorPeer().next('notLeader', 'JS2');
    await z2LedAgain;
    j2Proxy.restore();
    expect(ids(await z2.selector.getParticipants())).to.deep.equal(['ZS2*']);

    await z2.selector.close();
    await curatorPeer().close('JS2');
    const verdict = checkLeaderRecord(readFileSync(record, 'utf8'));
    expect(verdict.violations).to.deep.equal([]);
    expect(verdict.terms).to.deep.equal(['ZS1', 'JS1', 'ZS2', 'JS2', 'ZS2']);
    expect(verdict.open).to.deep.equal([]);
    expect(await childrenOf(observer, path)).to.deep.equal([]);
  });

  it('a path used by both recipes: zkurator refuses, either way round', async () => {
    const client = await newClient();
    const selectorPath = uniquePath('interop-conflict-s');
    await curatorPeer().selector('CS', sharedConnectString(), SESSION_MS, selectorPath, 'CS');
    await curatorPeer().next('isLeader', 'CS');
    const latch = new LeaderLatch(client, selectorPath);
    const err = await rejection(latch.start());
    expect(err).to.be.instanceOf(ElectionConflictError);
    expect((err as ElectionConflictError).path).to.equal(selectorPath);
    await curatorPeer().close('CS');

    const latchPath = uniquePath('interop-conflict-l');
    await curatorPeer().latch('CL', sharedConnectString(), SESSION_MS, latchPath, 'CL');
    await curatorPeer().next('isLeader', 'CL');
    let called = false;
    const selector = new LeaderSelector(client, latchPath, () => { called = true; });
    const failed = new Promise<unknown>((resolve) => selector.once('error', resolve));
    selector.start();
    expect(await failed).to.be.instanceOf(ElectionConflictError);
    await selector.close();
    expect(called).to.equal(false);
    await curatorPeer().close('CL');
  });

  it('a zkurator leader SIGSTOPped past its session timeout: a Curator member leads meanwhile, and the paused leader\'s signal is aborted in its first timer after SIGCONT', async () => {
    const record = join(dir, 'pause.log');
    await curatorPeer().recordTo(record);
    const path = uniquePath('interop-paused');
    const sessionTimeout = 4_000;
    const child = spawn(process.execPath, [pauseMember, JSON.stringify({ connect: sharedConnectString(), path, sessionTimeout })],
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
        const ended = exited.then((code) => { throw new Error(`member exited (${code}) before sending '${kind}'`); });
        await Promise.race([message, ended]);
      }
    };
    try {
      const leading = await next('leading');
      expect(leading.negotiated).to.equal(sessionTimeout);
      await curatorPeer().latch('JP', sharedConnectString(), sessionTimeout, path, 'JP');
      const observer = await newClient();
      await untilChildren(observer, path, 2);
      child.send('arm');
      await next('armed');
      process.kill(child.pid!, 'SIGSTOP');
      try {
        // Paused until the server has expired its session: the Curator member takes over.
        await curatorPeer().next('isLeader', 'JP', 30_000);
      } finally {
        process.kill(child.pid!, 'SIGCONT');
      }
      const probe = await next('probe');
      expect(probe.gap).to.be.at.least(sessionTimeout);
      // Its first timer after the pause: leadership ended by the clock, whatever its client knows yet.
      expect(probe.capturedAborted).to.equal(true);
      expect(probe.validFor).to.equal(0);
      expect(probe.hasLeadership).to.equal(false);
      expect(probe.reason).to.be.oneOf(['SESSION_UNCONFIRMED', 'SUSPENDED', 'SESSION_LOST']);
      // Work due 1.2 s into the pause runs after the watchdog: the abort event came first.
      const work = await next('work');
      expect(work.abortEventSeen).to.equal(true);
      // The Curator member's term began after the paused leader's had surely ended by its own clock.
      const jpEnter = readFileSync(record, 'utf8').split('\n').find((l) => l.includes(' enter JP'));
      expect(jpEnter, 'JP entered').to.be.a('string');
      const [enterNs, , , token] = jpEnter!.split(' ');
      expect(BigInt(enterNs!) > BigInt(probe.validUntilNs as string)).to.equal(true);
      expect(BigInt(token!) > BigInt(leading.token as string)).to.equal(true);
      const requeued = await next('requeued');
      expect(requeued.leads).to.equal(false);
      child.send('close');
      await next('closed');
      expect(await exited).to.equal(0);
      await curatorPeer().close('JP');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
