// Leader elections in the gateway's views, real HTTP on a real ZooKeeper with real Curator 5.4.0
// members (test/peer/CuratorLeaderPeer.java) next to zkurator's: GET /locks/<resource> shows a
// LeaderLatch election's members in election order with their ids and its leader, as Curator's
// getParticipants() lists them; GET /locks marks it; a path holding a LeaderLatch's and a lock's
// nodes is shown as the conflict it is; a lock on an election's path is refused with 409 without a
// node of the gateway's ever appearing there (a zkurator leader there keeps leading); and a
// LeaderSelector's path is a mutex to the gateway, its leader the holder.
import { expect } from 'chai';
import { CreateMode, LeaderLatch, LeaderSelector, type ZkClient } from '../lib/index.js';
import { useCuratorLeaderPeer } from './support/curator-leader-peer.js';
import { startGateway, uniqueRoot, useGateways, type TestGateway } from './support/gateway-fixture.js';
import { childrenOf, newClient, sharedConnectString, untilChildren } from './support/harness.js';
import type { LockViewJson } from './gateway-api.test.js';

interface ParticipantJson {
  node: string; name: string; sequence: string | null; state: string; mode: string; origin: string;
  createdAt: string; sessionId: string; data: string; lock: LockViewJson | null; waitingOn: string | null;
}
interface ElectionJson { recipe: string; leader: { id: string; node: string } | null; conflict: string | null }
interface ResourceJson { resource: string; path: string; locked: boolean; participants: ParticipantJson[]; election?: ElectionJson }
interface ListJson {
  root: string;
  locks: Array<{ resource: string; url: string; holders: number; waiters: number; participants?: ParticipantJson[]; election?: ElectionJson }>;
}
interface ProblemJson { type: string; title: string; status: number; detail: string }

/** Ids in order, the leader(s) starred: the shape of Curator's Participant list. */
function ids(list: ReadonlyArray<{ id: string; isLeader: boolean }>): string[] {
  return list.map((p) => `${p.id}${p.isLeader ? '*' : ''}`);
}

/** A view's participants as Curator's Participant list: the id is the node's data, the leader holds. */
function asParticipants(view: ResourceJson): string[] {
  return ids(view.participants.map((p) => ({ id: p.data, isLeader: p.state === 'holder' })));
}

async function viewOf(gw: TestGateway, resource: string): Promise<ResourceJson> {
  const res = await gw.http(`/locks/${resource}`);
  expect(res.status).to.equal(200);
  return await res.json() as ResourceJson;
}

async function listOf(gw: TestGateway, detail = false): Promise<ListJson> {
  return await (await gw.http(`/locks${detail ? '?detail=true' : ''}`)).json() as ListJson;
}

/** How often the children of `path` changed (its cversion): a node created and deleted again counts two. */
async function childChanges(client: ZkClient, path: string): Promise<number> {
  return (await client.exists(path))!.cversion;
}

/** Resolves once the signal aborts. */
function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

