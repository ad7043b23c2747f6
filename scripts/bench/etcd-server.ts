// A throwaway single-member etcd (Debian's `etcd-server`, 3.4) for the benchmark's HTTP lock
// contender: free loopback ports, a fresh data dir, fsync off (--unsafe-no-fsync, as our
// ZooKeeper runs with forceSync=no, so both measure the service and not the disk). Ready once
// GET /health says so: etcd 3.4 logs "ready to serve client requests" (the "serving client
// traffic" line is 3.5's), and polling its health endpoint does not depend on log wording.
// Stopped by its pid (SIGTERM, SIGKILL if it does not end), and its dir removed, also when the
// benchmark fails or exits early.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/ports.js';
import { pollUntil } from '../../test/support/poll.js';

/** The command Debian's `etcd-server` installs. */
const ETCD = 'etcd';

export class EtcdServer {
  private readonly exited: Promise<void>;
  /** Kills etcd and removes its dir if the process exits without stop() (an uncaught error). */
  private readonly onExit = (): void => {
    if (this.running) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  };

  private constructor(private readonly child: ChildProcess, readonly port: number, private readonly dir: string) {
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve()); // could not be started: there is nothing to stop
    });
    process.once('exit', this.onExit);
  }

  /** The installed etcd's version ("3.4.23"), or undefined when etcd is not installed. */
  static version(): string | undefined {
    const out = spawnSync(ETCD, ['--version'], { encoding: 'utf8' });
    if (out.status !== 0) return undefined;
    return /etcd Version: (\S+)/.exec(out.stdout)?.[1] ?? out.stdout.split('\n')[0]?.trim();
  }

  /** Starts etcd and resolves once it answers healthy; throws (with its log) if it does not in `timeoutMs`. */
  static async start(timeoutMs = 30_000): Promise<EtcdServer> {
    if (EtcdServer.version() === undefined) {
      throw new Error(`no \`${ETCD}\` on PATH: the benchmark's HTTP lock contender is Debian's etcd-server (scripts/install-deps.sh installs it)`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'zkurator-bench-etcd-'));
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const logFile = join(dir, 'etcd.log');
    const log = openSync(logFile, 'w');
    let child: ChildProcess;
    try {
      child = spawn(ETCD, [
        '--name', 'bench', '--data-dir', join(dir, 'data'),
        '--listen-client-urls', client, '--advertise-client-urls', client,
        '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `bench=${peer}`, '--initial-cluster-state', 'new',
        '--unsafe-no-fsync',
      ], { stdio: ['ignore', log, log] });
    } finally {
      closeSync(log); // the child has its own copy
    }
    const server = new EtcdServer(child, clientPort, dir);
    try {
      await pollUntil(async () => {
        if (!server.running) throw new Error(`etcd exited (${child.exitCode ?? child.signalCode})`);
        try {
          const res = await fetch(`${client}/health`, { signal: AbortSignal.timeout(1_000) });
          return ((await res.json()) as { health?: unknown }).health === 'true';
        } catch {
          return false; // not listening yet
        }
      }, { timeoutMs, intervalMs: 100, what: `etcd healthy on ${client}` });
    } catch (err) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
      await server.stop();
      throw new Error(`${(err as Error).message}\netcd log (last lines):\n${tail}`);
    }
    return server;
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** SIGTERM, SIGKILL after `graceMs`; then the data dir is removed. */
  async stop(graceMs = 10_000): Promise<void> {
    process.removeListener('exit', this.onExit);
    if (this.running) {
      this.child.kill('SIGTERM');
      const force = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(force);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
