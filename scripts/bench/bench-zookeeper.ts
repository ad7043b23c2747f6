// The benchmark's ZooKeeper server, run as production runs it: the JVM's default JIT (tiered,
// C1 then C2) and its default GC (G1), with ZooKeeper's own default heap (-Xmx1000m, the
// ZK_SERVER_HEAP of upstream's zkEnv.sh; Debian's zkServer.sh leaves the heap to the JVM). The
// test suite and `zkurator dev-server` start theirs for a fast start instead (the C1 JIT only,
// the serial GC, 256 MB: FAST_START_JVM_FLAGS), which would slow every ZooKeeper contender (W1,
// Curator, kazoo, the gateway) against a production etcd. And warmed up before anything is
// measured: a JVM compiles its hot paths only after thousands of requests, and the first
// contender would otherwise pay for it alone.
//
// BENCH_ZK_JVM="<flags>" runs the server with other JVM flags (heap, GC, JIT), e.g. the fast-start
// ones to compare; BENCH_ZK_CONFIG="<key=value>;..." adds zoo.cfg lines (e.g. ZooKeeper's other
// connection layer, serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory, the
// one TLS needs; the default is NIOServerCnxnFactory); BENCH_ZK_WARMUP=<cycles> sets the warm-up
// (0: none).
import { FAST_START_JVM_FLAGS } from '../../lib/cli/local-zookeeper.js';
import { connect, Mutex } from '../../lib/index.js';

/** JVM flags of a ZooKeeper run as in production (see the head of this file). */
export const PRODUCTION_JVM_FLAGS: readonly string[] = ['-Xmx1000m'];

/** The server's JVM flags for this run: BENCH_ZK_JVM, or production's. */
export function benchJvmFlags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const given = env.BENCH_ZK_JVM?.trim();
  return given ? given.split(/\s+/) : PRODUCTION_JVM_FLAGS;
}

/** How the server's JVM runs, in words for RESULTS.md. */
export function describeJvm(flags: readonly string[]): string {
  const shown = `\`${flags.join(' ')}\``;
  if (flags.join(' ') === PRODUCTION_JVM_FLAGS.join(' ')) return `JVM as in production: ${shown}, default JIT (tiered C1+C2) and GC (G1)`;
  if (flags.join(' ') === FAST_START_JVM_FLAGS.join(' ')) return `JVM with the test rig's fast-start flags ${shown} (C1 JIT only)`;
  return `JVM flags ${shown} (BENCH_ZK_JVM)`;
}

/** zoo.cfg lines added for this run (BENCH_ZK_CONFIG, `;`-separated): none by default. */
export function benchZooCfg(env: NodeJS.ProcessEnv = process.env): string[] {
  const lines = (env.BENCH_ZK_CONFIG ?? '').split(';').map((l) => l.trim()).filter((l) => l !== '');
  const bad = lines.find((l) => !/^[\w.]+=\S+$/.test(l));
  if (bad !== undefined) throw new Error(`BENCH_ZK_CONFIG: each line must be key=value, got ${JSON.stringify(bad)}`);
  return lines;
}

/** Uncontended and contended lock cycles of the server's warm-up, by default. */
export const DEFAULT_WARMUP_CYCLES = 20_000;

/** The warm-up's size for this run: BENCH_ZK_WARMUP, or the default. */
export function benchWarmupCycles(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.BENCH_ZK_WARMUP;
  const n = given === undefined ? DEFAULT_WARMUP_CYCLES : Number(given);
  if (!Number.isInteger(n) || n < 0) throw new Error(`BENCH_ZK_WARMUP must be a whole number of cycles, got ${JSON.stringify(given)}`);
  return n;
}

/**
 * Warms the server's JIT with the requests the workloads make (the lock cycle's create, list
 * and delete; the waits' exists with a watch; a first create's multi), from one session and
 * from eight contending ones, under `/bench-warm-up`. Not measured.
 */
export async function warmUpZooKeeper(connectString: string, cycles: number): Promise<void> {
  if (cycles === 0) return;
  const sessions = 8;
  const clients = await Promise.all(Array.from({ length: sessions + 1 }, () => connect(connectString, { sessionTimeout: 10_000 })));
  try {
    const alone = new Mutex(clients[0]!, '/bench-warm-up/alone');
    for (let i = 0; i < cycles / 2; i++) await (await alone.acquire()).release();
    let left = cycles / 2;
    await Promise.all(clients.slice(1).map(async (client) => {
      const mutex = new Mutex(client, '/bench-warm-up/shared');
      while (left-- > 0) await (await mutex.acquire()).release();
    }));
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