describe('gateway: leader elections in GET /locks (real ZooKeeper, real Curator 5.4.0 members)', function () {
  this.timeout(90_000);
  useGateways();
  const curatorPeer = useCuratorLeaderPeer();

  it('zkurator and Curator LeaderLatch members: every member in election order with its id, leader and session, as Curator\'s getParticipants(); then the next leader', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const path = `${root}/scheduler`;
    const observer = await newClient();
    const [za, zc] = [await newClient(), await newClient()];
    const a = new LeaderLatch(za, path, { id: 'node-a' });
    await a.start();
    expect(await a.await({ timeout: 5_000 })).to.equal(true);
    await curatorPeer().latch('J1', sharedConnectString(), 4_000, path, 'jvm-b');
    await untilChildren(observer, path, 2); // Curator creates its node after start() returns
    const c = new LeaderLatch(zc, path, { id: 'node-c' });
    await c.start();
    const jvmNode = `${path}/${(await childrenOf(observer, path)).find((n) => ![a.node, c.node].includes(`${path}/${n}`))!}`;

    const view = await viewOf(gw, 'scheduler');
    expect(view.election).to.deep.equal({ recipe: 'leader-latch', leader: { id: 'node-a', node: a.node }, conflict: null });
    expect(view).to.include({ resource: 'scheduler', path, locked: true });
    expect(asParticipants(view)).to.deep.equal(['node-a*', 'jvm-b', 'node-c']);
    expect(asParticipants(view)).to.deep.equal(ids(await curatorPeer().participants('J1')));
    expect(asParticipants(view)).to.deep.equal(ids(await c.getParticipants()));
    expect(view.participants.map((p) => p.node)).to.deep.equal([a.node, jvmNode, c.node]);
    expect(view.participants.map((p) => [p.state, p.mode, p.origin, p.lock])).to.deep.equal([
      ['holder', 'latch', 'unknown', null], ['waiting', 'latch', 'unknown', null], ['waiting', 'latch', 'unknown', null],
    ]);
    expect(view.participants.map((p) => p.waitingOn)).to.deep.equal([null, a.node, jvmNode]);
    expect(view.participants.map((p) => p.sequence)).to.deep.equal([a.node, jvmNode, c.node].map((n) => n!.slice(-10)));
    expect(view.participants[0]!.sessionId).to.equal(za.sessionId);
    expect(view.participants[2]!.sessionId).to.equal(zc.sessionId);
    expect(view.participants[1]!.sessionId).to.equal((await observer.exists(jvmNode))!.ephemeralOwner);
    expect(view.participants[1]!.sessionId).not.to.be.oneOf([za.sessionId, zc.sessionId]);

    // GET /locks marks it, with the same election; ?detail=true has the same participants.
    expect(await listOf(gw)).to.deep.equal({ root, locks: [{ resource: 'scheduler', url: '/locks/scheduler', holders: 1, waiters: 2, election: view.election }] });
    expect((await listOf(gw, true)).locks[0]!.participants).to.deep.equal(view.participants);

    // The leader leaves: Curator's member leads, and the view says so (Node -> JVM).
    await a.close();
    await curatorPeer().next('isLeader', 'J1');
    const next = await viewOf(gw, 'scheduler');
    expect(next.election).to.deep.equal({ recipe: 'leader-latch', leader: { id: 'jvm-b', node: jvmNode }, conflict: null });
    expect(asParticipants(next)).to.deep.equal(['jvm-b*', 'node-c']);
    expect(asParticipants(next)).to.deep.equal(ids(await curatorPeer().participants('J1')));
    // And JVM -> Node.
    await curatorPeer().close('J1');
    expect(await c.await({ timeout: 10_000 })).to.equal(true);
    const last = await viewOf(gw, 'scheduler');
    expect(last.election!.leader).to.deep.equal({ id: 'node-c', node: c.node });
    expect(asParticipants(last)).to.deep.equal(['node-c*']);
    expect(last.participants[0]!.waitingOn).to.equal(null);
    await c.close();
    // Nobody left: a resource with nobody in it, no election.
    expect(await viewOf(gw, 'scheduler')).to.deep.equal({ resource: 'scheduler', path, locked: false, participants: [] });
  });

  it('a lock on an election\'s path is refused with 409 before any node of the gateway\'s appears there (a zkurator leader keeps leading), in every mode', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const path = `${root}/jobs`;
    const observer = await newClient();
    const leader = new LeaderLatch(await newClient(), path, { id: 'node-a' });
    let notLeader = 0;
    leader.on('notLeader', () => { notLeader += 1; });
    await leader.start();
    expect(await leader.await({ timeout: 5_000 })).to.equal(true);
    await curatorPeer().latch('J2', sharedConnectString(), 4_000, path, 'jvm-b');
    await untilChildren(observer, path, 2);
    const members = await childrenOf(observer, path);
    const before = await childChanges(observer, path);

    for (const body of [{}, { mode: 'read' }, { mode: 'write' }, { mode: 'semaphore', maxLeases: 2 }, { maxLeases: 3, wait: 5 }]) {
      const res = await gw.post('/locks/jobs', { title: 'not here', ...body });
      expect(res.status, JSON.stringify(body)).to.equal(409);
      const problem = await res.json() as ProblemJson;
      expect(problem).to.include({ type: 'urn:zkurator:gateway:recipe-conflict', title: 'Election conflict', status: 409 });
      expect(problem.detail).to.match(/^jobs is a leader election's path \(2 LeaderLatch nodes, e\.g\. _c_[0-9a-f-]{36}-latch-\d{10}\): /);
    }
    // Not one node came and went: the children never changed, and the leader never stepped down.
    expect(await childChanges(observer, path)).to.equal(before);
    expect(await childrenOf(observer, path)).to.deep.equal(members);
    expect([leader.hasLeadership, notLeader]).to.deep.equal([true, 0]);
    expect(gw.gateway.heldCount).to.equal(0);
    await leader.close();
    await curatorPeer().close('J2');
  });

  it('a resource the gateway used as a lock that becomes an election\'s path: the next POST is refused (its node deleted), later ones before any create', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const path = `${root}/batch`;
    const observer = await newClient();
    const first = await gw.post('/locks/batch', { title: 'a lock first' });
    expect(first.status).to.equal(201);
    expect((await gw.http((await first.json() as LockViewJson).url, { method: 'DELETE' })).status).to.equal(204);
    // A Curator LeaderLatch member takes the path over (Curator does not look first).
    await curatorPeer().latch('J3', sharedConnectString(), 4_000, path, 'jvm-b');
    await curatorPeer().next('isLeader', 'J3');
    const members = await childrenOf(observer, path);
    expect(members).to.have.length(1);
    const refused = await gw.post('/locks/batch', { title: 'now an election', wait: 5 });
    expect(refused.status).to.equal(409);
    expect((await refused.json() as ProblemJson).detail).to.contain('batch is a leader election\'s path (1 LeaderLatch node');
    expect(await childrenOf(observer, path)).to.deep.equal(members); // the gateway's node is gone again
    // Now known as an election's path: the next request is refused before its create.
    const before = await childChanges(observer, path);
    expect((await gw.post('/locks/batch', {})).status).to.equal(409);
    expect(await childChanges(observer, path)).to.equal(before);
    expect(ids(await curatorPeer().participants('J3'))).to.deep.equal(['jvm-b*']);
    await curatorPeer().close('J3');
  });

  it('a path holding a gateway lock and a Curator LeaderLatch node: shown as the conflict, both "leaders", the gateway lock releasable; released, an election again', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const path = `${root}/reports`;
    const observer = await newClient();
    const taken = await gw.post('/locks/reports', { title: 'nightly report', lifetime: 300 });
    expect(taken.status).to.equal(201);
    const lock = await taken.json() as LockViewJson;
    // A misconfigured Curator LeaderLatch member joins the lock's path: it believes it leads.
    await curatorPeer().latch('J4', sharedConnectString(), 4_000, path, 'jvm-latch');
    await curatorPeer().next('isLeader', 'J4');
    const latchNode = `${path}/${(await childrenOf(observer, path)).find((n) => n.includes('-latch-'))!}`;

    const view = await viewOf(gw, 'reports');
    expect(view.election!.recipe).to.equal('conflict');
    expect(view.election!.leader).to.equal(null);
    expect(view.election!.conflict).to.equal(`election path ${path} would hold both LeaderLatch nodes (1, e.g. ${latchNode.split('/').pop()}) `
      + `and LeaderSelector or lock nodes (1, e.g. ${lock.node.split('/').pop()}): Curator's LeaderLatch and LeaderSelector would each see `
      + 'a leader of their own there, so zkurator refuses to take part; use one recipe per path');
    expect(view.locked).to.equal(true);
    // Each recipe's first node leads in its own eyes: the latch member, and the lock's holder.
    expect(view.participants.map((p) => [p.node, p.state, p.mode, p.origin, p.data])).to.deep.equal([
      [latchNode, 'holder', 'latch', 'unknown', 'jvm-latch'],
      [lock.node, 'holder', 'mutex', 'gateway', ''],
    ]);
    expect(view.participants[0]!.lock).to.equal(null);
    expect(view.participants[1]!.lock).to.deep.equal(lock); // a gateway lock keeps its view: the page shows its Release button
    const listed = await listOf(gw);
    expect(listed.locks).to.deep.equal([{ resource: 'reports', url: '/locks/reports', holders: 2, waiters: 0, election: view.election }]);

    // Released through its URL: what remains is a plain election.
    expect((await gw.http(lock.url, { method: 'DELETE' })).status).to.equal(204);
    const after = await viewOf(gw, 'reports');
    expect(after.election).to.deep.equal({ recipe: 'leader-latch', leader: { id: 'jvm-latch', node: latchNode }, conflict: null });
    expect(asParticipants(after)).to.deep.equal(ids(await curatorPeer().participants('J4')));
    await curatorPeer().close('J4');
  });

  it('a path with LeaderSelector and lock nodes of several origins and a LeaderLatch node: each recipe in its own order, in-line positions per recipe', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const path = `${root}/mixed`;
    const observer = await newClient();
    // Curator LeaderSelector members (one without an id: its node holds Curator's default data,
    // the client's IP), then a raw LeaderLatch node as a misconfigured member would make it.
    await curatorPeer().selector('S1', sharedConnectString(), 4_000, path, '');
    await curatorPeer().next('isLeader', 'S1');
    await curatorPeer().selector('S2', sharedConnectString(), 4_000, path, 'jvm-s2');
    await untilChildren(observer, path, 2);
    const raw = await newClient();
    const latchNode = await raw.create(`${path}/_c_00000000-0000-0000-0000-000000000000-latch-`, Buffer.from('latch-x'), CreateMode.EPHEMERAL_SEQUENTIAL);
    const view = await viewOf(gw, 'mixed');
    expect(view.election!.recipe).to.equal('conflict');
    expect(view.participants.map((p) => [p.mode, p.state, p.origin])).to.deep.equal([
      ['latch', 'holder', 'unknown'], ['selector', 'holder', 'curator'], ['selector', 'waiting', 'unknown'],
    ]);
    expect(view.participants[0]!.node).to.equal(latchNode);
    expect(view.participants[2]!.data).to.equal('jvm-s2');
    expect(view.participants[2]!.waitingOn).to.equal(view.participants[1]!.node);
    // Curator's selectors list their own nodes (they sort the latch node last, by its whole name).
    const curatorIds = ids(await curatorPeer().participants('S2'));
    expect(curatorIds).to.deep.equal([`${view.participants[1]!.data}*`, 'jvm-s2', 'latch-x']);
    await raw.delete(latchNode);
    await curatorPeer().close('S2');
    await curatorPeer().close('S1');
  });

  it('a LeaderSelector\'s path is a mutex to the gateway: its leader holds, each member\'s id is its node\'s data, Curator\'s and zkurator\'s default data tell them apart', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root });
    const path = `${root}/compactor`;
    const observer = await newClient();
    await curatorPeer().selector('S3', sharedConnectString(), 4_000, path, '');
    await curatorPeer().next('isLeader', 'S3');
    const zk = await newClient();
    const leads = (id: string): LeaderSelector => new LeaderSelector(zk, path, async ({ signal }) => {
      await untilAborted(signal);
    }, { id });
    const named = leads('node-s');
    const unnamed = leads('');
    named.start();
    await untilChildren(observer, path, 2);
    unnamed.start();
    await untilChildren(observer, path, 3);

    const view = await viewOf(gw, 'compactor');
    expect(view.election).to.equal(undefined);
    expect(view.participants.map((p) => [p.state, p.mode, p.origin])).to.deep.equal([
      ['holder', 'mutex', 'curator'], ['waiting', 'mutex', 'unknown'], ['waiting', 'mutex', 'zkurator'],
    ]);
    expect(view.participants[1]!.data).to.equal('node-s');
    expect(view.participants[2]!.data).to.match(/ zkurator\/\S+ pid \d+$/);
    expect(asParticipants(view)).to.deep.equal(ids(await curatorPeer().participants('S3')));
    expect(asParticipants(view)).to.deep.equal(ids(await named.getParticipants()));
    // A gateway lock there is one more in the mutex's line (as a Curator InterProcessMutex would be).
    expect((await gw.post('/locks/compactor', { wait: 0 })).status).to.equal(408);
    expect(await childrenOf(observer, path)).to.have.length(3);
    await unnamed.close();
    await named.close();
    await curatorPeer().close('S3');
  });
});
