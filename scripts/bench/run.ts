// `npm run bench`: one throwaway standalone ZooKeeper (fsync off: forceSync=no, so the numbers
// show client overhead, not the disk), then the same workloads, one after another on that
// server, for zkurator, Curator 5.4.0, kazoo 2.8 and (W1) the native npm `zookeeper` binding
// doing the same calls as zkurator's uncontended cycle; and the HTTP gateway (`zkurator serve`)
// against etcd's lock API (gateway-bench.ts), with a throwaway etcd beside it; and leader
// failover, zkurator's LeaderLatch against Curator's (failover-bench.ts). Several rounds;
// medians and ratios in a markdown table, written to scripts/bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZkCluster } from '../../test/support/zk-server.js';
import { compileAgainstCurator, curatorClasspath } from '../curator-java.js';
import { benchCommand } from './bench-command.js';
import { benchJvmFlags, benchWarmupCycles, benchZooCfg, describeJvm, warmUpZooKeeper } from './bench-zookeeper.js';
import { EtcdServer } from './etcd-server.js';
import { failoverBenchRows } from './failover-bench.js';
import { withFailoverSection } from './failover-bench-section.js';
import { gatewayBenchRows } from './gateway-bench.js';
import { roundsText, withGatewaySection } from './gateway-bench-section.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/scripts/bench
const root = resolve(here, '..', '..', '..');
const srcDir = join(root, 'scripts', 'bench');
const buildDir = join(root, 'dist', 'bench-java');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Comma-separated workloads to run (default: all), e.g. BENCH_ONLY=w1,w3. */
const ONLY = process.env.BENCH_ONLY?.split(',').map((w) => w.trim().toLowerCase());
const W1_CYCLES = Number(process.env.BENCH_W1 ?? 3000);
/**
 * W1's unmeasured cycles in each contender's process first: as many as the gateway workload's
 * warm-up, so that the gateway's 1-client figure and W1's compare warm with warm.
 */
const W1_WARMUP = Number(process.env.BENCH_W1_WARMUP ?? process.env.BENCH_GATEWAY_WARMUP ?? 3000);
const W2_HANDOFFS = Number(process.env.BENCH_W2 ?? 2000);
const W3_LOCKS = Number(process.env.BENCH_W3 ?? 10_000);
const W4_WAITERS = Number(process.env.BENCH_W4 ?? 1000);
const W5_OPS = Number(process.env.BENCH_W5 ?? 2000);
const W6_CYCLES = Number(process.env.BENCH_W6 ?? 100_000);
const W7_CYCLES = Number(process.env.BENCH_W7 ?? 2000);
/** Round trips per scenario of the HTTP gateway workload (BENCH_ONLY=gateway runs it alone). */
const GATEWAY_CYCLES = Number(process.env.BENCH_GATEWAY ?? 3000);
/** Unmeasured round trips per scenario before the measured ones, in each gateway-workload driver. */
const GATEWAY_WARMUP = Number(process.env.BENCH_GATEWAY_WARMUP ?? 3000);
/** Measured rounds of the failover workload (BENCH_ONLY=failover runs it alone): close(), and session loss. */
const FAILOVER_CLOSE = Number(process.env.BENCH_FAILOVER_CLOSE ?? 100);
const FAILOVER_LOSS = Number(process.env.BENCH_FAILOVER_LOSS ?? 20);
/** The bench server's tickTime, and the failover members' session timeout: the least it allows (2 ticks). */
const TICK_TIME_MS = 2000;
const FAILOVER_SESSION_MS = 2 * TICK_TIME_MS;

interface Result {
  /** Set when the contender could not complete the workload (said in the table, not hidden). */
  error?: string;
  cyclesPerSec: number; p50Ms: number; p99Ms: number; drainMs?: number; rereadsPerHandoff?: number;
  rssBeforeMb?: number; rssAfterMb?: number;
}
type Contender = 'zkurator' | 'curator' | 'kazoo' | 'raw';
/** How each contender is named in the table. */
const SHOWN: Record<Contender, string> = {
  zkurator: 'zkurator', curator: 'Curator 5.4.0', kazoo: 'kazoo 2.8',
  raw: 'native `zookeeper` binding, same calls (create, list, delete)',
};

