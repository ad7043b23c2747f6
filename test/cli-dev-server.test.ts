// `zkurator dev-server`, the real executable on the rig's backend (a local JVM, or a container):
// it serves, and its server and data dir go when it goes, however it goes: a signal it handles,
// SIGKILL, or the end of the process that started it (`npx zkurator dev-server &` then `kill $!`).
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, CliProcess, killRunningClis, runCli } from './support/cli-process.js';
import { childrenOf, newClient, sharedServerPort } from './support/harness.js';
import { pollUntil } from './support/poll.js';
import { serverBackend } from './support/server-backend.js';

/** What a running dev-server said about itself on stderr. */
interface DevServerInfo {
  connectString: string;
  dataDir: string;
  /** The server JVM's pid (local backend). */
  pid?: number;
  /** The container's name (docker backend). */
  container?: string;
}

function parseBanner(output: string): DevServerInfo {
  const m = /ZooKeeper \((?:local|docker), (?:pid (\d+)|container (\S+))\) serving on (127\.0\.0\.1:\d+), data in (\S+)/.exec(output);
  if (!m) throw new Error(`no dev-server banner in: ${output}`);
  return { pid: m[1] === undefined ? undefined : Number(m[1]), container: m[2], connectString: m[3]!, dataDir: m[4]! };
}

/** True when no process `pid` runs (a zombie no longer runs: it only waits to be reaped). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw err;
  }
  try {
    // "pid (comm) S ...": the state follows the last ')'
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true; // gone between the two looks
  }
}

function containerGone(name: string): boolean {
  return spawnSync('docker', ['inspect', name], { stdio: 'ignore', timeout: 10_000 }).status !== 0;
}

/** The server (JVM or container) and its data dir, both still there. */
function expectServing(info: DevServerInfo): void {
  expect(existsSync(info.dataDir), 'data dir exists while serving').to.equal(true);
  if (info.container !== undefined) expect(containerGone(info.container), 'container runs while serving').to.equal(false);
  else expect(processGone(info.pid!), 'JVM runs while serving').to.equal(false);
}

/** Polls (there is no event for another process's end) until the server and its data dir are gone. */
async function untilServerGone(info: DevServerInfo, timeoutMs = 20_000): Promise<void> {
  const what = info.container !== undefined ? `container ${info.container}` : `JVM pid ${info.pid}`;
  await pollUntil(
    () => !existsSync(info.dataDir) && (info.container !== undefined ? containerGone(info.container) : processGone(info.pid!)),
    { timeoutMs, intervalMs: 100, what: `${what} and ${info.dataDir} gone` },
  );
}

