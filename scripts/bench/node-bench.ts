// zkurator and the raw npm `zookeeper` client (the floor: the minimum calls of a lock cycle,
// create + list + delete, with no lock logic) for `npm run bench`. One process per run:
//   node dist/scripts/bench/node-bench.js <zkurator|raw> <connect> <w1..w6> <count> <path>
// Prints one JSON line: {"cyclesPerSec":..,"p50Ms":..,"p99Ms":..}
import { createRequire } from 'node:module';
import { connect, Mutex, ReadWriteLock, Semaphore } from '../../lib/index.js';

const [contender, connectString, workload, countArg, path] = process.argv.slice(2) as [string, string, string, string, string];
const n = Number(countArg);
/** W1's unmeasured cycles first (run.ts sets it for every W1 contender alike). */
const W1_WARMUP = Number(process.env.BENCH_W1_WARMUP ?? 500);

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))]! / 1e6;
}

function report(cycles: number, elapsedNs: number, lat: number[]): void {
  lat.sort((a, b) => a - b);
  console.log(JSON.stringify({ cyclesPerSec: cycles / (elapsedNs / 1e9), p50Ms: pct(lat, 0.5), p99Ms: pct(lat, 0.99) }));
}

const now = (): number => Number(process.hrtime.bigint());

interface RawClient {
  create(path: string, data: string | Buffer, flags: number): Promise<string>;
  get_children(path: string, watch: boolean): Promise<string[]>;
  delete_(path: string, version: number): Promise<void>;
  mkdirp(path: string, cb: (err: Error | null) => void): void;
  connect(opts: Record<string, unknown>, cb: (err: Error | null) => void): void;
  close(): void;
}

async function rawW1(): Promise<void> {
  const require = createRequire(import.meta.url);
  const ZooKeeper = require('zookeeper') as new () => RawClient;
  const zk = new ZooKeeper();
  await new Promise<void>((res, rej) => zk.connect({ connect: connectString, timeout: 10_000, debug_level: 0 }, (e) => (e ? rej(e) : res())));
  await new Promise<void>((res, rej) => zk.mkdirp(path, (e) => (e ? rej(e) : res())));
  const cycle = async (): Promise<void> => {
    const node = await zk.create(`${path}/lock-`, '', 3); // EPHEMERAL_SEQUENTIAL
    await zk.get_children(path, false);
    await zk.delete_(node, -1);
  };
  for (let i = 0; i < W1_WARMUP; i++) await cycle();
  const lat: number[] = [];
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const s = now();
    await cycle();
    lat.push(now() - s);
  }
  report(n, now() - t0, lat);
  zk.close();
}

async function zkuratorW1(): Promise<void> {
  const client = await connect(connectString, { sessionTimeout: 10_000 });
  const mutex = new Mutex(client, path);
  for (let i = 0; i < W1_WARMUP; i++) await (await mutex.acquire()).release();
  const lat: number[] = [];
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const s = now();
    await (await mutex.acquire()).release();
    lat.push(now() - s);
  }
  report(n, now() - t0, lat);
  await client.close();
}

async function zkuratorW2(): Promise<void> {
  const sessions = 8;
  const clients = await Promise.all(Array.from({ length: sessions }, () => connect(connectString, { sessionTimeout: 10_000 })));
  let done = 0;
  let lastRelease = 0;
  const lat: number[] = [];
  const t0 = now();
  await Promise.all(clients.map(async (client) => {
    const mutex = new Mutex(client, path);
    for (;;) {
      const lease = await mutex.acquire();
      const t = now();
      const k = ++done;
      if (lastRelease !== 0 && k <= n) lat.push(t - lastRelease);
      lastRelease = now();
      await lease.release();
      if (k >= n) break;
    }
  }));
  report(n, now() - t0, lat);
  await Promise.all(clients.map((c) => c.close()));
}

