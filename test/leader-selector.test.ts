// LeaderSelector on a real ZooKeeper server: the callback holds leadership until it settles and
// only then is the mutex released; connection trouble aborts its signal per the loss policy; a
// throwing callback is an 'error' event (and without a listener, nothing at all: no crash, no
// unhandled rejection); and ports of Curator's TestLeaderSelector and
// TestLeaderSelectorParticipants, named after their originals.
import { expect } from 'chai';
import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateMode, ElectionConflictError, ElectionStateError, LeaderChannels, LeaderLatch, LeaderSelector, LeadershipLostError, Mutex, ValidationError,
  type Leadership, type LeaderSelectorCallback, type LeaderSelectorOptions, type ZkClient,
} from '../lib/index.js';
import { childrenOf, newClient, uniquePath, untilChildren } from './support/harness.js';
import { pollUntil } from './support/poll.js';
import { expireSession } from './support/expire-session.js';
import { nextState, proxiedClient } from './support/proxied-client.js';
import { sharedConnectString } from './support/harness.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { ZkCluster } from './support/zk-server.js';

/** Resolves with the signal's abort reason once it aborts. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

/** A queue of values, taken in order as they come (Curator's BlockingQueue in its tests). */
class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(item: T) => void> = [];
  put(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  take(timeoutMs = 15_000): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(got), 1);
        reject(new Error(`nothing arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      const got = (value: T): void => {
        clearTimeout(timer);
        resolve(value);
      };
      this.waiters.push(got);
    });
  }
  get size(): number {
    return this.items.length;
  }
}

/** Waits until a client has no lock held or waited for (a selector's attempt has fully ended). */
function untilIdle(client: ZkClient): Promise<void> {
  return pollUntil(() => client.metrics().held === 0 && client.metrics().waiting === 0, { timeoutMs: 10_000, what: 'no lock held or waited for' });
}

describe('LeaderSelector', function () {
  this.timeout(60_000);
  const proxies: TcpProxy[] = [];
  const selectors: LeaderSelector[] = [];
  const selector = (client: ZkClient, path: string, callback: LeaderSelectorCallback, options?: LeaderSelectorOptions): LeaderSelector => {
    const s = new LeaderSelector(client, path, callback, options);
    selectors.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(selectors.splice(0).map((s) => s.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  describe('as a member of an election', () => {
    it('the leader\'s callback gets { signal, fencingToken, node, validFor }; its node is a Curator mutex node with the id as data; the mutex is released only after the callback settles', async () => {
      const client = await newClient();
      const other = await newClient();
      const path = uniquePath('selector-basics');
      const terms = new Inbox<Leadership>();
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => { finish = resolve; });
      const s = selector(client, path, async (leadership) => {
        terms.put(leadership);
        await aborted(leadership.signal);
        await finished; // still winding down after the signal aborted
      }, { id: 'node-a' });
      const log: string[] = [];
      s.on('isLeader', () => log.push('+'));
      s.on('notLeader', () => log.push('-'));
      s.start();
      const term = await terms.take();
      expect(s.hasLeadership).to.equal(true);
      expect(s.leadership).to.equal(term);
      const names = await childrenOf(other, path);
      expect(names).to.have.length(1);
      expect(names[0]).to.match(/^_c_[0-9a-f-]{36}-lock-\d{10}$/);
      expect(term.node).to.equal(`${path}/${names[0]}`);
      const { data, stat } = await other.getData(term.node);
      expect(data.toString('utf8')).to.equal('node-a');
      expect(term.fencingToken).to.equal(stat.czxid);
      expect(term.validFor()).to.be.greaterThan(0);
      // A zkurator Mutex on the same path is the same lock.
      expect(await new Mutex(other, path).tryAcquire()).to.equal(null);
      s.interruptLeadership();
      expect(s.hasLeadership).to.equal(false);
      expect((term.signal.reason as LeadershipLostError).reason).to.equal('INTERRUPTED');
      expect(log).to.deep.equal(['+', '-']);
      await other.exists(path); // a round trip: any early release would have reached the server by now
      expect(await childrenOf(other, path)).to.deep.equal(names); // still ours while the callback winds down
      finish();
      await untilIdle(client);
      expect(await childrenOf(other, path)).to.deep.equal([]);
    });

    it('a callback that throws or rejects is an \'error\' event, and the selector goes on (autoRequeue)', async () => {
      const client = await newClient();
      const path = uniquePath('selector-throws');
      let calls = 0;
      const s = selector(client, path, async () => {
        calls++;
        if (calls === 1) throw new Error('sync-ish failure');
        if (calls === 2) return Promise.reject(new Error('async failure'));
        await sleep(1);
      }, { autoRequeue: true });
      const errors = new Inbox<unknown>();
      s.on('error', (e) => errors.put(e));
      s.start();
      expect(((await errors.take()) as Error).message).to.equal('sync-ish failure');
      expect(((await errors.take()) as Error).message).to.equal('async failure');
      await pollUntil(() => calls >= 3, { timeoutMs: 10_000, what: 'a third term' });
    });

    it('a callback that stops by rethrowing its signal\'s reason (or an AbortError) after the term ended is no error', async () => {
      const client = await newClient();
      const path = uniquePath('selector-abort-is-fine');
      const terms = new Inbox<Leadership>();
      let round = 0;
      const s = selector(client, path, async (leadership) => {
        terms.put(leadership);
        round++;
        if (round === 1) await sleep(60_000, undefined, { signal: leadership.signal }); // AbortError
        else await aborted(leadership.signal).then(() => leadership.signal.throwIfAborted()); // the reason itself
      }, { autoRequeue: true });
      const errors: unknown[] = [];
      s.on('error', (e) => errors.push(e));
      s.start();
      for (let i = 0; i < 2; i++) {
        await terms.take();
        s.interruptLeadership();
      }
      await terms.take(); // a third term: the selector went on, nothing reported
      expect(errors).to.deep.equal([]);
    });

    it('without an \'error\' listener a throwing callback crashes nothing: no unhandled rejection; the error is on zkurator:leader:error', async () => {
      const client = await newClient();
      const path = uniquePath('selector-unheard');
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
      process.on('unhandledRejection', onUnhandled);
      const published = new Inbox<unknown>();
      const onError = (m: unknown): void => {
        if ((m as { path?: string }).path === path) published.put((m as { error: unknown }).error);
      };
      diagnosticsChannel.subscribe(LeaderChannels.error, onError);
      try {
        const s = selector(client, path, () => { throw new Error('nobody listens'); });
        s.start();
        expect(((await published.take()) as Error).message).to.equal('nobody listens');
        await untilIdle(client);
        await sleep(0); // let any stray rejection reach the process
        expect(unhandled).to.deep.equal([]);
        expect(client.metrics().leadership.errors).to.equal(1);
      } finally {
        diagnosticsChannel.unsubscribe(LeaderChannels.error, onError);
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('loss policy "suspended": a dropped connection aborts the callback\'s signal (SUSPENDED); with autoRequeue it leads again', async () => {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 4_000 });
      const path = uniquePath('selector-suspended');
      const terms = new Inbox<Leadership>();
      const s = selector(client, path, async (leadership) => {
        terms.put(leadership);
        await aborted(leadership.signal);
      }, { autoRequeue: true });
      s.start();
      const first = await terms.take();
      proxy.reset();
      expect(((await aborted(first.signal)) as LeadershipLostError).reason).to.equal('SUSPENDED');
      const second = await terms.take();
      expect(second.signal.aborted).to.equal(false);
      expect(second.fencingToken > first.fencingToken).to.equal(true);
    });

    it('loss policy "lost": a short disconnect does not end the term', async () => {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 4_000, lossPolicy: 'lost' });
      const path = uniquePath('selector-policy-lost');
      const terms = new Inbox<Leadership>();
      const s = selector(client, path, async (leadership) => {
        terms.put(leadership);
        await aborted(leadership.signal);
      });
      s.start();
      const term = await terms.take();
      const back = nextState(client, 'RECONNECTED');
      proxy.reset();
      await back;
      await client.exists(path);
      expect(term.signal.aborted).to.equal(false);
      expect(s.hasLeadership).to.equal(true);
    });

    it('close() ends the term (CLOSED), waits for the callback and deletes the node; from inside the callback it does not wait for itself', async () => {
      const client = await newClient();
      const path = uniquePath('selector-close');
      const terms = new Inbox<Leadership>();
      let settled = false;
      const s = selector(client, path, async (leadership) => {
        terms.put(leadership);
        await aborted(leadership.signal);
        await sleep(20);
        settled = true;
      });
      s.start();
      const term = await terms.take();
      await s.close();
      expect(settled).to.equal(true);
      expect((term.signal.reason as LeadershipLostError).reason).to.equal('CLOSED');
      expect(await childrenOf(client, path)).to.deep.equal([]);
      expect(s.state).to.equal('closed');
      await s.close();

      const selfClosing = selector(client, path, async () => { await selfClosing.close(); });
      selfClosing.start();
      await pollUntil(() => selfClosing.state === 'closed', { timeoutMs: 5_000, what: 'the selector closed from its callback' });
      await selfClosing.close();
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it('start() twice, requeue() before start or after close: ElectionStateError; requeue() while queued: false; bad input: ValidationError', async () => {
      const client = await newClient();
      const path = uniquePath('selector-state');
      const holder = await new Mutex(client, path).acquire();
      const s = selector(client, path, () => undefined);
      expect(() => s.requeue()).to.throw(ElectionStateError);
      s.start();
      expect(() => s.start()).to.throw(ElectionStateError);
      expect(s.requeue()).to.equal(false);
      await untilChildren(client, path, 2);
      await s.close();
      expect(() => s.requeue()).to.throw(ElectionStateError);
      expect(await childrenOf(client, path)).to.deep.equal([holder.path.slice(path.length + 1)]);
      await holder.release();
      const before = { ...client.operationCounts };
      expect(() => new LeaderSelector(client, 'x', () => undefined)).to.throw(ValidationError);
      expect(() => new LeaderSelector(client, '/x', 'nope' as unknown as LeaderSelectorCallback)).to.throw(ValidationError);
      expect(() => new LeaderSelector(client, '/x', () => undefined, { id: 1 as unknown as string })).to.throw(ValidationError);
      expect(() => new LeaderSelector(client, '/x', () => undefined, { autoRequeue: 'yes' as unknown as boolean })).to.throw(ValidationError);
      expect(() => new LeaderSelector(client, '/x', () => undefined, { lossPolicy: 'x' as 'lost' })).to.throw(ValidationError);
      expect(client.operationCounts).to.deep.equal(before);
    });

    it('a path used by LeaderLatch (latch-) nodes too: an \'error\' (ElectionConflictError naming the path), no leadership, no node left', async () => {
      const client = await newClient();
      const path = uniquePath('selector-conflict');
      const latch = new LeaderLatch(client, path);
      await latch.start();
      try {
        let called = false;
        const s = selector(client, path, () => { called = true; });
        const errors = new Inbox<unknown>();
        s.on('error', (e) => errors.put(e));
        s.start();
        const err = await errors.take();
        expect(err).to.be.instanceOf(ElectionConflictError);
        expect((err as ElectionConflictError).path).to.equal(path);
        await untilIdle(client);
        expect(called).to.equal(false);
        expect(await childrenOf(client, path)).to.deep.equal([latch.node!.slice(path.length + 1)]);
      } finally {
        await latch.close();
      }
    });

    it('a LeaderLatch node joining while we lead: the callback\'s signal aborts (CONFLICT), \'error\'; with autoRequeue we lead again once the path is clean', async () => {
      const client = await newClient();
      const other = await newClient();
      const path = uniquePath('selector-conflict-leader');
      const terms = new Inbox<Leadership>();
      const s = selector(client, path, async (leadership) => {
        terms.put(leadership);
        await aborted(leadership.signal);
      }, { autoRequeue: true });
      const errors = new Inbox<unknown>();
      s.on('error', (e) => errors.put(e));
      s.start();
      const first = await terms.take();
      // What a Curator LeaderLatch member creates.
      const intruder = await other.create(`${path}/_c_53345f98-9423-4e0c-a7b5-9f819e3ec2e1-latch-`, Buffer.alloc(0), CreateMode.EPHEMERAL_SEQUENTIAL);
      expect(((await aborted(first.signal)) as LeadershipLostError).reason).to.equal('CONFLICT');
      expect(await errors.take()).to.be.instanceOf(ElectionConflictError);
      await other.delete(intruder);
      const second = await terms.take(30_000);
      expect(second.fencingToken > first.fencingToken).to.equal(true);
    });

    it('leadership gained and lost on diagnostics_channel with recipe "selector"; the mutex shows in the lock metrics too', async () => {
      const client = await newClient();
      const path = uniquePath('selector-events');
      const seen: Array<Record<string, unknown>> = [];
      const fns = (['gained', 'lost'] as const).map((key) => {
        const fn = (m: unknown): void => { if ((m as { client?: unknown }).client === client) seen.push({ key, ...(m as object) }); };
        diagnosticsChannel.subscribe(LeaderChannels[key], fn);
        return () => diagnosticsChannel.unsubscribe(LeaderChannels[key], fn);
      });
      try {
        const s = selector(client, path, () => sleep(5), { id: 'ev' });
        s.start();
        await pollUntil(() => seen.length === 2, { timeoutMs: 10_000, what: 'gained and lost' });
        await untilIdle(client);
        expect(seen.map((m) => m.key)).to.deep.equal(['gained', 'lost']);
        expect(seen[0]).to.deep.include({ path, recipe: 'selector', id: 'ev' });
        expect(seen[1]).to.deep.include({ path, recipe: 'selector', id: 'ev', reason: 'RELEASED' });
        expect(client.metrics().leadership).to.deep.include({ leading: 0, gained: 1, lost: 1 });
        expect(client.metrics()).to.deep.include({ released: 1 });
      } finally {
        fns.forEach((u) => u());
      }
    });
  });

  // Ports of Curator's TestLeaderSelector (curator-recipes, recipes/leader), named after their originals.
  describe('Curator\'s TestLeaderSelector, ported', () => {
    it('testAutoRequeue: with autoRequeue a lone member leads again and again', async () => {
      const client = await newClient();
      const terms = new Inbox<number>();
      let n = 0;
      const s = selector(client, uniquePath('testAutoRequeue'), async () => {
        await sleep(10);
        terms.put(++n);
      }, { autoRequeue: true });
      s.start();
      expect(await terms.take()).to.equal(1);
      expect(await terms.take()).to.equal(2);
    });

    it('testInterruptLeadership: interruptLeadership() ends the callback that waits for its signal', async () => {
      const client = await newClient();
      const isLeader = new Inbox<true>();
      const losing = new Inbox<unknown>();
      const s = selector(client, uniquePath('testInterruptLeadership'), async ({ signal }) => {
        isLeader.put(true);
        losing.put(await aborted(signal));
      });
      s.start();
      await isLeader.take();
      s.interruptLeadership();
      expect(((await losing.take()) as LeadershipLostError).reason).to.equal('INTERRUPTED');
    });

    it('testRaceAtStateChanged: the session is lost between the grant and the callback: the callback is never called', async () => {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 2_000 });
      let called = false;
      const s = selector(client, uniquePath('testRaceAtStateChanged'), () => { called = true; });
      let granted!: () => void;
      const grantedNow = new Promise<void>((resolve) => { granted = resolve; });
      let proceed!: () => void;
      s.debugBeforeLeadership = () => {
        granted();
        return new Promise<void>((resolve) => { proceed = resolve; });
      };
      s.start();
      await grantedNow;
      const lost = nextState(client, 'LOST');
      proxy.cut();
      await lost;
      proceed();
      const connected = nextState(client, 'CONNECTED');
      proxy.restore();
      await connected;
      await untilIdle(client);
      expect(called).to.equal(false);
      expect(s.hasLeadership).to.equal(false);
    });

    it('testKillSessionThenCloseShouldElectNewLeader: after a session expiry and a requeue one member leads; close it and the other leads', async () => {
      const { proxy, client } = await proxiedClient(proxies, { sessionTimeout: 4_000 });
      let leaderCount = 0;
      const leading = new Inbox<number>();
      const interrupted = new Inbox<unknown>();
      const callback: LeaderSelectorCallback = async ({ signal }) => {
        leaderCount++;
        try {
          leading.put(leaderCount);
          interrupted.put(await aborted(signal));
        } finally {
          leaderCount--;
        }
      };
      const path = uniquePath('testKillSession');
      const s1 = selector(client, path, callback);
      const s2 = selector(client, path, callback);
      s1.start();
      s2.start();
      expect(await leading.take()).to.equal(1);
      const firstLeader = s1.hasLeadership ? s1 : s2;
      const second = firstLeader === s1 ? s2 : s1;
      await expireSession(client, proxy, sharedConnectString());
      expect(((await interrupted.take()) as LeadershipLostError).reason).to.be.oneOf(['SUSPENDED', 'SESSION_LOST']);
      const observer = await newClient();
      await pollUntil(async () => {
        const names = await childrenOf(observer, path);
        return names.length === 1 && (await observer.getData(`${path}/${names[0]}`)).stat.ephemeralOwner === client.sessionId;
      }, { timeoutMs: 10_000, what: 'the second member\'s node, on the new session' });
      expect(firstLeader.requeue()).to.equal(true);
      // Curator's waiting selector ends its attempt on the expiry and needs requeue() too; ours
      // starts over on the new session by itself and is still queued.
      expect(second.requeue()).to.equal(false);
      expect(await leading.take()).to.equal(1);
      expect(leaderCount).to.equal(1);
      const leader = s1.hasLeadership ? s1 : s2;
      expect(leader).to.equal(second); // it queued first on the new session
      await leader.close();
      expect(await leading.take()).to.equal(1); // the other took over
      expect(leaderCount).to.equal(1);
    });

    describe('on a server that is killed and replaced', () => {
      let server: ZkCluster | undefined;
      before(async function () {
        this.timeout(120_000);
        server = await ZkCluster.standalone();
      });
      after(async () => {
        await server?.destroy();
      });

      it('testKillServerThenCloseShouldElectNewLeader: after the server is replaced, autoRequeue elects one leader; close it and the other leads', async () => {
        const client = await newClient({ connectString: server!.connectString, sessionTimeout: 4_000 });
        let leaderCount = 0;
        const leading = new Inbox<number>();
        const interrupted = new Inbox<unknown>();
        const callback: LeaderSelectorCallback = async ({ signal }) => {
          leaderCount++;
          try {
            leading.put(leaderCount);
            interrupted.put(await aborted(signal));
          } finally {
            leaderCount--;
          }
        };
        const path = uniquePath('testKillServer');
        const s1 = selector(client, path, callback, { autoRequeue: true });
        const s2 = selector(client, path, callback, { autoRequeue: true });
        s1.start();
        s2.start();
        expect(await leading.take()).to.equal(1);
        await server!.wipe(); // Curator: server.stop(), then a new TestingServer on the same port
        expect(((await interrupted.take()) as LeadershipLostError).reason).to.be.oneOf(['SUSPENDED', 'SESSION_LOST']);
        expect(await leading.take(30_000)).to.equal(1);
        expect(leaderCount).to.equal(1);
        const leader = s1.hasLeadership ? s1 : s2;
        await leader.close();
        expect(await leading.take()).to.equal(1);
        expect(leaderCount).to.equal(1);
      });
    });

    it('testRotatingLeadership: 5 members, 3 rounds of requeue(): each leads exactly once per round', async () => {
      const client = await newClient();
      const path = uniquePath('testRotatingLeadership');
      const leaders = new Inbox<number>();
      const members = Array.from({ length: 5 }, (_, i) => selector(client, path, async () => {
        await sleep(5);
        leaders.put(i);
      }));
      const order: number[] = [];
      for (let round = 1; round <= 3; round++) {
        for (const m of members) {
          if (round > 1) expect(m.requeue()).to.equal(true);
          else m.start();
        }
        while (order.length < round * members.length) order.push(await leaders.take());
        await untilIdle(client); // every member has released (Curator's test sleeps a bit here)
      }
      for (let round = 0; round < 3; round++) {
        const ids = order.slice(round * 5, round * 5 + 5);
        expect(new Set(ids).size, `round ${round + 1}: ${ids.join(',')}`).to.equal(5);
      }
    });
  });

  describe('Curator\'s TestLeaderSelectorParticipants, ported', () => {
    it('testId: the leader\'s id, from getLeader() and getParticipants()', async () => {
      const client = await newClient();
      const isLeader = new Inbox<true>();
      const s = selector(client, uniquePath('testId'), async ({ signal }) => {
        isLeader.put(true);
        await aborted(signal);
      }, { id: 'A is A' });
      s.start();
      await isLeader.take();
      const leader = await s.getLeader();
      expect(leader.isLeader).to.equal(true);
      expect(leader.id).to.equal('A is A');
      const participants = await s.getParticipants();
      expect(participants).to.have.length(1);
      expect(participants[0]!.id).to.equal('A is A');
      expect(participants[0]!.id).to.equal(s.id);
    });

    it('testBasic: 10 members see the same participants, one leader, every id once', async () => {
      const client = await newClient();
      const path = uniquePath('testBasicParticipants');
      const isLeader = new Inbox<true>();
      const members = Array.from({ length: 10 }, (_, i) => selector(client, path, async ({ signal }) => {
        isLeader.put(true);
        await aborted(signal);
      }, { id: String(i) }));
      for (const m of members) m.start();
      await isLeader.take();
      await untilChildren(client, path, 10);
      const participants = await members[0]!.getParticipants();
      for (const m of members.slice(1)) expect(await m.getParticipants()).to.deep.equal(participants);
      expect(participants.filter((p) => p.isLeader)).to.have.length(1);
      expect(participants[0]!.isLeader).to.equal(true);
      expect(new Set(participants.map((p) => p.id))).to.deep.equal(new Set(Array.from({ length: 10 }, (_, i) => String(i))));
    });
  });
});
