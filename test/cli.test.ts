// The real `zkurator` executable against the real test server: exit codes, signal forwarding,
// the lost-lock path, progress, status, and a Curator holder seen and honoured by the CLI.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mutex, ReadWriteLock } from '../lib/index.js';
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { CLI_PATH, CliProcess, killRunningClis, runCli } from './support/cli-process.js';
import { useCuratorPeer } from './support/curator-peer.js';
import { childrenOf, newClient, sharedConnectString, sharedServerPort, uniquePath, untilChildren } from './support/harness.js';
import { freePort } from './support/ports.js';
import { TcpProxy } from './support/tcp-proxy.js';

const NODE = process.execPath;
/** A command that says it holds, then exits with the number it reads on stdin. */
const GATE = [NODE, '-e', `
  console.log('holding ' + process.env.ZKURATOR_LOCK_NODE + ' token ' + process.env.ZKURATOR_FENCING_TOKEN);
  process.stdin.once('data', (d) => process.exit(Number(String(d).trim())));
`];
/** A command that exits 42 on SIGTERM/SIGINT (saying which), and otherwise runs until stopped. */
const TRAPPING = [NODE, '-e', `
  for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => { console.log('command got ' + s); process.exit(42); });
  console.log('ready ' + process.env.ZKURATOR_LOCK_NODE);
  setInterval(() => {}, 1e6);
`];
/** A command that ignores SIGTERM (so only SIGKILL ends it). */
const STUBBORN = [NODE, '-e', `
  process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
  console.log('ready');
  setInterval(() => {}, 1e6);
`];

