// LeaderLatch on a real ZooKeeper server: the API (events, await, leadership, participants,
// close modes), the double-leader rules Curator's fixes brought (list first after a reconnect,
// ephemeralOwner checked before leading, no interleaving, no node left by a close during the
// create), and ports of Curator's own TestLeaderLatch / TestLeaderLatchCluster tests, named
// after their originals. Races Curator's tests force with debug latches inside the recipe are
// forced here from outside: a TcpProxy holds the server's replies back.
import { expect } from 'chai';
import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  connect, ElectionConflictError, ElectionStateError, LeaderChannels, LeaderLatch, LeadershipLostError, Mutex, ValidationError,
  type LeadershipLostMessage, type ZkClient,
} from '../lib/index.js';
import { childrenOf, newClient, sharedConnectString, track, uniquePath, untilChildren } from './support/harness.js';
import { firstLeader, leadersOf, logLeadership } from './support/latch-helpers.js';
import { pollUntil } from './support/poll.js';
import { nextState, proxiedClient } from './support/proxied-client.js';
import { rejection } from './support/rejection.js';
import { LOCK_CREATE_OPS, TcpProxy } from './support/tcp-proxy.js';
import { ZkCluster } from './support/zk-server.js';
import { useEnsemble } from './support/ensemble-fixture.js';

const LATCH_NODE_RE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-\d{10}$/;

/** Resolves once the signal aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Closes every latch (a closed one resolves at once). */
async function closeAll(latches: readonly LeaderLatch[]): Promise<void> {
  await Promise.all(latches.map((l) => l.close()));
}

