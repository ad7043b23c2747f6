// A zkurator contender in its own OS process for the mixed read-write run. It appends
// "enter <ref> <kind>" right after acquiring and "exit <ref> <kind>" right before releasing to
// a shared record file (O_APPEND: lines from all processes land in real-time order), then
// exits. Arguments: one JSON object on argv[2].
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, ReadWriteLock } from '../../lib/index.js';

interface WorkerArgs {
  connect: string;
  path: string;
  name: string;
  flows: number;
  iterations: number;
  writeRatio: number;
  record: string;
  seed: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;

// Small deterministic PRNG (mulberry32) so a failing run can be replayed with its seed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const client = await connect(args.connect, { sessionTimeout: 10_000 });
const rw = new ReadWriteLock(client, args.path);

async function flow(id: number): Promise<void> {
  const random = rng(args.seed * 1000 + id);
  for (let i = 0; i < args.iterations; i++) {
    const kind = random() < args.writeRatio ? 'write' : 'read';
    const ref = `${args.name}.${id}.${i}`;
    const lease = await (kind === 'write' ? rw.writeLock : rw.readLock).acquire({ timeout: 60_000 });
    appendFileSync(args.record, `enter ${ref} ${kind}\n`);
    await sleep(1 + Math.floor(random() * 4)); // simulated work while holding
    appendFileSync(args.record, `exit ${ref} ${kind}\n`);
    await lease.release();
  }
}

try {
  await Promise.all(Array.from({ length: args.flows }, (_, id) => flow(id)));
} finally {
  await client.close();
}
