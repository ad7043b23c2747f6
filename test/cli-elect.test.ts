// `zkurator elect`, the real executable against the real test server: three elect processes on
// one path, each running a job that appends "<CLOCK_MONOTONIC ns> enter <id>" when it starts and
// "<ns> exit <id>" when it stops to one record; replayed in time order, the job must run on at
// most one process at every moment, while the leader is killed (SIGKILL), paused (SIGSTOP past
// the session timeout), cut off from ZooKeeper, or its job exits by itself; and with a real
// Curator 5.4.0 LeaderLatch member on the same path.
import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mutex, type ZkClient } from '../lib/index.js';
import { CliProcess, killRunningClis, runCli } from './support/cli-process.js';
import { useCuratorLeaderPeer } from './support/curator-leader-peer.js';
import { childrenOf, newClient, sharedConnectString, sharedServerPort, uniquePath, untilChildren } from './support/harness.js';
import { checkLeaderRecord } from './support/leader-record.js';
import { pollUntil } from './support/poll.js';
import { TcpProxy } from './support/tcp-proxy.js';

const NODE = process.execPath;
/** Session timeout of every elect here (the test server allows 1 s to 10 s). */
const SESSION = '2s';
const SESSION_MS = 2_000;

/**
 * The job elect runs: records its start and its end, says it runs (with its pid, the term's
 * node and fencing token), ends with code 42 on SIGTERM, and with the number it reads on stdin.
 */
const JOB = `
const { appendFileSync } = require('node:fs');
const record = process.argv[2];
const id = process.env.ZKURATOR_LEADER_ID;
const log = (event) => appendFileSync(record, process.hrtime.bigint() + ' ' + event + ' ' + id + '\\n');
const stop = (code) => { log('exit'); process.exit(code); };
// Handlers first: a SIGTERM that comes right after the start must find the job recording its end.
process.on('SIGTERM', () => { console.log('stopped ' + id); stop(42); });
process.stdin.on('data', (d) => stop(Number(String(d).trim())));
log('enter');
console.log('running ' + id + ' pid ' + process.pid + ' token ' + process.env.ZKURATOR_FENCING_TOKEN + ' node ' + process.env.ZKURATOR_LEADER_NODE
  + ' path ' + process.env.ZKURATOR_ELECTION_PATH);
setInterval(() => {}, 1e6);
`;
/** A job that ignores SIGTERM (only SIGKILL ends it). */
const STUBBORN = [NODE, '-e', `
  process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
  console.log('ready');
  setInterval(() => {}, 1e6);
`];

