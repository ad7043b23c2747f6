// `zkurator status` on an election path, the real executable against the real server: the
// members of a LeaderLatch or LeaderSelector election (zkurator's and real Curator 5.4.0 ones),
// their ids, who leads and who waits on whom, in the order Curator's getParticipants() gives;
// and a path both recipes use shown as the conflict it is (exit 78).
import { expect } from 'chai';
import { CreateMode, LeaderLatch, LeaderSelector, Mutex, type Leadership, type ZkClient } from '../lib/index.js';
import { runCli } from './support/cli-process.js';
import { useCuratorLeaderPeer } from './support/curator-leader-peer.js';
import { newClient, sharedConnectString, uniquePath, untilChildren } from './support/harness.js';

interface MemberJson {
  name: string; path: string; kind: string; role: string; id: string; isLeader: boolean; waitingOn?: string;
  sessionId: string; czxid: string; createdAt: string; ageMs: number;
}
interface ElectionJson { path: string; recipe: string; leader: MemberJson | null; participants: MemberJson[]; conflict?: string }

/** Ids in order, the leader(s) starred: the shape of Curator's Participant list. */
function ids(list: ReadonlyArray<{ id: string; isLeader: boolean }>): string[] {
  return list.map((p) => `${p.id}${p.isLeader ? '*' : ''}`);
}

/** Resolves once the signal aborts (at once if it has: a term may end before its callback runs). */
function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

async function status(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(['status', ...args], { ZOOKEEPER_CONNECT: sharedConnectString() });
}

async function statusJson(path: string, extra: readonly string[] = []): Promise<{ code: number | null; json: ElectionJson }> {
  const result = await status([path, '--json', ...extra]);
  expect(result.stderr).to.equal('');
  return { code: result.code, json: JSON.parse(result.stdout) as ElectionJson };
}

