// `zkurator run --semaphore N` (Curator's InterProcessSemaphoreV2 layout) and `zkurator status`
// on that layout, with the real executable against the real test server.
import { expect } from 'chai';
import { Semaphore } from '../lib/index.js';
import { CliProcess, killRunningClis, runCli } from './support/cli-process.js';
import { childrenOf, newClient, sharedConnectString, track, uniquePath, untilChildren } from './support/harness.js';

/** A command that says it holds, then exits with the number it reads on stdin. */
const GATE = [process.execPath, '-e', `
  console.log('holding ' + process.env.ZKURATOR_LOCK_NODE);
  process.stdin.once('data', (d) => process.exit(Number(String(d).trim())));
`];

interface StatusJson {
  recipe: string;
  maxLeases: number;
  holders: number;
  waiters: number;
  participants: Array<{ kind: string; state: string; path: string; waitingOn?: string }>;
}

describe('zkurator CLI: --semaphore and status of a V2 semaphore', function () {
  this.timeout(60_000);
  const env = (): NodeJS.ProcessEnv => ({ ZOOKEEPER_CONNECT: sharedConnectString() });

  afterEach(async () => {
    await killRunningClis();
  });

  it('run --semaphore 2 admits two, refuses a third with --timeout 0 (exit 75) and shares the count with the library', async () => {
    const client = await newClient();
    const path = uniquePath('cli-sem');
    const a = new CliProcess(['run', path, '--semaphore', '2', '--', ...GATE], env());
    const b = new CliProcess(['run', path, '--semaphore', '2', '--', ...GATE], env());
    const [ma, mb] = await Promise.all([a.waitFor(/holding (\S+)/), b.waitFor(/holding (\S+)/)]);
    expect(ma[1]).to.match(new RegExp(`^${path}/leases/_c_[0-9a-f-]{36}-lease-\\d{10}$`));
    expect((await childrenOf(client, `${path}/leases`)).sort()).to.deep.equal([ma[1], mb[1]].map((p) => p!.split('/').at(-1)).sort());
    const third = await runCli(['run', path, '--semaphore', '2', '--timeout', '0', '--', 'true'], env());
    expect(third.code).to.equal(75);
    // the library, with the same count, waits too; it gets in when one CLI ends
    const ours = track(new Semaphore(client, path, { maxLeases: 2 }).acquire({ timeout: 20_000 }));
    await untilChildren(client, `${path}/leases`, 3);
    expect(ours.settled()).to.equal(false);
    a.send('7');
    expect((await a.exited).code).to.equal(7);
    const [lease] = await ours.promise;
    b.send('0');
    expect((await b.exited).code).to.equal(0);
    await lease!.release();
    expect(await childrenOf(client, `${path}/leases`)).to.deep.equal([]);
    expect(await childrenOf(client, `${path}/locks`)).to.deep.equal([]);
  });

  it('status understands the V2 layout: holders, the acquirer waiting for room, acquirers queued on the internal mutex', async () => {
    const clients = await Promise.all([newClient(), newClient(), newClient(), newClient()]);
    const path = uniquePath('cli-sem-status');
    const held = await Promise.all(clients.slice(0, 2).map((c) => new Semaphore(c, path, { maxLeases: 2 }).acquire()));
    const waiting = new Semaphore(clients[2]!, path, { maxLeases: 2 }).acquire({ timeout: 20_000 });
    await untilChildren(clients[0]!, `${path}/leases`, 3);
    const queued = new Semaphore(clients[3]!, path, { maxLeases: 2 }).acquire({ timeout: 20_000 });
    await untilChildren(clients[0]!, `${path}/locks`, 2);

    const json = await runCli(['status', path, '--semaphore', '2', '--json'], env());
    expect(json.code, json.stderr).to.equal(0);
    const snapshot = JSON.parse(json.stdout) as StatusJson;
    expect([snapshot.recipe, snapshot.maxLeases, snapshot.holders, snapshot.waiters]).to.deep.equal(['semaphore', 2, 2, 2]);
    expect(snapshot.participants.map((p) => `${p.kind} ${p.state}`)).to.deep.equal(['lease holder', 'lease holder', 'lease waiting', 'lock waiting']);
    expect(snapshot.participants.slice(0, 2).map((p) => p.path)).to.have.members(held.map(([l]) => l!.path));
    expect(snapshot.participants[2]!.waitingOn).to.equal(`${path}/leases`);
    expect(snapshot.participants[3]!.waitingOn).to.match(new RegExp(`^${path}/locks/_c_.*-lock-\\d{10}$`));

    const table = await runCli(['ls', path, '--semaphore', '2'], env());
    expect(table.stdout.split('\n')[0]).to.equal(`${path} (semaphore, 2 leases): 2 holding, 2 waiting`);

    // Without --semaphore the count cannot be known (ZooKeeper does not hold it): status says so,
    // and judges with the least count the held leases show, not with 1 ("1 lease: 2 holding").
    const unknown = await runCli(['status', path], env());
    expect(unknown.stdout.split('\n')[0]).to.equal(
      `${path} (semaphore, lease count not given: judged as 2, the least the leases held show; pass --semaphore N): 2 holding, 2 waiting`);
    const unknownJson = JSON.parse((await runCli(['status', path, '--json'], env())).stdout) as StatusJson & { maxLeasesKnown?: boolean };
    expect([unknownJson.maxLeases, unknownJson.maxLeasesKnown, unknownJson.holders, unknownJson.waiters]).to.deep.equal([2, false, 2, 2]);
    expect(snapshot).to.not.have.property('maxLeasesKnown'); // given: known

    await held[0]![0]!.release();
    const [second] = await waiting;
    await held[1]![0]!.release();
    const [fourth] = await queued;
    await second!.release();
    await fourth!.release();
    const empty = JSON.parse((await runCli(['status', path, '--json'], env())).stdout) as StatusJson;
    expect(empty.participants).to.deep.equal([]);
  });

  it('bad --semaphore values and conflicting modes are usage errors (exit 64), nothing sent', async () => {
    for (const args of [['run', '/x', '--semaphore', '0', '--', 'true'], ['run', '/x', '--semaphore', '2', '--write', '--', 'true'],
      ['run', '/x', '--semaphore', '2', '--max-leases', '2', '--', 'true'], ['status', '/x', '--semaphore', 'two'],
      ['status', '/x', '--semaphore', '2', '--max-leases', '2']]) {
      const result = await runCli(args, { ZOOKEEPER_CONNECT: '127.0.0.1:1' }); // unreachable: a connect would take 15 s and exit 69
      expect(result.code, args.join(' ')).to.equal(64);
      expect(result.stderr, args.join(' ')).to.match(/--semaphore|--max-leases/);
    }
  });
});