/** A regular expression matching the n-th occurrence of `pattern` in the output. */
function nth(pattern: string, n: number): RegExp {
  return new RegExp(`(?:[\\s\\S]*?${pattern}){${n}}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** When `member`'s `event` lines were written, in record order (ns). */
function timesOf(record: string, event: 'enter' | 'exit', member: string): bigint[] {
  return readFileSync(record, 'utf8').split('\n').filter((l) => l.endsWith(` ${event} ${member}`)).map((l) => BigInt(l.split(' ')[0]!));
}

interface Running {
  readonly cli: CliProcess;
  readonly id: string;
  readonly pid: number;
  readonly token: bigint;
  readonly node: string;
}

describe('zkurator elect (the real executable, real server)', function () {
  this.timeout(90_000);
  let dir: string;
  let job: string;
  /** Pids of jobs seen running, to be sure none outlives its test. */
  const jobPids = new Set<number>();
  const proxies: TcpProxy[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zkurator-elect-'));
    job = join(dir, 'job.cjs');
    writeFileSync(job, JOB);
    chmodSync(job, 0o644);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    // SIGKILL: each guard then stops its job by itself (they must not outlive elect).
    await killRunningClis();
    try {
      await pollUntil(() => [...jobPids].every((pid) => !isAlive(pid)), { timeoutMs: 15_000, what: 'every job stopped once its elect was killed' });
    } finally {
      for (const pid of jobPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL'); // a failed test leaves no job behind
      jobPids.clear();
      await Promise.all(proxies.splice(0).map((p) => p.close()));
    }
  });

  function elect(id: string, path: string, record: string, extra: readonly string[] = [], command?: readonly string[]): CliProcess {
    return new CliProcess(['elect', path, '--id', id, '--session-timeout', SESSION, ...extra, '--', ...(command ?? [NODE, job, record])],
      { ZOOKEEPER_CONNECT: sharedConnectString() });
  }

  /** The `n`-th job start among `clis` (counting each one's own starts), whichever comes first. */
  async function nextRunning(clis: readonly CliProcess[], n = 1): Promise<Running> {
    return Promise.any(clis.map(async (cli) => {
      const m = await cli.waitFor(nth('running (\\S+) pid (\\d+) token (\\d+) node (\\S+)', n), 30_000);
      const found = [...m[0].matchAll(/running (\S+) pid (\d+) token (\d+) node (\S+)/g)].at(-1)!;
      jobPids.add(Number(found[2]));
      return { cli, id: found[1]!, pid: Number(found[2]), token: BigInt(found[3]!), node: found[4]! };
    }));
  }

  async function proxy(): Promise<TcpProxy> {
    const p = await TcpProxy.start(sharedServerPort());
    proxies.push(p);
    return p;
  }

  /** Three elect processes on `path`, joined in the order a, b, c. */
  async function three(path: string, record: string, extraOfA: readonly string[] = []): Promise<CliProcess[]> {
    const a = elect('a', path, record, extraOfA);
    await a.waitFor(/joined the election/);
    const b = elect('b', path, record);
    await b.waitFor(/joined the election/);
    const c = elect('c', path, record);
    await c.waitFor(/joined the election/);
    return [a, b, c];
  }

  /** The record replayed: one job at a time, in these terms; what elect said goes into the failure message. */
  function expectOneAtATime(record: string, terms: readonly string[], clis: readonly CliProcess[]): void {
    const text = readFileSync(record, 'utf8');
    const verdict = checkLeaderRecord(text);
    const shown = `${text}\n${clis.map((c) => c.stdout + c.stderr).join('\n')}`;
    expect(verdict.violations, shown).to.deep.equal([]);
    expect(verdict.terms, shown).to.deep.equal(terms);
  }

  it('runs the job on exactly one of three processes; a SIGKILLed leader\'s job is stopped at once by its guard, and the job moves once its session has expired', async () => {
    const client = await newClient();
    const path = uniquePath('elect-kill');
    const record = join(dir, 'kill.log');
    const clis = await three(path, record);
    const first = await nextRunning(clis);
    expect(first.id).to.equal('a');
    expect(first.cli.stdout).to.contain(`path ${path}`);
    expect((await client.exists(first.node))?.czxid).to.equal(first.token);
    expect(first.cli.stderr).to.contain(`leading ${path} as "a" (node ${first.node}, fencing token ${first.token}); running the command`);

    first.cli.signal('SIGKILL');
    // Its session lives on for now (so nobody else may lead yet), but its job is stopped already.
    expect(await client.exists(first.node)).to.not.equal(undefined);
    await pollUntil(() => timesOf(record, 'exit', 'a').length === 1, { timeoutMs: 5_000, what: 'the killed leader\'s job to stop' });
    await pollUntil(() => !isAlive(first.pid), { timeoutMs: 5_000, what: 'the killed leader\'s job to end' });
    const killed = await first.cli.exited;
    expect(killed.signal).to.equal('SIGKILL');
    expect(killed.stderr).to.match(/zkurator: zkurator elect \(pid \d+\) is gone: stopping the command it ran \(SIGTERM\)/);

    const second = await nextRunning(clis.slice(1));
    expect(second.id).to.equal('b'); // next in line
    expect(second.token > first.token).to.equal(true);
    expect(await client.exists(first.node)).to.equal(undefined); // expired with its session
    expect(timesOf(record, 'exit', 'a')[0]! < timesOf(record, 'enter', 'b')[0]!).to.equal(true);
    expectOneAtATime(record, ['a', 'b'], clis);
    expect(clis[2]!.stdout).to.equal(''); // c never ran its job
  });

  it('a leader paused (SIGSTOP) past its session timeout: its guard stops its job while it is paused, before another member\'s starts; after SIGCONT it stands again', async () => {
    const path = uniquePath('elect-pause');
    const record = join(dir, 'pause.log');
    const clis = await three(path, record);
    const first = await nextRunning(clis);
    expect(first.id).to.equal('a');

    const pausedAt = process.hrtime.bigint();
    first.cli.signal('SIGSTOP');
    const second = await nextRunning(clis.slice(1)); // after the paused leader's session expired
    expect(second.id).to.equal('b');
    const resumedAt = process.hrtime.bigint();
    first.cli.signal('SIGCONT');
    await first.cli.waitFor(/the command stopped \(exit code 42; stopped by its guard: zkurator elect was not running\); standing for election on \S+ again/);

    const [stoppedAt] = timesOf(record, 'exit', 'a');
    expect(stoppedAt! > pausedAt && stoppedAt! < resumedAt, 'the job stopped while elect was paused').to.equal(true);
    expect(stoppedAt! < timesOf(record, 'enter', 'b')[0]!).to.equal(true);
    expect(isAlive(first.pid)).to.equal(false);
    expect(first.cli.stderr).to.match(/zkurator: no word from zkurator elect \(pid \d+\) for \d+ms: it is not running \(paused\?\)/);
    // After SIGCONT its own clock ends the term at once (before any reply can tell it so).
    expect(first.cli.stderr).to.match(/\[SESSION_(UNCONFIRMED|LOST)\]; stopping the command/);
    expectOneAtATime(record, ['a', 'b'], clis);
    // It stands again, behind the others; b keeps leading.
    const observer = await newClient();
    await untilChildren(observer, path, 3, 15_000);
    expect(first.cli.stdout.match(/running a/g)).to.have.length(1);
    expect(clis[2]!.stdout).to.equal('');
  });

  it('leadership lost with the connection: the job is stopped (SIGTERM) and runs again when elect leads again; cut off past the session timeout, the job moves', async () => {
    const p = await proxy();
    const path = uniquePath('elect-cut');
    const record = join(dir, 'cut.log');
    const clis = await three(path, record, ['--connect', p.connectString]);
    const [a, b, c] = clis as [CliProcess, CliProcess, CliProcess];
    const first = await nextRunning(clis);
    expect(first.id).to.equal('a');

    // A short cut: its term ends at once (SUSPENDED), the job is stopped; back within the
    // session timeout, it is still first in line and leads again: the job runs again.
    p.cut();
    await a.waitFor(/leadership of \S+: the connection to ZooKeeper dropped.*\[SUSPENDED\]; stopping the command \(SIGTERM, SIGKILL after 10s, or once another member may lead, whichever comes first\)/);
    await a.waitFor(/the command stopped \(exit code 42\); standing for election on \S+ again/);
    p.restore();
    const again = await nextRunning([a], 2);
    expect([again.node, again.token]).to.deep.equal([first.node, first.token]); // the same node: the session survived

    // A long cut: the server expires its session, and the job moves to b.
    p.cut();
    await a.waitFor(nth('standing for election on \\S+ again', 2));
    const second = await nextRunning([b, c]);
    expect(second.id).to.equal('b');
    expect(second.token > first.token).to.equal(true);
    p.restore();
    expectOneAtATime(record, ['a', 'a', 'b'], clis);
    expect(c.stdout).to.equal('');
  });

  it('a job that exits by itself while leading: elect gives up leadership at once (its node is gone when it exits) and exits with the job\'s code; the next member runs it', async () => {
    const client = await newClient();
    const path = uniquePath('elect-exit');
    const record = join(dir, 'exit.log');
    const clis = await three(path, record);
    const first = await nextRunning(clis);
    first.cli.send('7');
    const result = await first.cli.exited;
    expect(result.code).to.equal(7);
    expect(result.stderr).to.contain(`zkurator: the command exited by itself (exit code 7) while leading; giving up leadership of ${path}\n`);
    expect(await client.exists(first.node)).to.equal(undefined); // deleted by elect, not left to expire
    expect((await childrenOf(client, path)).length).to.equal(2);
    const second = await nextRunning(clis.slice(1));
    expect(second.id).to.equal('b');
    expectOneAtATime(record, ['a', 'b'], clis);
  });

  it('signals: while waiting, elect leaves (128+N, its node removed); while leading, the signal goes to the job and elect exits with the job\'s code', async () => {
    const client = await newClient();
    const path = uniquePath('elect-signal');
    const record = join(dir, 'signal.log');
    const [a, b, c] = await three(path, record) as [CliProcess, CliProcess, CliProcess];
    await nextRunning([a]);

    c.signal('SIGINT');
    const waiting = await c.exited;
    expect(waiting.code).to.equal(130);
    expect(waiting.stderr).to.contain(`zkurator: SIGINT while waiting to lead ${path}; leaving the election\n`);
    expect(waiting.stdout).to.equal('');
    await untilChildren(client, path, 2);

    a.signal('SIGTERM'); // to elect's pid only: the job hears it only if forwarded
    const leading = await a.exited;
    expect(leading.stdout).to.contain('stopped a');
    expect(leading.code).to.equal(42);
    expect(leading.stderr).to.contain(`zkurator: the command ended (exit code 42) after SIGTERM; giving up leadership of ${path}\n`);
    await nextRunning([b]);
    expect((await childrenOf(client, path)).length).to.equal(1);
    expectOneAtATime(record, ['a', 'b'], [a, b, c]);
  });

  it('a job that ignores signals: the second one elect receives sends it SIGTERM, the third SIGKILL; elect exits 137', async () => {
    const client = await newClient();
    const path = uniquePath('elect-escalate');
    const deaf = [NODE, '-e', `
      for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => console.log('ignoring ' + s));
      console.log('ready');
      setInterval(() => {}, 1e6);
    `];
    const cli = elect('deaf', path, '', [], deaf);
    await cli.waitFor(/ready/);
    cli.signal('SIGINT');
    await cli.waitFor(/ignoring SIGINT/);
    cli.signal('SIGINT');
    // stdout (the command's words) and stderr (zkurator's) are two pipes: either may arrive first
    await cli.waitFor(/ignoring SIGTERM/);
    await cli.waitFor(/zkurator: SIGINT again: sending SIGTERM to the command \(once more: SIGKILL\)\n/);
    cli.signal('SIGINT');
    const result = await cli.exited;
    expect(result.stderr).to.contain('zkurator: SIGINT again: sending SIGKILL to the command\n');
    expect(result.code).to.equal(137);
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('a job that ignores SIGTERM after a loss is killed after --kill-after; elect stands again and runs it again', async () => {
    const client = await newClient();
    const path = uniquePath('elect-kill-after');
    const cli = elect('solo', path, '', ['--kill-after', '300ms'], STUBBORN);
    await cli.waitFor(/ready/);
    const [node] = await childrenOf(client, path);
    await client.delete(`${path}/${node}`); // someone deletes our node: leadership is lost (NODE_DELETED)
    await cli.waitFor(/\[NODE_DELETED\]; stopping the command \(SIGTERM, SIGKILL after 300ms/);
    await cli.waitFor(/the command stopped \(signal SIGKILL\); standing for election on \S+ again/);
    expect(cli.stdout).to.contain('ignoring SIGTERM');
    await cli.waitFor(nth('ready', 2)); // alone in line with a new node: it leads again
    const [newNode] = await childrenOf(client, path);
    expect(newNode).to.not.equal(node);
  });

  it('a job that cannot run: not found 127, not executable 126; leadership given up, no node left', async () => {
    const client = await newClient();
    const path = uniquePath('elect-notfound');
    const missing = await runCli(['elect', path, '--', 'zkurator-no-such-command'], { ZOOKEEPER_CONNECT: sharedConnectString() });
    expect(missing.code).to.equal(127);
    expect(missing.stderr).to.contain('zkurator: command not found: zkurator-no-such-command\n');
    const file = join(dir, 'not-executable.sh');
    writeFileSync(file, '#!/bin/sh\necho hi\n');
    chmodSync(file, 0o644);
    const denied = await runCli(['elect', path, '--', file], { ZOOKEEPER_CONNECT: sharedConnectString() });
    expect(denied.code).to.equal(126);
    expect(denied.stderr).to.contain(`zkurator: cannot run ${file}:`);
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('a path holding LeaderSelector or lock nodes: exit 78 (the conflict named), no node created, nothing run', async () => {
    const client = await newClient();
    const path = uniquePath('elect-conflict');
    const lease = await new Mutex(client, path).acquire();
    const result = await runCli(['elect', path, '--', NODE, '-e', 'console.log("must not run")'], { ZOOKEEPER_CONNECT: sharedConnectString() });
    expect(result.code).to.equal(78);
    expect(result.stderr).to.match(new RegExp(`^zkurator: election path ${path} would hold both this LeaderLatch member \\(its node not created\\) and LeaderSelector or lock nodes \\(1, e\\.g\\. _c_.+-lock-0000000000\\)`));
    expect(result.stdout).to.equal('');
    expect(await childrenOf(client, path)).to.deep.equal([lease.path.split('/').pop()]);
    await lease.release();
  });

  describe('with a real Curator 5.4.0 LeaderLatch member', () => {
    const curatorPeer = useCuratorLeaderPeer();

    it('elect waits while a Curator member leads, runs the job once it leaves, and a Curator member that joins later waits for elect', async () => {
      const observer: ZkClient = await newClient();
      const path = uniquePath('elect-curator');
      const record = join(dir, 'curator.log');
      await curatorPeer().recordTo(record);
      await curatorPeer().latch('J1', sharedConnectString(), SESSION_MS, path, 'J1');
      await curatorPeer().next('isLeader', 'J1');
      const a = elect('a', path, record);
      await a.waitFor(/joined the election/);
      const b = elect('b', path, record);
      await b.waitFor(/joined the election/);
      expect(ids(await curatorPeer().participants('J1'))).to.deep.equal(['J1*', 'a', 'b']);

      await curatorPeer().close('J1');
      const first = await nextRunning([a, b]);
      expect(first.id).to.equal('a');
      await curatorPeer().latch('J2', sharedConnectString(), SESSION_MS, path, 'J2');
      await untilChildren(observer, path, 3);
      expect(ids(await curatorPeer().participants('J2'))).to.deep.equal(['a*', 'b', 'J2']);
      const status = await runCli(['status', path, '--json'], { ZOOKEEPER_CONNECT: sharedConnectString() });
      expect(status.code, status.stderr).to.equal(0);
      expect(ids((JSON.parse(status.stdout) as { participants: Array<{ id: string; isLeader: boolean }> }).participants)).to.deep.equal(['a*', 'b', 'J2']);

      a.signal('SIGTERM');
      expect((await a.exited).code).to.equal(42);
      await nextRunning([b]);
      b.send('0');
      expect((await b.exited).code).to.equal(0);
      await curatorPeer().next('isLeader', 'J2');
      await curatorPeer().close('J2');
      expectOneAtATime(record, ['J1', 'a', 'b', 'J2'], [a, b]);
      expect(await childrenOf(observer, path)).to.deep.equal([]);
    });
  });
});

function ids(list: ReadonlyArray<{ id: string; isLeader: boolean }>): string[] {
  return list.map((p) => `${p.id}${p.isLeader ? '*' : ''}`);
}