function runOnce(contender: Contender, connect: string, workload: string, count: number, path: string): Result {
  const args: Record<Contender, [string, string[]]> = {
    zkurator: [process.execPath, ['--expose-gc', join(here, 'node-bench.js'), 'zkurator', connect, workload, String(count), path]],
    raw: [process.execPath, [join(here, 'node-bench.js'), 'raw', connect, workload, String(count), path]],
    curator: ['java', ['-cp', curatorClasspath([buildDir]), 'CuratorBench', connect, workload, String(count), path]],
    kazoo: ['/usr/bin/python3', [join(srcDir, 'kazoo_bench.py'), connect, workload, String(count), path]],
  };
  const [cmd, argv] = args[contender];
  const out = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 600_000, env: { ...process.env, BENCH_W1_WARMUP: String(W1_WARMUP) } });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Result;
  } catch {
    // A contender that cannot run here (e.g. the native binding, built for another Node) is
    // reported as not completed, with why, instead of ending the whole run.
    const why = `${out.stderr ?? ''}`.trim().split('\n').filter((l) => /error/i.test(l)).pop()
      ?? (out.error?.message ?? `exit ${out.status ?? out.signal}`);
    return { cyclesPerSec: 0, p50Ms: 0, p99Ms: 0, error: `${contender} ${workload} exited without a result: ${why.slice(0, 300)}` };
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function version(cmd: string, args: string[]): string {
  const out = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0] ?? '?'; // java prints to stderr
}

