// The HTTP lock benchmark (`npm run bench`, workload "gateway"; alone:
// `BENCH_ONLY=gateway npm run bench`): `zkurator serve` against etcd's own lock API (Debian's
// etcd-server), the same HTTP driver for both (http-lock-driver.ts), rounds alternating the
// contenders. Each round runs, one after another, each in a fresh driver process:
//   zkurator: a fresh `zkurator serve` on the benchmark's ZooKeeper, driven through its API;
//   etcd, lease per client, then etcd, lease per lock: the one etcd the benchmark started.
// Each driver process first runs the three scenarios unmeasured (<warm-up> round trips each:
// the driver and the service reach their steady state, as a long-running service is), then
// measured. A driver process, also runnable by hand, prints one JSON line (ServiceRunResult):
//   node dist/scripts/bench/gateway-bench.js zkurator <cycles> <warm-up> <tag> <zookeeper connect>
//   node dist/scripts/bench/gateway-bench.js etcd-lease-per-client|etcd-lease-per-lock <cycles> <warm-up> <tag> <etcd port> <etcd pid>
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayProcess } from '../../test/support/gateway-process.js';
import { benchCommand } from './bench-command.js';
import { EtcdLockService } from './etcd-lock-service.js';
import { EtcdServer } from './etcd-server.js';
import { GatewayLockService } from './gateway-lock-service.js';
import { HTTP_CONTENDERS, gatewaySection, roundLines, type HttpContender } from './gateway-bench-section.js';
import { runScenarios, type ServiceRunResult } from './http-lock-driver.js';

/** What the benchmark's own run knows that the section reports. */
export interface GatewayBenchOptions {
  /** The benchmark's ZooKeeper. */
  connectString: string;
  /** How that server runs (version, config, JVM), for the section's notes. */
  zooKeeper: string;
  rounds: number;
  /** Round trips per scenario. */
  cycles: number;
  /** Round trips per scenario of each driver's unmeasured pass before the measured one. */
  warmupCycles: number;
  /** The library's own W1 rate in the same run, if it ran. */
  w1CyclesPerSec?: number;
}

function driverArgs(contender: HttpContender, options: GatewayBenchOptions, round: number, etcd: EtcdServer): string[] {
  const tag = `rt${round}`;
  const counts = [String(options.cycles), String(options.warmupCycles)];
  return contender === 'zkurator'
    ? [contender, ...counts, tag, options.connectString]
    : [contender, ...counts, tag, String(etcd.port), String(etcd.pid)];
}

/**
 * Starts etcd, runs `rounds` rounds (each: every contender in turn, each in its own driver
 * process) and returns the markdown section for RESULTS.md. etcd is stopped and its data dir
 * removed whatever happens.
 */
export async function gatewayBenchRows(options: GatewayBenchOptions): Promise<string[]> {
  const { rounds, cycles } = options;
  const startedAt = new Date();
  const loadBefore = loadavg()[0] ?? 0;
  const etcdVersion = EtcdServer.version();
  const etcd = await EtcdServer.start();
  const runs: Record<HttpContender, ServiceRunResult[]> = { 'zkurator': [], 'etcd-lease-per-client': [], 'etcd-lease-per-lock': [] };
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const contender of HTTP_CONTENDERS) {
        const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...driverArgs(contender, options, round, etcd)],
          { encoding: 'utf8', timeout: 600_000 });
        const line = out.stdout.trim().split('\n').pop() ?? '';
        let result: ServiceRunResult;
        try {
          result = JSON.parse(line) as ServiceRunResult;
        } catch {
          throw new Error(`gateway benchmark round ${round}, ${contender}, failed: ${out.error?.message ?? ''}${out.stderr}\n${out.stdout}`);
        }
        runs[contender].push(result);
        for (const l of roundLines(contender, round, rounds, result)) process.stderr.write(`${l}\n`);
      }
    }
  } finally {
    await etcd.stop();
  }
  return gatewaySection({
    cycles, warmupCycles: options.warmupCycles, runs, startedAt, loadBefore, loadAfter: loadavg()[0] ?? 0,
    machine: `${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}`,
    etcd: `etcd ${etcdVersion ?? '?'} (Debian etcd-server)`,
    zooKeeper: options.zooKeeper,
    command: benchCommand(),
    ...(options.w1CyclesPerSec === undefined ? {} : { w1CyclesPerSec: options.w1CyclesPerSec }),
  });
}

/** One driver process: one contender, the three scenarios. */
async function drive(args: readonly string[]): Promise<ServiceRunResult> {
  const [contender, cyclesArg, warmupArg, tag, ...target] = args;
  const cycles = Number(cyclesArg);
  const warmup = Number(warmupArg);
  if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(warmup) || warmup < 0 || tag === undefined || !/^[A-Za-z0-9-]+$/.test(tag)) {
    throw new Error(`bad arguments: ${args.join(' ')}`);
  }
  if (contender === 'zkurator' && target.length === 1) {
    const gateway = await GatewayProcess.start({ connectString: target[0]!, root: `/bench/gateway-${tag}` });
    try {
      return await runScenarios(new GatewayLockService(gateway), cycles, tag, warmup);
    } finally {
      await gateway.stop();
    }
  }
  if ((contender === 'etcd-lease-per-client' || contender === 'etcd-lease-per-lock') && target.length === 2) {
    const leases = contender === 'etcd-lease-per-client' ? 'per-client' : 'per-lock';
    return runScenarios(new EtcdLockService(Number(target[0]), Number(target[1]), leases, `bench/${contender}-${tag}/`), cycles, tag, warmup);
  }
  throw new Error('usage: gateway-bench.js zkurator <cycles> <warm-up> <tag> <connect> | etcd-lease-per-client|etcd-lease-per-lock <cycles> <warm-up> <tag> <etcd port> <etcd pid>');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await drive(process.argv.slice(2))));
}