describe('zkurator CLI (the real executable, real server)', function () {
  this.timeout(60_000);
  let connect: string;

  before(() => {
    connect = sharedConnectString();
  });

  afterEach(async () => {
    await killRunningClis();
  });

  /** Runs the CLI to completion against the shared server. */
  const runHere = (args: readonly string[]): ReturnType<typeof runCli> => runCli(args, { ZOOKEEPER_CONNECT: connect });

  function run(path: string, extra: string[], command: string[]): CliProcess {
    return new CliProcess(['run', path, ...extra, '--', ...command], { ZOOKEEPER_CONNECT: connect });
  }

  describe('usage', () => {
    it('bad arguments print the usage and exit 64 without touching ZooKeeper', async () => {
      for (const args of [[], ['frobnicate'], ['run', '/x'], ['run', 'relative', '--', 'true'], ['run', '/x', '--read', '--write', '--', 'true'],
        ['run', '/x', '--timeout', 'soon', '--', 'true'], ['run', '/x', '--max-leases', '0', '--', 'true'], ['status'], ['status', '/a', '/b'],
        ['run', '/x', '--bogus', '--', 'true'], ['run', '/x//y', '--', 'true']]) {
        // an unreachable --connect proves no connection is attempted: it would take 15 s and exit 69
        const result = await runCli([...args, ...(args.length > 1 ? ['--connect', '127.0.0.1:1'] : [])]);
        expect(result.code, `zkurator ${args.join(' ')}: ${result.stderr}`).to.equal(64);
        expect(result.stderr).to.match(/^zkurator: .+\n\nUsage:/);
      }
    });

    it('--timeout -1 and --max-leases -1: our own message (not node:util\'s "ambiguous"), usage, exit 64', async () => {
      for (const [args, message] of [
        [['run', '/x', '--timeout', '-1', '--', 'true'], 'zkurator: --timeout must not be negative, got "-1"\n\nUsage:'],
        [['run', '/x', '--max-leases', '-1', '--', 'true'], 'zkurator: --max-leases must be an integer >= 1, got "-1"\n\nUsage:'],
        [['status', '/x', '--max-leases', '-1'], 'zkurator: --max-leases must be an integer >= 1, got "-1"\n\nUsage:'],
      ] as const) {
        const result = await runCli([...args, '--connect', '127.0.0.1:1']);
        expect(result.code, result.stderr).to.equal(64);
        expect(result.stderr.startsWith(message), result.stderr).to.equal(true);
        expect(result.stderr).to.not.match(/ambiguous|Did you forget/);
      }
    });

    it('a --connect chroot that does not exist: run and status say so and exit 69, no stack trace, nothing run', async () => {
      const chroot = `/zkurator-missing-${Date.now().toString(36)}`;
      const rooted = `${connect}${chroot}`;
      const expected = `zkurator: the chroot ${chroot} of connect string ${JSON.stringify(rooted)} does not exist on the server: ` +
        `create it first (e.g. "create ${chroot}" in zkCli.sh) or leave it out of the connect string\n`;
      const run = await runCli(['run', '/locks/x', '--connect', rooted, '--', NODE, '-e', 'console.log("ran")']);
      expect({ code: run.code, stderr: run.stderr, stdout: run.stdout }).to.deep.equal({ code: 69, stderr: expected, stdout: '' });
      const status = await runCli(['status', '/locks/x', '--connect', rooted]);
      expect({ code: status.code, stderr: status.stderr, stdout: status.stdout }).to.deep.equal({ code: 69, stderr: expected, stdout: '' });
    });

    it('--help and --version exit 0', async () => {
      const help = await runCli(['--help']);
      expect(help.code).to.equal(0);
      expect(help.stdout).to.contain('zkurator run <path>');
      const version = await runCli(['--version']);
      expect(version.code).to.equal(0);
      expect(version.stdout).to.match(/^zkurator \d+\.\d+\.\d+\n$/);
    });

    it('an unreachable ZooKeeper exits 69 with a clear message', async () => {
      const port = await freePort();
      const result = await runCli(['status', '/x', '--connect', `127.0.0.1:${port}`, '--connect-timeout', '1s']);
      expect(result.code).to.equal(69);
      expect(result.stderr).to.contain(`cannot reach ZooKeeper at 127.0.0.1:${port} within 1s`);
    });

    it('an unreachable ZooKeeper: every server is named with what happened to it (refused, name not resolved)', async () => {
      const port = await freePort();
      const connectString = `127.0.0.1:${port},zkurator-cli-test.invalid:2181`;
      const result = await runCli(['run', '/x', '--connect', connectString, '--connect-timeout', '2s', '--', 'true']);
      expect(result.code, result.stderr).to.equal(69);
      // A closed network may answer the lookup with EAI_AGAIN ("temporary DNS failure") instead of ENOTFOUND.
      // A server whose next attempt is under way at the timeout (its lookup not back yet on a busy
      // machine) says so, then what the attempt before ran into (ConnectTimeoutError's format).
      expect(result.stderr, result.stderr).to.match(new RegExp(`^zkurator: cannot reach ZooKeeper at ${connectString.replace(/\./g, '\\.')} within 2s \\(set --connect or ZOOKEEPER_CONNECT\\)\n` +
        `  127\\.0\\.0\\.1:${port}: connection refused \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\n` +
        '  zkurator-cli-test\\.invalid:2181: (no answer yet \\(TCP connection not established after \\d+ ms\\); the attempt before: )?'
        + 'host name not resolved (\\(getaddrinfo ENOTFOUND|\\(temporary DNS failure\\) \\(getaddrinfo EAI_AGAIN) zkurator-cli-test\\.invalid\\)\n$'));
      expect(result.stderr).to.not.match(/\n\s+at /); // no stack trace
    });

    it('status and revoke wait 5s for a server that is down (their default), and say so; a host DNS does not know fails at once', async () => {
      const port = await freePort();
      for (const command of [['status', '/x'], ['revoke', '/x/_c_y-lock-0000000000']]) {
        const result = await runCli([...command, '--connect', `127.0.0.1:${port}`]);
        expect(result.code, result.stderr).to.equal(69);
        expect(result.stderr).to.contain(`cannot reach ZooKeeper at 127.0.0.1:${port} within 5s`);
      }
      const unknown = 'zkurator-cli-unknown.invalid:2181';
      const answer = await lookup('zkurator-cli-unknown.invalid').then(() => 'resolved', (e: NodeJS.ErrnoException) => e.code);
      // a connect timeout beyond this test's own: exiting proves the name failed at once
      const result = await runCli(['status', '/x', '--connect', unknown, '--connect-timeout', answer === 'ENOTFOUND' ? '10m' : '1s']);
      expect(result.code, result.stderr).to.equal(69);
      if (answer === 'ENOTFOUND') {
        expect(result.stderr).to.match(new RegExp(`^zkurator: cannot connect to ZooKeeper at ${unknown.replace(/\./g, '\\.')}: no host name of the connect string resolves`));
      } else {
        expect(result.stderr).to.contain('temporary DNS failure'); // a resolver that does not answer: retried until the timeout
      }
    });

    it('a URL given as --connect is a usage error (64) that says it looks like a URL', async () => {
      const result = await runCli(['status', '/x', '--connect', 'http://127.0.0.1:2181']);
      expect(result.code).to.equal(64);
      expect(result.stderr).to.contain('--connect: connect string "http://127.0.0.1:2181" looks like a URL (http://...)');
      expect(result.stderr).to.contain('e.g. "127.0.0.1:2181"');
    });

    it('a connect string that cannot be right is a usage error (64) with its own message, from --connect or ZOOKEEPER_CONNECT', async () => {
      for (const [connectString, message] of [
        ['garbage', 'server address "garbage" in connect string "garbage" has no port: write host:port'],
        ['127.0.0.1:notaport', 'bad port "notaport" in connect string "127.0.0.1:notaport": expected 1-65535'],
        [',,,', 'connect string ",,," has an empty server address'],
        ['127.0.0.1:99999', 'bad port "99999" in connect string "127.0.0.1:99999": expected 1-65535'],
      ] as const) {
        const viaOption = await runCli(['run', '/x', '--connect', connectString, '--', 'true']);
        expect(viaOption.code, viaOption.stderr).to.equal(64);
        expect(viaOption.stderr.startsWith(`zkurator: --connect: ${message}\n\nUsage:`), viaOption.stderr).to.equal(true);
        const viaEnv = await runCli(['status', '/x'], { ZOOKEEPER_CONNECT: connectString });
        expect(viaEnv.code, viaEnv.stderr).to.equal(64);
        expect(viaEnv.stderr.startsWith(`zkurator: ZOOKEEPER_CONNECT: ${message}\n\nUsage:`), viaEnv.stderr).to.equal(true);
      }
    });
  });

  describe('run', () => {
    it('runs the command holding the lock, exits with its code, and leaves no node', async () => {
      const client = await newClient();
      const path = uniquePath('cli-run');
      const cli = run(path, [], GATE);
      const [, node, token] = await cli.waitFor(/holding (\S+) token (\d+)/);
      expect((await childrenOf(client, path)).map((c) => `${path}/${c}`)).to.deep.equal([node]);
      expect((await client.exists(node!))?.czxid).to.equal(BigInt(token!));
      cli.send('7');
      const result = await cli.exited;
      expect(result.code).to.equal(7);
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it('a second run waits its turn, showing progress; --timeout exits 75 and leaves no node', async () => {
      const client = await newClient();
      const path = uniquePath('cli-queue');
      const holder = run(path, [], GATE);
      await holder.waitFor(/holding/);

      const tryOnce = await runHere(['run', path, '--timeout', '0', '--', 'true']);
      expect(tryOnce.code).to.equal(75);
      expect(tryOnce.stderr).to.contain(`${path} is held by others`);
      const timedOut = await runHere(['run', path, '--timeout', '300ms', '--', 'true']);
      expect(timedOut.code).to.equal(75);
      expect(timedOut.stderr).to.contain(`timed out after 300ms waiting for ${path} (1 ahead)`);
      expect(await childrenOf(client, path)).to.have.length(1);

      const waiter = run(path, ['--progress'], [NODE, '-e', 'console.log("second ran")']);
      await waiter.waitFor(new RegExp(`waiting for ${path}: 1 ahead`));
      expect(waiter.stdout).to.equal(''); // not run yet
      holder.send('0');
      expect((await holder.exited).code).to.equal(0);
      const result = await waiter.exited;
      expect(result.code).to.equal(0);
      expect(result.stdout).to.equal('second ran\n');
      expect(result.stderr).to.match(new RegExp(`acquired ${path} after`));
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it('forwards SIGTERM and SIGINT to the command and exits with its code', async () => {
      const client = await newClient();
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const path = uniquePath('cli-signal');
        const cli = run(path, [], TRAPPING);
        await cli.waitFor(/ready/);
        cli.signal(signal); // to zkurator's pid only: the command hears it only if forwarded
        const result = await cli.exited;
        expect(result.stdout).to.contain(`command got ${signal}`);
        expect(result.code).to.equal(42);
        expect(await childrenOf(client, path)).to.deep.equal([]);
      }
    });

    it('repeated Ctrl-C on a command that ignores SIGINT escalates: the second sends SIGTERM, the third SIGKILL; the lock is released', async () => {
      const client = await newClient();
      const path = uniquePath('cli-escalate');
      // ignores SIGINT and SIGTERM (it only says it got them)
      const stubborn = [NODE, '-e', `
        process.on('SIGINT', () => console.log('command got SIGINT'));
        process.on('SIGTERM', () => console.log('command got SIGTERM'));
        console.log('ready');
        setInterval(() => {}, 1000);
      `];
      const cli = run(path, [], stubborn);
      await cli.waitFor(/ready/);
      cli.signal('SIGINT');
      await cli.waitFor(/command got SIGINT/);
      cli.signal('SIGINT');
      // stdout (the command's words) and stderr (zkurator's) are two pipes: either may arrive first
      await cli.waitFor(/command got SIGTERM/);
      await cli.waitFor(/zkurator: SIGINT again: sending SIGTERM to the command \(once more: SIGKILL\)\n/);
      cli.signal('SIGINT');
      const result = await cli.exited;
      expect(result.stderr).to.contain('zkurator: SIGINT again: sending SIGKILL to the command\n');
      expect(result.code).to.equal(137); // 128 + SIGKILL, as a shell reports it
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it('on a terminal (a pty from script(1)) the wait line is redrawn in place without --progress', async () => {
      const path = uniquePath('cli-tty');
      const holder = run(path, [], GATE);
      await holder.waitFor(/holding/);
      // script(1) gives zkurator a pseudo-terminal as stdout and stderr; --timeout ends the wait.
      const inner = [NODE, CLI_PATH, 'run', path, '--timeout', '2500ms', '--', 'true'].map((a) => `'${a}'`).join(' ');
      const tty = spawn('script', ['-qfec', inner, '/dev/null'], { env: { ...process.env, ZOOKEEPER_CONNECT: connect }, stdio: ['ignore', 'pipe', 'pipe'] });
      let screen = '';
      tty.stdout.setEncoding('utf8').on('data', (d: string) => { screen += d; });
      const code = await new Promise<number | null>((resolve) => tty.once('close', resolve));
      expect(code, screen).to.equal(75);
      // redrawn: carriage return + clear line, the position and a growing wait time
      expect(screen).to.match(new RegExp(`\\r\\x1b\\[Kzkurator: waiting for ${path}: 1 ahead, waited \\d+ms`));
      expect(screen).to.match(new RegExp(`\\r\\x1b\\[Kzkurator: waiting for ${path}: 1 ahead, waited [12](\\.\\d)?s`));
      expect(screen).to.contain(`timed out after 2.5s waiting for ${path} (1 ahead)`);
      holder.send('0');
      await holder.exited;
    });

    it('a signal while waiting stops the wait: exit 128+N, command not run, node removed', async () => {
      const client = await newClient();
      const path = uniquePath('cli-wait-signal');
      const holder = run(path, [], GATE);
      await holder.waitFor(/holding/);
      const waiter = run(path, ['--progress'], [NODE, '-e', 'console.log("must not run")']);
      await waiter.waitFor(/1 ahead/);
      await untilChildren(client, path, 2);
      waiter.signal('SIGINT');
      const result = await waiter.exited;
      expect(result.code).to.equal(130);
      expect(result.stderr).to.contain(`SIGINT while waiting for ${path}; the command was not run`);
      expect(result.stdout).to.equal('');
      expect(await childrenOf(client, path)).to.have.length(1);
      holder.send('0');
      await holder.exited;
    });

    it('lost lock (node deleted): stops the command and exits 76', async () => {
      const client = await newClient();
      const path = uniquePath('cli-lost');
      const cli = run(path, [], TRAPPING);
      const [, node] = await cli.waitFor(/ready (\S+)/);
      await client.delete(node!);
      const result = await cli.exited;
      expect(result.stdout).to.contain('command got SIGTERM');
      expect(result.code).to.equal(76);
      expect(result.stderr).to.match(/zkurator: lock .+ \[NODE_DELETED\]; stopping the command/);
    });

    it('lost lock (connection dropped, policy suspended): stops the command and exits 76', async () => {
      const proxy = await TcpProxy.start(sharedServerPort());
      try {
        const path = uniquePath('cli-suspended');
        const cli = new CliProcess(['run', path, '--connect', proxy.connectString, '--', ...TRAPPING]);
        await cli.waitFor(/ready/);
        proxy.cut();
        const result = await cli.exited;
        expect(result.stdout).to.contain('command got SIGTERM');
        expect(result.code).to.equal(76);
        expect(result.stderr).to.contain('[SUSPENDED]');
      } finally {
        await proxy.close();
      }
    });

    it('a command that ignores SIGTERM after a loss is killed after --kill-after', async () => {
      const client = await newClient();
      const path = uniquePath('cli-kill-after');
      const cli = run(path, ['--kill-after', '300ms'], STUBBORN);
      await cli.waitFor(/ready/);
      const [name] = await childrenOf(client, path);
      await client.delete(`${path}/${name}`);
      const result = await cli.exited;
      expect(result.stdout).to.contain('ignoring SIGTERM');
      expect(result.code).to.equal(76);
    });

    it('command not found exits 127, not executable 126; the lock is released either way', async () => {
      const client = await newClient();
      const path = uniquePath('cli-notfound');
      const missing = await runHere(['run', path, '--', 'zkurator-no-such-command']);
      expect(missing.code).to.equal(127);
      expect(missing.stderr).to.contain('command not found: zkurator-no-such-command');
      const dir = mkdtempSync(join(tmpdir(), 'zkurator-cli-'));
      try {
        const file = join(dir, 'not-executable.sh');
        writeFileSync(file, '#!/bin/sh\necho hi\n');
        chmodSync(file, 0o644);
        const denied = await runHere(['run', path, '--', file]);
        expect(denied.code).to.equal(126);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it('--read shares with readers, --write waits for them; --max-leases 2 admits two', async () => {
      const client = await newClient();
      const path = uniquePath('cli-rw');
      const r1 = run(path, ['--read'], GATE);
      const r2 = run(path, ['--read'], GATE);
      await Promise.all([r1.waitFor(/holding/), r2.waitFor(/holding/)]);
      const w = run(path, ['--write', '--progress'], GATE);
      await w.waitFor(/waiting for .*: 2 ahead/);
      r1.send('0');
      r2.send('0');
      await w.waitFor(/holding .*__WRIT__/);
      w.send('0');
      expect((await w.exited).code).to.equal(0);

      const sem = uniquePath('cli-leases');
      const a = run(sem, ['--max-leases', '2'], GATE);
      const b = run(sem, ['--max-leases', '2'], GATE);
      await Promise.all([a.waitFor(/holding/), b.waitFor(/holding/)]);
      const third = await runHere(['run', sem, '--max-leases', '2', '--timeout', '0', '--', 'true']);
      expect(third.code).to.equal(75);
      a.send('0');
      b.send('0');
      await Promise.all([a.exited, b.exited]);
      expect(await childrenOf(client, path)).to.deep.equal([]);
      expect(await childrenOf(client, sem)).to.deep.equal([]);
    });
  });

  describe('status', () => {
    it('lists holders and waiters in lock order, as a table and as JSON', async () => {
      const client = await newClient();
      const path = uniquePath('cli-status');
      const rw = new ReadWriteLock(client, path, { nodeData: Buffer.from('reader-1') });
      const reader = await rw.readLock.acquire();
      const writer = new ReadWriteLock(await newClient(), path, { nodeData: Buffer.from('writer-1') }).writeLock.acquire();
      await untilChildren(client, path, 2);
      const lateReader = new ReadWriteLock(await newClient(), path).readLock.acquire();
      await untilChildren(client, path, 3);

      const json = await runHere(['status', path, '--json']);
      expect(json.code).to.equal(0);
      const snapshot = JSON.parse(json.stdout) as { recipe: string; holders: number; waiters: number; participants: Array<{ path: string; kind: string; state: string; waitingOn?: string; data: string; origin: string; ageMs: number }> };
      expect(snapshot.recipe).to.equal('read-write');
      expect([snapshot.holders, snapshot.waiters]).to.deep.equal([1, 2]);
      const [first, second, third] = snapshot.participants;
      expect([first!.kind, first!.state, first!.path, first!.data]).to.deep.equal(['read', 'holder', reader.path, 'reader-1']);
      expect([second!.kind, second!.state, second!.waitingOn, second!.data]).to.deep.equal(['write', 'waiting', reader.path, 'writer-1']);
      expect([third!.kind, third!.state, third!.waitingOn]).to.deep.equal(['read', 'waiting', second!.path]);
      // origin from the data: our own nodeData is nobody's default; the late reader has the library's
      expect([first!.origin, second!.origin, third!.origin]).to.deep.equal(['unknown', 'unknown', 'zkurator']);
      expect(first!.ageMs).to.be.at.least(0);

      const table = await runHere(['ls', path]);
      expect(table.code).to.equal(0);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).to.equal(`${path} (read-write lock): 1 holding, 2 waiting`);
      expect(lines[1]).to.match(/^#\s+STATE\s+KIND\s+AGE\s+SESSION\s+ORIGIN\s+DATA\s+NODE$/);
      expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).to.deep.equal(['1 holder read', '2 waiting write', '3 waiting read']);

      await reader.release();
      await (await writer).release();
      await (await lateReader).release();
      const empty = await runHere(['status', path]);
      expect(empty.stdout).to.equal(`${path} (read-write lock): 0 holding, 0 waiting\n`.replace('read-write lock', 'mutex'));
    });

    it('judges a mutex with --max-leases', async () => {
      const path = uniquePath('cli-status-leases');
      const clients = await Promise.all([newClient(), newClient(), newClient()]);
      const held = await Promise.all(clients.slice(0, 2).map((c) => new Mutex(c, path, { maxLeases: 2 }).acquire()));
      const waiting = new Mutex(clients[2]!, path, { maxLeases: 2 }).acquire();
      await untilChildren(clients[0]!, path, 3);
      const states = async (extra: string[]): Promise<string[]> => {
        const r = await runHere(['status', path, '--json', ...extra]);
        return (JSON.parse(r.stdout) as { participants: Array<{ state: string }> }).participants.map((p) => p.state);
      };
      expect(await states([])).to.deep.equal(['holder', 'waiting', 'waiting']);
      expect(await states(['--max-leases', '2'])).to.deep.equal(['holder', 'holder', 'waiting']);
      await Promise.all(held.map((l) => l.release()));
      await (await waiting).release();
    });
  });

  describe('with a real Curator 5.4.0 peer', () => {
    const curator = useCuratorPeer();

    it('status shows the Curator holder; run refuses, then waits for and follows it', async () => {
      const client = await newClient();
      const path = uniquePath('cli-curator');
      expect(await curator().acquire('c1', 'mutex', path, 5_000)).to.equal(true);
      const [curatorNode] = await curator().list(path);
      const status = await runHere(['status', path, '--json']);
      const holders = (JSON.parse(status.stdout) as { participants: Array<{ path: string; state: string }> }).participants;
      expect(holders).to.deep.equal([{ ...holders[0], path: curatorNode, state: 'holder' }]);

      const refused = await runHere(['run', path, '--timeout', '0', '--', 'true']);
      expect(refused.code).to.equal(75);
      const cli = run(path, ['--progress'], GATE);
      await cli.waitFor(/1 ahead/);
      expect(cli.stdout).to.equal('');
      await curator().release('c1');
      await cli.waitFor(/holding/);
      // and now Curator is the one kept out
      expect(await curator().acquire('c2', 'mutex', path, 0)).to.equal(false);
      cli.send('0');
      expect((await cli.exited).code).to.equal(0);
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });
  });
});