async function main(): Promise<void> {
  // The gateway's contender must be there before a long run starts, not found missing at its end.
  if ((!ONLY || ONLY.includes('gateway')) && EtcdServer.version() === undefined) {
    throw new Error('no `etcd` on PATH: the gateway workload runs against Debian\'s etcd-server (bash scripts/install-deps.sh installs it)');
  }
  if (ONLY?.join() !== 'gateway') compileAgainstCurator(join(srcDir, 'CuratorBench.java'), buildDir);
  const jvmFlags = benchJvmFlags();
  const warmupCycles = benchWarmupCycles();
  const zooCfg = benchZooCfg();
  const server = await ZkCluster.standalone({ tickTime: TICK_TIME_MS, jvmFlags, extraConfig: zooCfg });
  const zooKeeper = `ZooKeeper 3.8.0 standalone (Debian), tickTime ${TICK_TIME_MS}, forceSync=no (fsync OFF: client overhead, not disk), `
    + `${zooCfg.length === 0 ? 'its default connection layer (NIO)' : `zoo.cfg + \`${zooCfg.join('; ')}\` (BENCH_ZK_CONFIG)`}, ${describeJvm(jvmFlags)}, `
    + (warmupCycles === 0 ? 'not warmed up' : `warmed up by ${warmupCycles.toLocaleString('en-US')} lock cycles before the first workload`);
  const rows: string[] = [];
  const notes: string[] = [];
  let gatewayRows: string[] = [];
  let failoverRows: string[] = [];
  let w1CyclesPerSec: number | undefined; // zkurator's, for the gateway's 1-client comparison
  try {
    await warmUpZooKeeper(server.connectString, warmupCycles);
    const plan: Array<{ workload: string; label: string; count: number; contenders: Contender[]; rounds?: number }> = [
      { workload: 'w1', label: `W1 uncontended acquire+release, 1 session (${W1_CYCLES} cycles)`, count: W1_CYCLES, contenders: ['raw', 'zkurator', 'curator', 'kazoo'] },
      { workload: 'w2', label: `W2 8 sessions contending on one lock (${W2_HANDOFFS} hand-offs)`, count: W2_HANDOFFS, contenders: ['zkurator', 'curator', 'kazoo'] },
      { workload: 'w3', label: `W3 one process, ${W3_LOCKS} distinct lock paths held at once (acquire all concurrently, then release all; per second = locks; latency = one acquire)`, count: W3_LOCKS, contenders: ['zkurator', 'curator', 'kazoo'] },
      { workload: 'w5', label: `W5 read-write lock, 8 sessions, 90% reads (${W5_OPS} acquire+release operations)`, count: W5_OPS, contenders: ['zkurator', 'curator', 'kazoo'] },
      { workload: 'w6', label: `W6 memory: RSS before and after ${W6_CYCLES} acquire+release cycles in one process (1 round)`, count: W6_CYCLES, contenders: ['zkurator', 'curator', 'kazoo'], rounds: 1 },
      { workload: 'w7', label: `W7 semaphore (InterProcessSemaphoreV2), 3 leases, 8 sessions (${W7_CYCLES} acquire+release cycles; latency = one acquire)`, count: W7_CYCLES, contenders: ['zkurator', 'curator'] },
      { workload: 'w4', label: `W4 ${W4_WAITERS} waiters queued on one lock over 10 sessions, drained (hand-offs per second; drain time)`, count: W4_WAITERS, contenders: ['zkurator', 'curator', 'kazoo'] },
    ];
    for (const step of plan.filter((p) => !ONLY || ONLY.includes(p.workload))) {
      const results = new Map<Contender, Result[]>();
      const failed = new Map<Contender, string>();
      for (let round = 0; round < (step.rounds ?? ROUNDS); round++) {
        for (const c of step.contenders.filter((x) => !failed.has(x))) {
          const r = runOnce(c, server.connectString, step.workload, step.count, `/bench/${step.workload}-${c}-${round}`);
          if (r.error !== undefined) {
            failed.set(c, r.error);
            process.stderr.write(`${step.workload} round ${round + 1} ${c}: did not complete: ${r.error}\n`);
            continue;
          }
          results.set(c, [...(results.get(c) ?? []), r]);
          process.stderr.write(`${step.workload} round ${round + 1}/${step.rounds ?? ROUNDS} ${c}: ${r.cyclesPerSec.toFixed(0)}/s p50 ${r.p50Ms.toFixed(2)} ms p99 ${r.p99Ms.toFixed(2)} ms\n`);
        }
      }
      const med = (c: Contender, k: 'cyclesPerSec' | 'p50Ms' | 'p99Ms'): number => median((results.get(c) ?? []).map((r) => r[k]));
      const curatorRate = med('curator', 'cyclesPerSec');
      const zkRate = med('zkurator', 'cyclesPerSec');
      if (step.workload === 'w1') w1CyclesPerSec = zkRate;
      rows.push(`\n### ${step.label}\n`, '| contender | per second (median) | p50 ms | p99 ms | zkurator / this |', '|---|---:|---:|---:|---:|');
      for (const c of step.contenders) {
        const error = failed.get(c);
        if (error !== undefined) {
          rows.push(`| ${SHOWN[c]} | did not complete | - | - | - |`);
          notes.push(`- ${step.workload} ${c}: did not complete: ${error}`);
          continue;
        }
        const rate = med(c, 'cyclesPerSec');
        const rs = results.get(c) ?? [];
        const first = rs[0];
        const extra = first?.drainMs !== undefined
          ? ` drain ${median(rs.map((r) => r.drainMs ?? 0)).toFixed(0)} ms${first.rereadsPerHandoff !== undefined ? `, ${median(rs.map((r) => r.rereadsPerHandoff ?? 0)).toFixed(3)} children re-reads per hand-off` : ''}`
          : first?.rssBeforeMb !== undefined
            ? ` RSS ${first.rssBeforeMb.toFixed(1)} MB -> ${(first.rssAfterMb ?? 0).toFixed(1)} MB (growth ${((first.rssAfterMb ?? 0) - first.rssBeforeMb).toFixed(1)} MB)`
            : '';
        const lat = (k: 'p50Ms' | 'p99Ms'): string => (extra ? '-' : med(c, k).toFixed(2)); // W4/W6 measure other things
        rows.push(`| ${SHOWN[c]} | ${rate.toFixed(0)} | ${lat('p50Ms')} | ${lat('p99Ms')} | ${(zkRate / rate).toFixed(2)}x |`);
        if (extra) notes.push(`- ${step.workload} ${c}:${extra}`);
      }
      rows.push(`\nzkurator vs Curator: ${(zkRate / curatorRate).toFixed(2)}x`);
      if (results.has('raw')) rows.push(`zkurator vs the native binding making the same calls: ${(zkRate / med('raw', 'cyclesPerSec')).toFixed(2)}x`);
      rows.push(...notes.splice(0));
    }
    if (!ONLY || ONLY.includes('gateway')) {
      gatewayRows = await gatewayBenchRows({ connectString: server.connectString, zooKeeper, rounds: ROUNDS, cycles: GATEWAY_CYCLES, warmupCycles: GATEWAY_WARMUP, ...(w1CyclesPerSec === undefined ? {} : { w1CyclesPerSec }) });
      rows.push(...gatewayRows);
    }
    // Last, as a run of it alone adds its section at the end of RESULTS.md.
    if (!ONLY || ONLY.includes('failover')) {
      failoverRows = await failoverBenchRows({
        connectString: server.connectString, tickTimeMs: TICK_TIME_MS, sessionTimeoutMs: FAILOVER_SESSION_MS,
        closeRounds: FAILOVER_CLOSE, lossRounds: FAILOVER_LOSS,
        command: benchCommand(),
      });
      rows.push(...failoverRows);
    }
  } finally {
    await server.destroy();
  }
  const machine = [
    `- machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- node ${process.version}; ${version('java', ['-version'])}; ${version('/usr/bin/python3', ['--version'])}`,
    `- ${zooKeeper}`,
    '- Curator 5.4.0 and kazoo 2.8.0 from Debian; one process per run, contenders one after another on the same server',
    `- ${roundsText(ROUNDS)}; W1 includes a ${W1_WARMUP.toLocaleString('en-US')}-cycle warm-up per process, every contender alike, not measured`,
  ];
  const table = ['# zkurator benchmark results', '', `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.`, '', ...machine, ...rows, ''].join('\n');
  // A partial run (BENCH_ONLY) is printed but does not replace the full table in the repo.
  if (!ONLY) writeFileSync(join(srcDir, 'RESULTS.md'), table);
  // The gateway workload alone at its full size (BENCH_ONLY=gateway, or BENCH_ONLY=w1,gateway for
  // the comparison with the library's own cycle in the same run) replaces just its own section.
  else if (ONLY.includes('gateway') && ONLY.every((w) => w === 'gateway' || w === 'w1')
    && ['BENCH_ROUNDS', 'BENCH_GATEWAY', 'BENCH_GATEWAY_WARMUP', 'BENCH_W1', 'BENCH_W1_WARMUP', 'BENCH_ZK_JVM', 'BENCH_ZK_CONFIG', 'BENCH_ZK_WARMUP']
      .every((v) => process.env[v] === undefined)) {
    writeFileSync(join(srcDir, 'RESULTS.md'), withGatewaySection(readFileSync(join(srcDir, 'RESULTS.md'), 'utf8'), gatewayRows));
  } else if (ONLY.join() === 'failover' && process.env.BENCH_FAILOVER_CLOSE === undefined && process.env.BENCH_FAILOVER_LOSS === undefined) {
    // The failover workload alone at its full size replaces just its own section, likewise.
    writeFileSync(join(srcDir, 'RESULTS.md'), withFailoverSection(readFileSync(join(srcDir, 'RESULTS.md'), 'utf8'), failoverRows));
  }
  console.log(table);
}

await main();