describe('zkurator dev-server (the real executable)', function () {
  this.timeout(120_000);
  const backend = serverBackend();

  afterEach(async () => {
    await killRunningClis();
  });

  async function startDevServer(): Promise<{ dev: CliProcess; info: DevServerInfo }> {
    const dev = new CliProcess(['dev-server', '--port', '0', '--backend', backend]);
    await dev.waitFor(/data in \S+\n/, 90_000);
    return { dev, info: parseBanner(dev.stderr) };
  }

  it(`starts a server (backend: ${backend}), prints its connection string, and removes it on SIGTERM`, async () => {
    const { dev, info } = await startDevServer();
    expect(dev.stdout).to.equal(`${info.connectString}\n`);
    const client = await newClient({ connectString: info.connectString });
    await client.create('/dev-server-check', Buffer.from('x'), 0);
    expect(await childrenOf(client, '/')).to.include('dev-server-check');
    await client.close();
    expectServing(info);
    dev.signal('SIGTERM');
    expect((await dev.exited).code).to.equal(0);
    // stop() waited for the server's end before the exit: nothing left to poll for
    expect(existsSync(info.dataDir)).to.equal(false);
    expect(info.container !== undefined ? containerGone(info.container) : processGone(info.pid!)).to.equal(true);
  });

  it('refuses a port in use with 69', async () => {
    const busy = await runCli(['dev-server', '--port', String(sharedServerPort()), '--backend', backend]);
    expect(busy.code).to.equal(69);
    expect(busy.stderr).to.contain(`port ${sharedServerPort()} on 127.0.0.1 is in use`);
  });

  for (const signal of ['SIGINT', 'SIGHUP'] as const) {
    it(`${signal} stops and removes the server, exit 0`, async () => {
      const { dev, info } = await startDevServer();
      expectServing(info);
      process.kill(dev.pid, signal);
      expect((await dev.exited).code).to.equal(0);
      await untilServerGone(info);
    });
  }

  it('SIGKILL of the dev-server: its server and data dir go too', async () => {
    const { dev, info } = await startDevServer();
    expectServing(info);
    process.kill(dev.pid, 'SIGKILL');
    expect((await dev.exited).signal).to.equal('SIGKILL');
    await untilServerGone(info);
  });

  it('the process that started it ends without passing a signal on (npx\'s shell): it stops and removes the server', async () => {
    // npm exec runs the command through `sh -c`; `kill $!` on npx reaches that shell, which dies
    // and leaves the dev-server re-parented. Here the shell prints the dev-server's pid (so the
    // test can clean up by pid if it fails) and is the one killed.
    const shell = spawn('sh', ['-c', '"$0" "$1" dev-server --port 0 --backend "$2" & echo "dev-server pid $!"; wait $!', process.execPath, CLI_PATH, backend],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ZOOKEEPER_CONNECT: '' } });
    let output = '';
    shell.stdout.setEncoding('utf8').on('data', (d: string) => { output += d; });
    shell.stderr.setEncoding('utf8').on('data', (d: string) => { output += d; });
    const shellExited = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
    let devPid: number | undefined;
    try {
      await pollUntil(() => /data in \S+\n/.test(output), { timeoutMs: 90_000, intervalMs: 50, what: `the dev-server banner (so far: ${output})` });
      devPid = Number(/dev-server pid (\d+)/.exec(output)?.[1]);
      const info = parseBanner(output);
      expectServing(info);
      shell.kill('SIGTERM');
      await shellExited;
      await untilServerGone(info);
      await pollUntil(() => processGone(devPid!), { timeoutMs: 10_000, intervalMs: 100, what: `dev-server pid ${devPid} ends` });
      expect(output).to.not.match(/unexpected|exited unexpectedly/);
    } finally {
      shell.kill('SIGKILL');
      if (devPid !== undefined && !processGone(devPid)) process.kill(devPid, 'SIGKILL');
    }
  });

  describe('with no ZooKeeper to start, it says what to run (commands a user of the package has)', () => {
    // PATH holds neither java nor a real docker: at most a fake `docker` (a shell script) that
    // plays an engine without the image. The CLI itself is started by absolute path.
    let bin: string;
    beforeEach(() => {
      bin = mkdtempSync(join(tmpdir(), 'zkurator-nozk-'));
    });
    afterEach(() => {
      rmSync(bin, { recursive: true, force: true });
    });
    const devServer = (args: string[]): ReturnType<typeof runCli> => runCli(['dev-server', '--port', '0', ...args], { PATH: bin });
    const APT = 'sudo apt-get install --no-install-recommends zookeeper';
    /** The shipped build script, as the repository has it (package.test checks that npm pack ships it). */
    const BUILD_SCRIPT = realpathSync(fileURLToPath(new URL('../../scripts/docker/build-image.sh', import.meta.url)));

    it('no java, no docker: exit 69, the apt-get command and no docker command', async () => {
      for (const args of [[], ['--backend', 'local']]) {
        const result = await devServer(args);
        expect(result.code, result.stderr).to.equal(69);
        expect(result.stderr).to.contain(APT);
        expect(result.stderr).to.not.contain('scripts/install-deps.sh'); // not in the package
      }
      const docker = await devServer(['--backend', 'docker']);
      expect(docker.code).to.equal(69);
      expect(docker.stderr).to.contain('cannot start ZooKeeper in Docker: no `docker` command');
    });

    it('an engine without the image: the build command, with the path of a script that is there', async () => {
      writeFileSync(join(bin, 'docker'), '#!/bin/sh\ncase "$1" in version) echo 20.10.24; exit 0;; esac\nexit 1\n');
      chmodSync(join(bin, 'docker'), 0o755);
      for (const args of [[], ['--backend', 'docker']]) {
        const result = await devServer(args);
        expect(result.code, result.stderr).to.equal(69);
        const named = /sudo bash (\S+build-image\.sh)/.exec(result.stderr)?.[1];
        expect(named, result.stderr).to.be.a('string');
        expect(realpathSync(named!)).to.equal(BUILD_SCRIPT);
        expect(result.stderr).to.contain('zkurator/zookeeper:3.8 is missing');
      }
      writeFileSync(join(bin, 'docker'), '#!/bin/sh\nexit 1\n'); // a client without an engine
      const noEngine = await devServer(['--backend', 'docker']);
      expect(noEngine.stderr).to.contain('no Docker engine answers');
    });
  });
});