describe('zkurator status of an election (the real executable, real server)', function () {
  this.timeout(90_000);

  it('LeaderLatch members: leader first, each waiter watching the one before it, ids and sessions; as a table and as JSON', async () => {
    const path = uniquePath('status-latch');
    const clients: ZkClient[] = await Promise.all([newClient(), newClient(), newClient()]);
    const latches = ['node-a', 'node b', ''].map((id, i) => new LeaderLatch(clients[i]!, path, { id }));
    for (const latch of latches) await latch.start();
    expect(await latches[0]!.await({ timeout: 5_000 })).to.equal(true);

    const { code, json } = await statusJson(path);
    expect(code).to.equal(0);
    expect(json.recipe).to.equal('leader-latch');
    expect(ids(json.participants)).to.deep.equal(ids(await latches[2]!.getParticipants()));
    expect(ids(json.participants)).to.deep.equal(['node-a*', 'node b', '']);
    expect(json.leader?.path).to.equal(latches[0]!.node);
    expect(json.participants.map((p) => p.path)).to.deep.equal(latches.map((l) => l.node));
    expect(json.participants.map((p) => p.role)).to.deep.equal(['leader', 'waiting', 'waiting']);
    expect(json.participants.map((p) => p.waitingOn)).to.deep.equal([undefined, latches[0]!.node, latches[1]!.node]);
    expect(json.participants.map((p) => p.sessionId)).to.deep.equal(clients.map((c) => c.sessionId));
    expect(json.leader?.czxid).to.equal(latches[0]!.leadership!.fencingToken.toString());

    const table = await status([path]);
    expect(table.code).to.equal(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).to.equal(`${path} (LeaderLatch election): leader "node-a", 3 members`);
    expect(lines[1]).to.match(/^#\s+ROLE\s+KIND\s+ID\s+AGE\s+SESSION\s+NODE$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/).slice(0, 4).join('|'))).to.deep.equal(['1|leader|latch|"node-a"', '2|waiting|latch|"node b"', '3|waiting|latch|""']);

    // The leader leaves: the next one leads, and status says so.
    await latches[0]!.close();
    expect(await latches[1]!.await({ timeout: 5_000 })).to.equal(true);
    expect(ids((await statusJson(path)).json.participants)).to.deep.equal(['node b*', '']);
    for (const latch of latches.slice(1)) await latch.close();
    // Empty: a plain path again (no latch nodes), unless --election asks.
    expect((await status([path])).stdout).to.equal(`${path} (mutex): 0 holding, 0 waiting\n`);
    expect((await status([path, '--election'])).stdout).to.equal(`${path} (election): no leader, 0 members\n`);
  });

  it('LeaderSelector members with --election (without it: the same nodes as a mutex, the leader holding)', async () => {
    const path = uniquePath('status-selector');
    const client = await newClient();
    let lead!: () => void;
    const led = new Promise<void>((resolve) => { lead = resolve; });
    const leading: Leadership[] = [];
    const selectors = ['s1', 's2'].map((id) => new LeaderSelector(client, path, async (leadership) => {
      leading.push(leadership);
      lead();
      await untilAborted(leadership.signal);
    }, { id }));
    selectors[0]!.start();
    await led;
    selectors[1]!.start();
    await untilChildren(client, path, 2);

    const { code, json } = await statusJson(path, ['--election']);
    expect(code).to.equal(0);
    expect(json.recipe).to.equal('leader-selector');
    expect(ids(json.participants)).to.deep.equal(['s1*', 's2']);
    expect(ids(json.participants)).to.deep.equal(ids(await selectors[1]!.getParticipants()));
    expect(json.participants.map((p) => p.kind)).to.deep.equal(['selector', 'selector']);
    expect(json.leader?.czxid).to.equal(leading[0]!.fencingToken.toString());
    expect((await status([path, '--election'])).stdout.split('\n')[0]).to.equal(`${path} (LeaderSelector election): leader "s1", 2 members`);
    const asLock = (await status([path])).stdout.split('\n');
    expect(asLock[0]).to.equal(`${path} (mutex): 1 holding, 1 waiting`);
    // The waiting one first: closing it while it is being granted leadership is another matter.
    await selectors[1]!.close();
    await selectors[0]!.close();
  });

  it('a path holding both LeaderLatch and lock nodes: shown as a conflict with the leader each recipe sees, exit 78', async () => {
    const path = uniquePath('status-mixed');
    const client = await newClient();
    const latch = new LeaderLatch(await newClient(), path, { id: 'latch-member' });
    await latch.start();
    expect(await latch.await({ timeout: 5_000 })).to.equal(true);
    // A lock on the same path (a mutex's node is a LeaderSelector's): the zkurator latch leader
    // steps down and withdraws its node, and stays out while the lock node is there.
    const lease = await new Mutex(client, path, { nodeData: Buffer.from('lock-holder') }).acquire();
    await untilChildren(client, path, 1);
    // A latch node next to it, as a misconfigured Curator LeaderLatch member would make it.
    const latchAlso = await newClient();
    const raw = await latchAlso.create(`${path}/_c_00000000-0000-0000-0000-000000000000-latch-`, Buffer.from('curator-latch'), CreateMode.EPHEMERAL_SEQUENTIAL);
    const table = await status([path]);
    expect(table.code).to.equal(78);
    expect(table.stdout.split('\n')[0]).to.equal(`${path} (CONFLICT: LeaderLatch and LeaderSelector members on one path): `
      + '2 members; each recipe sees a leader of its own: "curator-latch" (LeaderLatch) and "lock-holder" (LeaderSelector); use one recipe per path');
    const { code, json } = await statusJson(path);
    expect(code).to.equal(78);
    expect(json.recipe).to.equal('conflict');
    expect(json.leader).to.equal(null);
    expect(json.conflict).to.contain(`election path ${path} would hold both LeaderLatch nodes (1, e.g. ${raw.split('/').pop()}) and LeaderSelector or lock nodes (1, e.g. ${lease.path.split('/').pop()})`);
    expect(json.participants.map((p) => `${p.kind}:${p.id}${p.isLeader ? '*' : ''}`)).to.deep.equal(['latch:curator-latch*', 'selector:lock-holder*']);
    await latchAlso.delete(raw);
    await lease.release();
    await latch.close();
  });

  describe('with real Curator 5.4.0 members', () => {
    const curatorPeer = useCuratorLeaderPeer();

    it('Curator and zkurator LeaderLatch members on one path: status lists them as Curator\'s getParticipants() does, in order', async () => {
      const path = uniquePath('status-curator-latch');
      const observer = await newClient();
      // Curator creates a latch's node in the background, after start() returns: wait for each.
      await curatorPeer().latch('J1', sharedConnectString(), 4_000, path, 'jvm-1');
      await untilChildren(observer, path, 1);
      const z = new LeaderLatch(await newClient(), path, { id: 'node-1' });
      await z.start();
      await curatorPeer().latch('J2', sharedConnectString(), 4_000, path, 'jvm-2');
      await untilChildren(observer, path, 3);
      await curatorPeer().next('isLeader', 'J1');
      const { code, json } = await statusJson(path);
      expect(code).to.equal(0);
      expect(ids(json.participants)).to.deep.equal(['jvm-1*', 'node-1', 'jvm-2']);
      expect(ids(json.participants)).to.deep.equal(ids(await curatorPeer().participants('J2')));
      await curatorPeer().close('J1');
      expect(await z.await({ timeout: 10_000 })).to.equal(true);
      expect(ids((await statusJson(path)).json.participants)).to.deep.equal(['node-1*', 'jvm-2']);
      await z.close();
      await curatorPeer().close('J2');
    });

    it('Curator and zkurator LeaderSelector members on one path: status --election agrees with Curator\'s getParticipants()', async () => {
      const path = uniquePath('status-curator-selector');
      const observer = await newClient();
      await curatorPeer().selector('JS1', sharedConnectString(), 4_000, path, 'jvm-s1');
      await curatorPeer().next('isLeader', 'JS1');
      const z = new LeaderSelector(await newClient(), path, async ({ signal }) => {
        await untilAborted(signal);
      }, { id: 'node-s1' });
      z.start();
      await untilChildren(observer, path, 2);
      const { code, json } = await statusJson(path, ['--election']);
      expect(code).to.equal(0);
      expect(ids(json.participants)).to.deep.equal(['jvm-s1*', 'node-s1']);
      expect(ids(json.participants)).to.deep.equal(ids(await curatorPeer().participants('JS1')));
      await z.close();
      await curatorPeer().close('JS1');
    });
  });
});