describe('LeaderLatch', function () {
  this.timeout(60_000);
  const proxies: TcpProxy[] = [];
  const latches: LeaderLatch[] = [];
  /** A latch closed after the test. */
  const latch = (client: ZkClient, path: string, options?: ConstructorParameters<typeof LeaderLatch>[2]): LeaderLatch => {
    const l = new LeaderLatch(client, path, options);
    latches.push(l);
    return l;
  };
  afterEach(async () => {
    await closeAll(latches.splice(0));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  describe('as a member of an election', () => {
    it('the first node leads: isLeader, hasLeadership, a leadership term with the node\'s czxid as fencing token; the id is the node\'s data', async () => {
      const client = await newClient();
      const path = uniquePath('latch-basics');
      const a = latch(client, path, { id: 'node-a' });
      const log: string[] = [];
      logLeadership(a, 'a', log);
      expect(a.state).to.equal('latent');
      expect(a.hasLeadership).to.equal(false);
      await a.start();
      expect(a.state).to.equal('started');
      expect(await a.await({ timeout: 5_000 })).to.equal(true);
      expect(log).to.deep.equal(['a+']);
      const children = await childrenOf(client, path);
      expect(children).to.have.length(1);
      expect(children[0]).to.match(LATCH_NODE_RE);
      expect(a.node).to.equal(`${path}/${children[0]}`);
      const { data, stat } = await client.getData(a.node!);
      expect(data.toString('utf8')).to.equal('node-a');
      expect(stat.ephemeralOwner).to.equal(client.sessionId);
      const term = a.leadership!;
      expect(term.fencingToken).to.equal(stat.czxid);
      expect(term.node).to.equal(a.node);
      expect(term.signal.aborted).to.equal(false);
      expect(term.validFor()).to.be.greaterThan(0).and.at.most(client.negotiatedSessionTimeout);
      term.assertValid();
      expect(() => term.assertValid(10 * client.negotiatedSessionTimeout)).to.throw(LeadershipLostError).with.property('reason', 'SESSION_UNCONFIRMED');
      await a.close();
      expect(a.state).to.equal('closed');
      expect(a.hasLeadership).to.equal(false);
      expect(a.leadership).to.equal(undefined);
      expect(term.signal.aborted).to.equal(true);
      expect((term.signal.reason as LeadershipLostError).reason).to.equal('CLOSED');
      expect(term.validFor()).to.equal(0);
      expect(log).to.deep.equal(['a+']); // silent close: no notLeader
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it('getParticipants() and getLeader(): every member in election order with its id, the leader first; none on a path never used', async () => {
      const clients = await Promise.all([newClient(), newClient(), newClient()]);
      const path = uniquePath('latch-participants');
      const empty = latch(clients[0]!, path);
      expect(await empty.getParticipants()).to.deep.equal([]);
      expect(await empty.getLeader()).to.deep.equal({ id: '', isLeader: false, node: undefined }); // testUncreatedPathGetLeader (CURATOR-436)
      const members = clients.map((c, i) => latch(c, path, { id: `member-${i}` }));
      for (const m of members) await m.start();
      await firstLeader(members);
      const expected = members.map((m, i) => ({ id: `member-${i}`, isLeader: i === 0, node: m.node }));
      for (const m of members) expect(await m.getParticipants()).to.deep.equal(expected);
      expect(await members[2]!.getLeader()).to.deep.equal(expected[0]);
      expect(await empty.getParticipants()).to.deep.equal(expected); // any latch object on the path reads the same
    });

    it('await(): false on timeout while another leads; rejects with the signal\'s reason; true once leader', async () => {
      const path = uniquePath('latch-await');
      const a = latch(await newClient(), path);
      const b = latch(await newClient(), path);
      await a.start();
      await b.start();
      expect(await a.await()).to.equal(true);
      expect(await b.await({ timeout: 0 })).to.equal(false);
      expect(await b.await({ timeout: 50 })).to.equal(false);
      const ac = new AbortController();
      const aborted = b.await({ signal: ac.signal });
      ac.abort(new Error('stop waiting'));
      expect((await rejection(aborted) as Error).message).to.equal('stop waiting');
      const waiting = b.await();
      await a.close();
      expect(await waiting).to.equal(true);
    });

    it('await() on a latch not started or closed: false with a timeout, ElectionStateError without (Curator\'s await(timeout) / await())', async () => {
      const client = await newClient();
      const path = uniquePath('latch-await-state');
      const fresh = latch(client, path);
      expect(await fresh.await({ timeout: 100 })).to.equal(false);
      expect(await rejection(fresh.await())).to.be.instanceOf(ElectionStateError);
      const leader = latch(client, path);
      await leader.start();
      await fresh.start();
      const withTimeout = fresh.await({ timeout: 30_000 });
      const without = rejection(fresh.await());
      await fresh.close();
      expect(await withTimeout).to.equal(false);
      const err = await without;
      expect(err).to.be.instanceOf(ElectionStateError);
      expect((err as ElectionStateError).code).to.equal('ELECTION_STATE');
      expect(await fresh.await({ timeout: 10 })).to.equal(false);
    });

    it('start() twice or after close() is an ElectionStateError; close() twice resolves', async () => {
      const client = await newClient();
      const a = latch(client, uniquePath('latch-twice'));
      await a.start();
      expect(await rejection(a.start())).to.be.instanceOf(ElectionStateError);
      await a.close();
      await a.close();
      expect(await rejection(a.start())).to.be.instanceOf(ElectionStateError);
      const never = latch(client, uniquePath('latch-never'));
      await never.close(); // closing a latch never started is fine; it cannot be started afterwards
      expect(await rejection(never.start())).to.be.instanceOf(ElectionStateError);
    });

    it('bad input is a ValidationError before any request', async () => {
      const client = await newClient();
      const before = { ...client.operationCounts };
      const bad: Array<() => unknown> = [
        () => new LeaderLatch(client, 'relative/path'), // testRelativePath
        () => new LeaderLatch(client, '/a//b'),
        () => new LeaderLatch(client, '/zookeeper/x'),
        () => new LeaderLatch(client, '/e', { id: 42 as unknown as string }),
        () => new LeaderLatch(client, '/e', { id: 'x'.repeat(1_000_001) }),
        () => new LeaderLatch(client, '/e', { lossPolicy: 'never' as 'lost' }),
        () => new LeaderLatch(client, '/e', { closeMode: 'loud' as 'silent' }),
        () => new LeaderLatch(client, '/e', null as unknown as object),
        () => new LeaderLatch({} as ZkClient, '/e'),
      ];
      for (const make of bad) expect(make).to.throw(ValidationError);
      expect(() => new LeaderLatch(client, 'relative/path')).to.throw(/election path must be absolute/);
      const ok = latch(client, uniquePath('latch-validation'));
      expect(await rejection(ok.await({ timeout: -1 }))).to.be.instanceOf(ValidationError);
      expect(await rejection(ok.await({ signal: 'x' as unknown as AbortSignal }))).to.be.instanceOf(ValidationError);
      expect(await rejection(ok.close({ notifyLeader: 'yes' as unknown as boolean }))).to.be.instanceOf(ValidationError);
      expect(client.operationCounts).to.deep.equal(before);
    });

    it('leadership gained and lost on diagnostics_channel (with the reason and fencing token) and in client.metrics()', async () => {
      const client = await newClient();
      const path = uniquePath('latch-events');
      const seen: Array<{ channel: string; message: Record<string, unknown> }> = [];
      const subs = (['gained', 'lost'] as const).map((key) => {
        const fn = (m: unknown): void => {
          const message = m as Record<string, unknown>;
          if (message.client === client) seen.push({ channel: key, message });
        };
        diagnosticsChannel.subscribe(LeaderChannels[key], fn);
        return () => diagnosticsChannel.unsubscribe(LeaderChannels[key], fn);
      });
      try {
        const a = latch(client, path, { id: 'ev', closeMode: 'notifyLeader' });
        await a.start();
        await a.await();
        const token = a.leadership!.fencingToken;
        expect(client.metrics().leadership).to.deep.include({ leading: 1, gained: 1, lost: 0 });
        await a.close();
        expect(seen.map((s) => s.channel)).to.deep.equal(['gained', 'lost']);
        expect(seen[0]!.message).to.deep.include({ path, recipe: 'latch', id: 'ev', fencingToken: token });
        const lost = seen[1]!.message as unknown as LeadershipLostMessage;
        expect(lost).to.deep.include({ path, recipe: 'latch', id: 'ev', fencingToken: token, reason: 'CLOSED' });
        expect(lost.termMs).to.be.at.least(0);
        const m = client.metrics().leadership;
        expect(m).to.deep.include({ leading: 0, gained: 1, lost: 1 });
        expect(m.termMs.count).to.equal(1);
        expect(client.metrics().held).to.equal(0); // a latch is no lock
      } finally {
        subs.forEach((u) => u());
      }
    });
  });

  describe('connection trouble, sessions and other members\' nodes', () => {
    it('our node deleted by someone else while leading: notLeader (NODE_DELETED), then a new node that leads again (Curator never notices: CURATOR-171)', async () => {
      const client = await newClient();
      const other = await newClient();
      const path = uniquePath('latch-deleted');
      const a = latch(client, path);
      const log: string[] = [];
      logLeadership(a, 'a', log);
      await a.start();
      await a.await();
      const first = a.leadership!;
      const firstNode = a.node!;
      const regained = new Promise<void>((resolve) => a.on('isLeader', () => { if (log.length === 3) resolve(); }));
      await other.delete(firstNode);
      await regained;
      expect(log).to.deep.equal(['a+', 'a-', 'a+']);
      expect((first.signal.reason as LeadershipLostError).reason).to.equal('NODE_DELETED');
      expect(a.node).to.not.equal(firstNode);
      expect(a.leadership!.fencingToken > first.fencingToken).to.equal(true);
      expect(await childrenOf(other, path)).to.deep.equal([a.node!.slice(path.length + 1)]);
    });

    it('loss policy "suspended": a dropped connection ends the term; after the reconnect the latch lists first and leads again on the SAME node', async () => {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 4_000 });
      const path = uniquePath('latch-suspended');
      const a = latch(client, path);
      const log: string[] = [];
      logLeadership(a, 'a', log);
      await a.start();
      await a.await();
      const term = a.leadership!;
      const node = a.node;
      const creates = client.operationCounts.create;
      const again = new Promise<void>((resolve) => a.on('isLeader', () => resolve()));
      expect(proxy.reset()).to.equal(1);
      await again;
      expect(log).to.deep.equal(['a+', 'a-', 'a+']);
      expect((term.signal.reason as LeadershipLostError).reason).to.equal('SUSPENDED');
      expect(a.node).to.equal(node);
      expect(a.leadership!.fencingToken).to.equal(term.fencingToken);
      expect(a.leadership!.signal).to.not.equal(term.signal);
      expect(client.operationCounts.create).to.equal(creates); // nothing re-created
    });

    it('loss policy "lost": leadership lasts through a short disconnect (same term, signal not aborted)', async () => {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 4_000, lossPolicy: 'lost' });
      const path = uniquePath('latch-policy-lost');
      const a = latch(client, path);
      const log: string[] = [];
      logLeadership(a, 'a', log);
      await a.start();
      await a.await();
      const term = a.leadership!;
      const reconnected = nextState(client, 'RECONNECTED');
      proxy.reset();
      await reconnected;
      // The reconnect's check of our node (an exists on the server) has had time to run once we
      // have done a round trip ourselves after the RECONNECTED.
      await client.exists(path);
      expect(log).to.deep.equal(['a+']);
      expect(term.signal.aborted).to.equal(false);
      expect(a.leadership).to.equal(term);
    });

    it('two reconnects in quick succession do not interleave: one node, kept, leadership back once', async () => {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 4_000 });
      const path = uniquePath('latch-double-reconnect');
      const other = await newClient();
      const b = latch(other, path, { id: 'b' }); // a member ahead of us: we wait, watching it
      await b.start();
      const a = latch(client, path, { id: 'a' });
      await a.start();
      const node = a.node;
      const creates = client.operationCounts.create;
      const firstBack = nextState(client, 'RECONNECTED');
      proxy.reset();
      await firstBack;
      proxy.reset(); // again, while the first reconnect's look may still be on its way
      const leads = a.await({ timeout: 15_000 });
      await b.close();
      expect(await leads).to.equal(true);
      expect(a.node).to.equal(node);
      expect(client.operationCounts.create).to.equal(creates);
      expect(await childrenOf(other, path)).to.deep.equal([node!.slice(path.length + 1)]);
    });
  });

  describe('a path used by LeaderSelector (lock-) nodes too', () => {
    it('start() rejects with an ElectionConflictError naming the path and leaves no node; the latch is closed', async () => {
      const client = await newClient();
      const path = uniquePath('latch-conflict');
      const lease = await new Mutex(client, path).acquire(); // a `lock-` node, as a LeaderSelector makes
      const a = latch(client, path);
      const err = await rejection(a.start());
      expect(err).to.be.instanceOf(ElectionConflictError);
      expect((err as ElectionConflictError).path).to.equal(path);
      expect((err as ElectionConflictError).message).to.include(path);
      expect(a.state).to.equal('closed');
      expect(await childrenOf(client, path)).to.deep.equal([lease.path.slice(path.length + 1)]);
      await lease.release();
    });

    it('a conflict met after start(): \'error\' event, no node kept, no leadership; the latch joins again once the path is clean', async () => {
      const client = await newClient();
      const path = uniquePath('latch-conflict-later');
      const leader = latch(client, path, { id: 'leader' });
      await leader.start();
      const a = latch(await newClient(), path, { id: 'a' });
      const errors: unknown[] = [];
      const firstError = new Promise<void>((resolve) => a.on('error', (e) => { errors.push(e); resolve(); }));
      await a.start();
      const lease = await new Mutex(client, path, { maxLeases: 5 }).acquire(); // joins after both latch nodes
      expect(await rejection(a.getParticipants())).to.be.instanceOf(ElectionConflictError);
      expect(await rejection(leader.getLeader())).to.be.instanceOf(ElectionConflictError);
      await leader.close(); // `a` looks again: the path now holds a lock- node
      await firstError;
      expect(errors[0]).to.be.instanceOf(ElectionConflictError);
      expect(a.hasLeadership).to.equal(false);
      expect((await childrenOf(client, path)).filter((n) => n.includes('latch-'))).to.deep.equal([]);
      await lease.release();
      expect(await a.await({ timeout: 15_000 })).to.equal(true);
    });

    it('a lock- node joining while we lead: the term ends (CONFLICT), \'error\', our node is withdrawn; we lead again once the path is clean', async () => {
      const client = await newClient();
      const path = uniquePath('latch-conflict-leader');
      const a = latch(client, path, { id: 'a' });
      const firstError = new Promise<unknown>((resolve) => a.once('error', resolve));
      await a.start();
      await a.await();
      const term = a.leadership!;
      const lease = await new Mutex(await newClient(), path, { maxLeases: 5 }).acquire();
      await aborted(term.signal);
      expect((term.signal.reason as LeadershipLostError).reason).to.equal('CONFLICT');
      expect(await firstError).to.be.instanceOf(ElectionConflictError);
      expect(a.hasLeadership).to.equal(false);
      await pollUntil(async () => (await childrenOf(client, path)).every((n) => !n.includes('latch-')), { timeoutMs: 5_000, what: 'our node withdrawn' });
      await lease.release();
      expect(await a.await({ timeout: 15_000 })).to.equal(true);
      expect(a.leadership!.fencingToken > term.fencingToken).to.equal(true);
    });

    it('without an \'error\' listener the error goes to zkurator:leader:error only: nothing is thrown', async () => {
      const client = await newClient();
      const path = uniquePath('latch-conflict-quiet');
      const leader = latch(client, path);
      await leader.start();
      const a = latch(client, path, { id: 'quiet' });
      await a.start();
      const published = new Promise<unknown>((resolve) => {
        const fn = (m: unknown): void => {
          if ((m as { path?: string }).path !== path) return;
          diagnosticsChannel.unsubscribe(LeaderChannels.error, fn);
          resolve((m as { error: unknown }).error);
        };
        diagnosticsChannel.subscribe(LeaderChannels.error, fn);
      });
      const lease = await new Mutex(client, path, { maxLeases: 5 }).acquire();
      await leader.close();
      expect(await published).to.be.instanceOf(ElectionConflictError);
      expect(client.metrics().leadership.errors).to.be.at.least(1);
      await lease.release();
    });
  });

  // Ports of Curator's TestLeaderLatch (curator-recipes, recipes/leader), named after their originals.
  describe('Curator\'s TestLeaderLatch, ported', () => {
    it('testBasic: one leader at a time, passing in start order as each leader closes', async () => {
      const client = await newClient();
      const path = uniquePath('testBasic');
      const members = Array.from({ length: 10 }, () => latch(client, path));
      for (const m of members) await m.start(); // start order = node order
      const remaining = [...members];
      while (remaining.length > 0) {
        const leader = await firstLeader(remaining);
        expect(leadersOf(remaining)).to.deep.equal([leader]); // there can only be one leader
        expect(remaining.indexOf(leader)).to.equal(0); // leadership advances in start order
        await leader.close();
        remaining.shift();
      }
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it('testCorrectWatching: closing a member in the middle does not make its successor\'s predecessor leader', async () => {
      const client = await newClient();
      const path = uniquePath('testCorrectWatching');
      const members = Array.from({ length: 10 }, () => latch(client, path));
      for (const m of members) await m.start();
      await firstLeader(members);
      const [m0, m1, m2, m3] = members;
      await m2!.close();
      // m3 looked again and now watches m1's node (and no longer m2's): it has reacted.
      await pollUntil(() => client.watchedPaths.includes(m1!.node!) && !client.watchedPaths.includes(`${m2!.node}`),
        { timeoutMs: 5_000, what: 'the successor of the closed member to watch its new predecessor' });
      expect(m3!.node).to.be.a('string');
      expect(m1!.hasLeadership).to.equal(false);
      expect(leadersOf(members)).to.deep.equal([m0]);
    });

    it('testWaiting: 10 members start at once, each awaits leadership, leads alone, closes (10 rounds)', async () => {
      const client = await newClient();
      for (let round = 0; round < 10; round++) {
        const path = uniquePath('testWaiting');
        let leaderNow: number | undefined;
        const violations: string[] = [];
        await Promise.all(Array.from({ length: 10 }, async (_, i) => {
          const member = latch(client, path);
          try {
            await member.start();
            expect(await member.await({ timeout: 30_000 })).to.equal(true);
            if (leaderNow !== undefined) violations.push(`${i} leads while ${leaderNow} does`);
            leaderNow = i;
            await sleep(Math.floor(10 * Math.random())); // the leader's work
            leaderNow = undefined;
          } finally {
            await member.close();
          }
        }));
        expect(violations).to.deep.equal([]);
        expect(await childrenOf(client, path)).to.deep.equal([]);
      }
    });

    it('testLostConnection: when the session is lost nobody leads; after reconnecting exactly one leads', async () => {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 2_000 });
      const path = uniquePath('testLostConnection');
      const members = Array.from({ length: 10 }, () => latch(client, path));
      for (const m of members) await m.start();
      await firstLeader(members);
      const lost = nextState(client, 'LOST');
      proxy.cut();
      await lost;
      expect(leadersOf(members)).to.deep.equal([]);
      proxy.restore();
      await firstLeader(members);
      expect(leadersOf(members)).to.have.length(1);
      // Every member rejoined with one node of the new session (the old ones went with the old one).
      await pollUntil(async () => (await childrenOf(client, path)).length === 10, { timeoutMs: 10_000, what: '10 nodes of the new session' });
      for (const m of members) expect((await client.getData(m.node!)).stat.ephemeralOwner).to.equal(client.sessionId);
      expect(leadersOf(members)).to.have.length(1);
    });

    it('testCallbackNotifyLeader: each member requeues on its first leadership and closes on its second; notLeader from every reset and every notify-leader close', async () => {
      const client = await newClient();
      const path = uniquePath('testCallbackNotifyLeader');
      const SILENT = 3;
      let isLeaderCount = 0;
      let notLeaderCount = 0;
      let closedCount = 0;
      let allClosed!: () => void;
      const done = new Promise<void>((resolve) => { allClosed = resolve; });
      const members = Array.from({ length: 10 }, (_, i) => {
        const m = latch(client, path, { closeMode: i < SILENT ? 'silent' : 'notifyLeader' });
        let beenLeader = false;
        m.on('isLeader', () => {
          isLeaderCount++;
          if (!beenLeader) {
            beenLeader = true;
            m.reset();
          } else {
            void m.close().then(() => { if (++closedCount === 10) allClosed(); });
          }
        });
        m.on('notLeader', () => { notLeaderCount++; });
        return m;
      });
      for (const m of members) await m.start();
      await done;
      expect(isLeaderCount).to.equal(20);
      expect(notLeaderCount).to.equal(10 + 10 - SILENT);
      for (const m of members) expect(m.state).to.equal('closed');
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it('testCallbackDontNotify: a member that does not lead gets no notLeader on close; close({ notifyLeader: true }) overrides the silent default', async () => {
      const client = await newClient();
      const path = uniquePath('testCallbackDontNotify');
      const leader = latch(client, path);
      const notified = latch(client, path, { closeMode: 'notifyLeader' });
      let leaderNotLeader = 0;
      let notifiedNotLeader = 0;
      leader.on('notLeader', () => { leaderNotLeader++; });
      notified.on('notLeader', () => { notifiedNotLeader++; });
      await leader.start();
      await leader.await();
      await notified.start();
      await notified.close();
      await leader.close({ notifyLeader: true });
      expect(leader.state).to.equal('closed');
      expect(notified.state).to.equal('closed');
      expect(leaderNotLeader).to.equal(1);
      expect(notifiedNotLeader).to.equal(0);
    });

    it('testResetRace: a reset while the first create is in flight leaves one node, and the latch leads on it', async () => {
      const { proxy, client } = await proxiedClient(proxies);
      const path = uniquePath('testResetRace');
      await client.createContainers(path); // so the first request is the create of our node
      const a = latch(client, path);
      const log: string[] = [];
      logLeadership(a, 'a', log);
      const hold = proxy.holdRepliesFrom(LOCK_CREATE_OPS); // Curator's debugResetWaitLatch: the create's answer waits
      const started = a.start();
      await hold.untilRequests(1);
      a.reset(); // should not result in two nodes
      hold.release();
      await started;
      expect(await a.await({ timeout: 10_000 })).to.equal(true);
      const children = await childrenOf(client, path);
      expect(children).to.have.length(1);
      expect(`${path}/${children[0]}`).to.equal(a.node);
      expect(log).to.deep.equal(['a+']); // never led on the node it gave up
    });

    it('testCreateDeleteRace: close() while the create is in flight leaves no node (CURATOR-18)', async () => {
      const { proxy, client } = await proxiedClient(proxies);
      const path = uniquePath('testCreateDeleteRace');
      await client.createContainers(path);
      const a = latch(client, path);
      const hold = proxy.holdRepliesFrom(LOCK_CREATE_OPS);
      const started = track(a.start());
      await hold.untilRequests(1);
      const closed = a.close();
      hold.release();
      await closed;
      await started.promise; // closed before its node was known: start() resolves
      expect(await childrenOf(client, path)).to.deep.equal([]);
      expect(a.hasLeadership).to.equal(false);
    });

    it('testNoServerAtStart: started while no server answers, the latch is elected once the server is back, exactly once', async () => {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 8_000 });
      const suspended = nextState(client, 'SUSPENDED');
      proxy.cut();
      await suspended;
      const path = uniquePath('testNoServerAtStart');
      const a = latch(client, path);
      let isLeader = 0;
      let notLeader = 0;
      a.on('isLeader', () => { isLeader++; });
      a.on('notLeader', () => { notLeader++; });
      const started = track(a.start());
      const elected = a.await({ timeout: 20_000 });
      expect(started.settled()).to.equal(false);
      proxy.restore();
      await started.promise;
      expect(await elected).to.equal(true);
      await client.exists(path); // one more round trip: any late second election would have shown
      expect(isLeader).to.equal(1);
      expect(notLeader).to.equal(0);
    });

    it('testWatchedNodeDeletedOnReconnect: the leader leaves while its follower is reset and its wake-up is still on the way: the follower leads on one node (CURATOR-498)', async () => {
      const client1 = await newClient();
      const { proxy, client: client2 } = await proxiedClient(proxies);
      const path = uniquePath('testWatchedNodeDeletedOnReconnect');
      const latch1 = latch(client1, path, { id: '1' });
      const latch2 = latch(client2, path, { id: '2' });
      const log: string[] = [];
      logLeadership(latch2, '2', log);
      await latch1.start();
      expect(await latch1.await({ timeout: 5_000 })).to.equal(true);
      await latch2.start(); // watches latch1's node
      const oldNode = latch2.node;
      const hold = proxy.holdReplies(); // latch2 does not hear of anything for now
      await latch1.close(); // the leader's node goes; latch2's wake-up is held back
      latch2.reset(); // its own node is replaced meanwhile
      hold.release();
      expect(await latch2.await({ timeout: 15_000 })).to.equal(true);
      const children = await childrenOf(client1, path);
      expect(children).to.have.length(1);
      expect(`${path}/${children[0]}`).to.equal(latch2.node);
      expect(latch2.node).to.not.equal(oldNode);
      expect(log).to.deep.equal(['2+']);
    });

    it('testLeadershipElectionWhenNodeDisappearsAfterChildrenAreRetrieved: the node ahead is gone when a candidate looks at its old listing: it lists again, it does not reset; one leader (CURATOR-645)', async () => {
      const client = await newClient();
      const { proxy, client: client0 } = await proxiedClient(proxies);
      const client1 = await newClient();
      const path = uniquePath('testLeadershipElection645');
      const initialLeader = latch(client, path, { id: 'initial-leader' });
      const candidate0 = latch(client0, path, { id: 'candidate-0' });
      const candidate1 = latch(client1, path, { id: 'candidate-1' });
      await initialLeader.start();
      await firstLeader([initialLeader]);
      const hold = proxy.holdRepliesFrom(LOCK_CREATE_OPS); // candidate 0 gets its children listing only later
      const started0 = candidate0.start();
      await hold.untilRequests(2); // its create and the children listing right behind it have reached the server
      await untilChildren(client, path, 2);
      await candidate1.start();
      await untilChildren(client, path, 3);
      await initialLeader.close(); // removed after candidate 0's listing was taken
      hold.release();
      await started0;
      const node0 = candidate0.node;
      const leader = await firstLeader([candidate0, candidate1]);
      expect(candidate0.hasLeadership !== candidate1.hasLeadership).to.equal(true);
      expect(leader).to.equal(candidate0); // its node comes first: it lists again and leads on it
      expect(candidate0.node).to.equal(node0);
      expect(await childrenOf(client, path)).to.have.length(2);
    });

    it('testSessionInterruptionDoNotCauseBrainSplit: on a new session, our old node (still alive, still first) is not ours: no leadership on it (CURATOR-696)', async () => {
      const { proxy, client: client0 } = await proxiedClient(proxies, { sessionTimeout: 2_000 });
      const client1 = await newClient();
      const path = uniquePath('testSessionInterruption');
      const latch0 = latch(client0, path, { id: 'id0' });
      const latch1 = latch(client1, path, { id: 'id1' });
      const log: string[] = [];
      logLeadership(latch0, 'id0', log);
      logLeadership(latch1, 'id1', log);
      await latch0.start();
      await latch0.await();
      await latch1.start();
      const oldNode = latch0.node!;
      // The old session lives on through a second handle, so its node stays first in line...
      const session = { id: client0.sessionId, password: client0.sessionPassword };
      const lost = nextState(client0, 'LOST');
      proxy.cut();
      const twin = await connect(sharedConnectString(), { session, sessionTimeout: client0.negotiatedSessionTimeout });
      try {
        expect(twin.sessionId).to.equal(session.id);
        // ...while our client gives that session up (no answer for a whole session timeout) and opens a new one.
        await lost;
        proxy.restore();
        await pollUntil(() => latch0.node !== oldNode, { timeoutMs: 10_000, what: 'latch0 in line with a node of its new session' });
        expect(await childrenOf(client1, path)).to.have.length(3).and.include(oldNode.slice(path.length + 1));
        expect((await client1.getData(latch0.node!)).stat.ephemeralOwner).to.equal(client0.sessionId);
        expect((await client1.getData(oldNode)).stat.ephemeralOwner).to.equal(session.id);
        expect(latch0.hasLeadership).to.equal(false);
      } finally {
        await twin.close(); // the old session ends: its node goes, latch1 is next
      }
      expect(await latch1.await({ timeout: 10_000 })).to.equal(true);
      await client0.exists(path);
      expect(log).to.deep.equal(['id0+', 'id0-', 'id1+']); // no leadership for the old leader on the old node
      expect(latch0.hasLeadership).to.equal(false);
    });

    describe('on a server that is wiped and started again', () => {
      let server: ZkCluster | undefined;
      before(async function () {
        this.timeout(120_000);
        server = await ZkCluster.standalone();
      });
      after(async () => {
        await server?.destroy();
      });

      it('testGetChildrenHitsNoNode: the latch path is gone after the reconnect: the members create it again and one leads (CURATOR-724)', async () => {
        const port = server!.members[0]!.clientPort;
        const proxy = await TcpProxy.start(port);
        proxies.push(proxy);
        const client0 = await newClient({ connectString: proxy.connectString, sessionTimeout: 2_000 });
        const client1 = await newClient({ connectString: server!.connectString, sessionTimeout: 2_000 });
        const path = uniquePath('testGetChildrenHitsNoNode');
        const latch0 = latch(client0, path, { id: 'id0' });
        const latch1 = latch(client1, path, { id: 'id1' });
        const log: string[] = [];
        logLeadership(latch0, 'id0', log);
        logLeadership(latch1, 'id1', log);
        await latch0.start();
        await latch0.await();
        await latch1.start();
        // latch0 stays away until latch1 has taken over (Curator's debugHandleReconnectedLatch).
        proxy.cut();
        await server!.wipe(); // scale to zero and back: no session, no node, no latch path
        expect(await latch1.await({ timeout: 20_000 })).to.equal(true);
        proxy.restore();
        await pollUntil(async () => (await childrenOf(client1, path)).length === 2, { timeoutMs: 20_000, what: 'latch0 back in line' });
        expect(latch1.hasLeadership).to.equal(true);
        expect(latch0.hasLeadership).to.equal(false);
        expect(log).to.deep.equal(['id0+', 'id0-', 'id1+']);
      });
    });
  });

  describe('Curator\'s TestLeaderLatchCluster, ported', () => {
    const ensemble = useEnsemble(3);

    it('testInCluster: the server of the leader\'s client is killed: after its session expires exactly one member leads', async () => {
      const members = ensemble().members;
      const clients = await Promise.all(members.map((m) => newClient({ connectString: m.connectString, sessionTimeout: 2_000 })));
      const path = uniquePath('testInCluster');
      const all = clients.map((c, i) => latch(c, path, { id: `m${i}` }));
      for (const m of all) await m.start();
      const leader = await firstLeader(all);
      const index = all.indexOf(leader);
      try {
        await members[index]!.stop('SIGKILL');
        const others = all.filter((m) => m !== leader);
        await firstLeader(others, 30_000);
        expect(leadersOf(all)).to.have.length(1);
        expect(leader.hasLeadership).to.equal(false);
      } finally {
        await ensemble().restart(members[index]!.id);
      }
    });
  });
});
