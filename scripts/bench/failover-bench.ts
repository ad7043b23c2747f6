// The leader failover benchmark (`npm run bench`, workload "failover"; alone:
// `BENCH_ONLY=failover npm run bench`): how long a LeaderLatch election is without a leader when
// the leader goes, zkurator's and Curator 5.4.0's, in one run, on the same server.
//
// Two members, each a process of its own (failover-member.ts, CuratorLatchMember.java), on one
// path; every line they print is stamped with CLOCK_MONOTONIC (process.hrtime, System.nanoTime),
// so stamps from different processes compare.
// - close(): the leader is told to close (stamp right before latch.close()); the failover ends
//   at the other member's isLeader (stamped first thing in its listener). Then the closed
//   member joins again (behind) and the roles swap. Direct connections.
// - session loss: each member connects through a TCP proxy of its own in this process; the
//   leader's proxy stops forwarding (every byte dropped both ways, sockets kept open: what a
//   partitioned or frozen leader looks like to ZooKeeper, whichever client it runs), so the
//   server expires its session after the session timeout. The failover runs from that moment to
//   the other member's isLeader. A third client here, not proxied, watches the leader's node:
//   when it hears of the deletion splits the failover into the server's part (its expiry of the
//   session and the notification, the same for both contenders) and the member's own reaction.
//   Then the proxy forwards again, the old leader finds its session gone and joins again.
// The members stay up (warm) through all rounds of a scenario; a few rounds first are not
// measured. Before each silence the leader makes one request at a random moment (it restarts its
// ping cadence) and the election is left quiet for half a session timeout and a random part of a
// tick, so that the silence starts at a random point of the client's ping cadence and of the
// server's expiry ticks, alike for both contenders.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect, type ZkClient } from '../../lib/index.js';
import { TcpProxy } from '../../test/support/tcp-proxy.js';
import { compileAgainstCurator, curatorClasspath } from '../curator-java.js';
import { failoverSection, type FailoverFigures, type FailoverContender } from './failover-bench-section.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/scripts/bench
const root = resolve(here, '..', '..', '..');
const buildDir = join(root, 'dist', 'bench-java');

/** What the benchmark is given. */
export interface FailoverBenchOptions {
  /** The ZooKeeper server (a standalone one on loopback). */
  connectString: string;
  /** The server's tickTime (its session expiry runs in ticks), for the notes. */
  tickTimeMs: number;
  /** Measured close() rounds per contender. */
  closeRounds: number;
  /** Measured session-loss rounds per contender. */
  lossRounds: number;
  /** Session timeout the members ask for (the server clamps it to 2..20 ticks). */
  sessionTimeoutMs: number;
  /** The command that ran it, for the section. */
  command: string;
}

/** Rounds before the measured ones, in each scenario (JIT warm-up, first connections). */
const WARM_UP_CLOSE = 10;
const WARM_UP_LOSS = 1;

const nowNs = (): bigint => process.hrtime.bigint();
const ms = (ns: bigint): number => Number(ns) / 1e6;

/** A member process: its stdout lines, taken in order by the first word. */
class Member {
  private readonly lines: string[][] = [];
  private readonly wake = new Set<() => void>();
  private stderr = '';
  private ended = false;

