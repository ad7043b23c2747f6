// The Node side of `npm run demo`: a zkurator client taking the same mutex and read-write
// lock as the Curator worker. One JSON event per line on stdout.
//   node node-worker.js <connect> <name> <mutexPath> <rwPath> <rounds> <seed>
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, Mutex, ReadWriteLock, type ReentrantLock } from '../../lib/index.js';

const [connectString, name, mutexPath, rwPath, roundsText, seedText] = process.argv.slice(2) as [string, string, string, string, string, string];
const rounds = Number(roundsText);
let seed = Number(seedText);
/** A small seeded generator, so a demo run can be repeated. */
const random = (n: number): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed % n;
};

function event(lock: string, what: string): void {
  process.stdout.write(`${JSON.stringify({ who: name, lock, event: what, t: Date.now() })}\n`);
}

async function hold(lock: ReentrantLock, kind: string): Promise<void> {
  await lock.withLock(async () => {
    event(kind, 'acquired');
    await sleep(80 + random(120)); // the "work" done under the lock
    event(kind, 'released'); // said before the node goes, so no one else can be in yet
  }, { timeout: 30_000 });
  await sleep(20 + random(60));
}

const client = await connect(connectString);
try {
  const mutex = new Mutex(client, mutexPath);
  for (let i = 0; i < rounds; i++) await hold(mutex, 'mutex');
  const rw = new ReadWriteLock(client, rwPath);
  for (let i = 0; i < rounds * 2; i++) {
    const write = random(10) < 3;
    await hold(write ? rw.writeLock : rw.readLock, write ? 'write' : 'read');
  }
} finally {
  await client.close();
}
event('-', 'done');