async function zkuratorW4(): Promise<void> {
  // n waiters over 10 sessions queue behind one holder; then drain: each releases at once.
  const sessions = 10;
  const clients = await Promise.all(Array.from({ length: sessions }, () => connect(connectString, { sessionTimeout: 10_000 })));
  const holder = await new Mutex(clients[0]!, path).acquire();
  const drained = Promise.all(Array.from({ length: n }, async (_, i) => {
    const lease = await new Mutex(clients[i % sessions]!, path).acquire();
    await lease.release();
  }));
  while (clients.reduce((k, c) => k + c.pendingWatchListeners, 0) < n) await new Promise((r) => setTimeout(r, 20));
  const listings = (): number => clients.reduce((k, c) => k + c.operationCounts.getChildren, 0);
  const before = listings();
  const t0 = now();
  await holder.release();
  await drained;
  const elapsed = now() - t0;
  console.log(JSON.stringify({ cyclesPerSec: n / (elapsed / 1e9), p50Ms: 0, p99Ms: 0, drainMs: elapsed / 1e6, rereadsPerHandoff: (listings() - before) / n }));
  await Promise.all(clients.map((c) => c.close()));
}

async function zkuratorW6(): Promise<void> {
  const client = await connect(connectString, { sessionTimeout: 10_000 });
  const mutex = new Mutex(client, path);
  for (let i = 0; i < 1000; i++) await (await mutex.acquire()).release();
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const t0 = now();
  for (let i = 0; i < n; i++) await (await mutex.acquire()).release();
  const elapsed = now() - t0;
  globalThis.gc?.();
  const after = process.memoryUsage().rss;
  console.log(JSON.stringify({ cyclesPerSec: n / (elapsed / 1e9), p50Ms: 0, p99Ms: 0, rssBeforeMb: before / 2 ** 20, rssAfterMb: after / 2 ** 20 }));
  await client.close();
}

async function zkuratorW3(): Promise<void> {
  // n distinct lock paths held at once by one session: acquire them all concurrently, then
  // release them all. Latency: one acquire.
  const client = await connect(connectString, { sessionTimeout: 10_000 });
  const lat: number[] = [];
  const t0 = now();
  const leases = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const s = now();
    const lease = await new Mutex(client, `${path}/${i}`).acquire();
    lat.push(now() - s);
    return lease;
  }));
  if ((await client.getChildren(path)).length !== n) throw new Error(`expected ${n} lock paths`);
  await Promise.all(leases.map((l) => l.release()));
  report(n, now() - t0, lat);
  await client.close();
}

async function zkuratorW5(): Promise<void> {
  // 8 sessions on one read-write lock; every 10th operation of each session is a write.
  const sessions = 8;
  const clients = await Promise.all(Array.from({ length: sessions }, () => connect(connectString, { sessionTimeout: 10_000 })));
  const perSession = Math.ceil(n / sessions);
  const lat: number[] = [];
  const t0 = now();
  await Promise.all(clients.map(async (client) => {
    const rw = new ReadWriteLock(client, path);
    for (let i = 0; i < perSession; i++) {
      const s = now();
      await (await (i % 10 === 9 ? rw.writeLock : rw.readLock).acquire()).release();
      lat.push(now() - s);
    }
  }));
  report(perSession * sessions, now() - t0, lat);
  await Promise.all(clients.map((c) => c.close()));
}

async function zkuratorW7(): Promise<void> {
  // Semaphore (InterProcessSemaphoreV2) with 3 leases, 8 sessions: n acquire+release cycles in all.
  const sessions = 8;
  const clients = await Promise.all(Array.from({ length: sessions }, () => connect(connectString, { sessionTimeout: 10_000 })));
  let started = 0;
  const lat: number[] = [];
  const t0 = now();
  await Promise.all(clients.map(async (client) => {
    const sem = new Semaphore(client, path, { maxLeases: 3 });
    while (started++ < n) {
      const s = now();
      const [lease] = await sem.acquire();
      lat.push(now() - s);
      await lease!.release();
    }
  }));
  report(n, now() - t0, lat);
  await Promise.all(clients.map((c) => c.close()));
}

if (contender === 'raw' && workload === 'w1') await rawW1();
else if (contender === 'zkurator' && workload === 'w7') await zkuratorW7();
else if (contender === 'zkurator' && workload === 'w3') await zkuratorW3();
else if (contender === 'zkurator' && workload === 'w5') await zkuratorW5();
else if (contender === 'zkurator' && workload === 'w6') await zkuratorW6();
else if (contender === 'zkurator' && workload === 'w4') await zkuratorW4();
else if (contender === 'zkurator' && workload === 'w1') await zkuratorW1();
else if (contender === 'zkurator' && workload === 'w2') await zkuratorW2();
else throw new Error(`unknown run ${contender} ${workload}`);