  private constructor(private readonly child: ChildProcess, readonly name: string) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(line.split(' '));
      for (const w of [...this.wake]) w();
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; });
    child.once('exit', () => {
      this.ended = true;
      for (const w of [...this.wake]) w();
    });
  }

  static start(contender: FailoverContender, connectString: string, sessionTimeoutMs: number, path: string, id: string): Member {
    const args = [connectString, String(sessionTimeoutMs), path, id];
    const child = contender === 'zkurator'
      ? spawn(process.execPath, [join(here, 'failover-member.js'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('java', ['-cp', curatorClasspath([buildDir]), 'CuratorLatchMember', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new Member(child, `${contender} member ${id}`);
  }

  /** The fields after `word` of the next line that starts with it (lines before it with other words stay queued). */
  next(word: string, timeoutMs = 60_000): Promise<string[]> {
    return new Promise((resolvePromise, reject) => {
      const check = (): void => {
        const i = this.lines.findIndex((l) => l[0] === word);
        if (i >= 0) {
          finish();
          resolvePromise(this.lines.splice(i, 1)[0]!.slice(1));
        } else if (this.ended) {
          finish();
          reject(new Error(`${this.name} ended before saying "${word}": ${this.stderr.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: no "${word}" within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.wake.delete(check);
      };
      this.wake.add(check);
      check();
    });
  }

  send(command: string): void {
    this.child.stdin!.write(`${command}\n`);
  }

  /** Asks it to leave and exit; kills it if it has not within 10 s. */
  async stop(): Promise<void> {
    if (this.ended) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.send('exit');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** close() rounds: the leader closes, the other takes over, the closed one joins again. */
async function closeRounds(contender: FailoverContender, opts: FailoverBenchOptions, path: string): Promise<number[]> {
  const a = Member.start(contender, opts.connectString, opts.sessionTimeoutMs, path, 'a');
  await a.next('joined');
  const b = Member.start(contender, opts.connectString, opts.sessionTimeoutMs, path, 'b');
  try {
    await b.next('joined');
    await a.next('leader');
    let [leader, follower] = [a, b];
    const samples: number[] = [];
    for (let round = 0; round < WARM_UP_CLOSE + opts.closeRounds; round++) {
      leader.send('close');
      const [closing] = await leader.next('closing');
      const [led] = await follower.next('leader');
      await leader.next('closed');
      leader.send('join');
      await leader.next('joined');
      if (round >= WARM_UP_CLOSE) samples.push(ms(BigInt(led!) - BigInt(closing!)));
      [leader, follower] = [follower, leader];
    }
    return samples;
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

/** Polls (there is no event for another session's create) until `path` has `n` children. */
async function untilChildren(client: ZkClient, path: string, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await client.getChildren(path)).length !== n) {
    if (Date.now() > deadline) throw new Error(`${path}: not ${n} members within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface LossSamples { total: number[]; server: number[]; reaction: number[] }

/** Session-loss rounds: the leader's connection goes silent until its session has expired. */
async function lossRounds(contender: FailoverContender, opts: FailoverBenchOptions, path: string, observer: ZkClient): Promise<LossSamples> {
  const port = Number(opts.connectString.split(',')[0]!.split(':')[1]);
  const proxies = [await TcpProxy.start(port), await TcpProxy.start(port)] as const;
  const a = Member.start(contender, proxies[0].connectString, opts.sessionTimeoutMs, path, 'a');
  let b: Member | undefined;
  try {
    await a.next('joined');
    b = Member.start(contender, proxies[1].connectString, opts.sessionTimeoutMs, path, 'b');
    await b.next('joined');
    let [, leaderNode] = await a.next('leader');
    let leader = { member: a, proxy: proxies[0] };
    let follower = { member: b, proxy: proxies[1] };
    const samples: LossSamples = { total: [], server: [], reaction: [] };
    for (let round = 0; round < WARM_UP_LOSS + opts.lossRounds; round++) {
      let deletedAt: bigint | undefined;
      let heard!: () => void;
      const deleted = new Promise<void>((r) => { heard = r; });
      const watched = await observer.watchNode(leaderNode!, () => {
        deletedAt ??= nowNs();
        heard();
      });
      if (!watched) throw new Error(`${contender}: the leader's node ${leaderNode} is gone already`);
      // The leader's last word before the silence decides when the server expires its session:
      // a session timeout after it, rounded up to the server's next tick. A client pings a third
      // of the session timeout after its latest request, so its cadence runs from that request:
      // for a leader that took over at an expiry (on a tick) it is in step with the ticks, unless
      // it made a request since (zkurator's leader re-lists the path when the old leader joins
      // again; Curator's does not). So at a random moment within a tick the leader makes one
      // request, and the silence starts half a session timeout and a random part of a tick later:
      // both clients' cadences, and the silence, fall at random points of the server's ticks.
      await new Promise((r) => setTimeout(r, Math.random() * opts.tickTimeMs));
      leader.member.send('touch');
      await leader.member.next('touched');
      await new Promise((r) => setTimeout(r, opts.sessionTimeoutMs / 2 + Math.random() * opts.tickTimeMs));
      const silentAt = nowNs();
      leader.proxy.stall();
      const [led, node] = await follower.member.next('leader', 10 * opts.sessionTimeoutMs + 30_000);
      await deleted;
      leader.proxy.restore();
      // The old leader finds its session expired and joins again, behind.
      await untilChildren(observer, path, 2, 10 * opts.sessionTimeoutMs + 30_000);
      if (round >= WARM_UP_LOSS) {
        samples.total.push(ms(BigInt(led!) - silentAt));
        samples.server.push(ms(deletedAt! - silentAt));
        samples.reaction.push(ms(BigInt(led!) - deletedAt!));
        process.stderr.write(`failover ${contender} session loss round ${round + 1 - WARM_UP_LOSS}/${opts.lossRounds}: `
          + `${samples.total.at(-1)!.toFixed(0)} ms (the server ${samples.server.at(-1)!.toFixed(0)} ms, the member ${samples.reaction.at(-1)!.toFixed(2)} ms)\n`);
      }
      leaderNode = node;
      [leader, follower] = [follower, leader];
    }
    return samples;
  } finally {
    await Promise.all([a.stop(), b?.stop()]);
    await Promise.all(proxies.map((p) => p.close()));
  }
}

/** Runs both scenarios for zkurator and Curator; returns the figures. */
export async function runFailoverBench(opts: FailoverBenchOptions): Promise<Record<FailoverContender, FailoverFigures>> {
  compileAgainstCurator(join(root, 'scripts', 'bench', 'CuratorLatchMember.java'), buildDir);
  const observer = await connect(opts.connectString, { sessionTimeout: 30_000 });
  try {
    const figures: Partial<Record<FailoverContender, FailoverFigures>> = {};
    for (const contender of ['zkurator', 'curator'] as const) {
      const tag = `${contender}-${Date.now().toString(36)}`;
      const close = await closeRounds(contender, opts, `/bench/failover/close-${tag}`);
      process.stderr.write(`failover ${contender}: close() -> isLeader over ${close.length} rounds\n`);
      const loss = await lossRounds(contender, opts, `/bench/failover/loss-${tag}`, observer);
      process.stderr.write(`failover ${contender}: session loss -> isLeader over ${loss.total.length} rounds\n`);
      figures[contender] = { close, lossTotal: loss.total, lossServer: loss.server, lossReaction: loss.reaction };
    }
    return figures as Record<FailoverContender, FailoverFigures>;
  } finally {
    await observer.close();
  }
}

/** For `npm run bench`: runs the benchmark and returns its section of RESULTS.md (printed too). */
export async function failoverBenchRows(opts: FailoverBenchOptions): Promise<string[]> {
  const startedAt = new Date();
  const loadBefore = loadavg()[0] ?? 0;
  const figures = await runFailoverBench(opts);
  return failoverSection({
    figures,
    startedAt,
    loadBefore,
    loadAfter: loadavg()[0] ?? 0,
    machine: `${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}`,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    tickTimeMs: opts.tickTimeMs,
    warmUp: { close: WARM_UP_CLOSE, loss: WARM_UP_LOSS },
    command: opts.command,
  });
}
