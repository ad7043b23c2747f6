// A smoke test of the ensemble docker-compose.yml brings up (client ports 2181-2183 on
// 127.0.0.1), from outside, as a user would point an application at it: every member serves
// (one leader, two followers), and a lock is taken through each member in turn while the other
// two are kept out, then handed over to a waiter connected through the next member. Exits 0 if
// all of it held, 1 with the reason otherwise. Run by scripts/test-docker.sh --ci after
// `docker-compose up -d`; by hand: `npm run build && node dist/scripts/docker/compose-smoke.js`.
import { randomUUID } from 'node:crypto';
import { connect, LockTimeoutError, Mutex, type ZkClient } from '../../lib/index.js';
import { fourLetterWord } from '../../test/support/four-letter.js';
import { pollUntil } from '../../test/support/poll.js';

const PORTS = [2181, 2182, 2183];
/** The members start and elect in a few seconds; a loaded machine gets more. */
const READY_TIMEOUT_MS = 120_000;

async function mode(port: number): Promise<string | undefined> {
  try {
    return /Mode: (\w+)/.exec(await fourLetterWord(port, 'srvr'))?.[1];
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  let modes: Array<string | undefined> = [];
  await pollUntil(async () => {
    modes = await Promise.all(PORTS.map(mode));
    return modes.every((m) => m === 'leader' || m === 'follower');
  }, { timeoutMs: READY_TIMEOUT_MS, intervalMs: 250, what: `members on ${PORTS.join(', ')} serving as leader or follower` }).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (last seen: ${modes.map((m) => m ?? 'no answer').join(', ')})`);
  });
  if (modes.filter((m) => m === 'leader').length !== 1) throw new Error(`expected one leader, got modes ${modes.join(', ')}`);
  const ready = Date.now();

  // One client per member, each connected to that member alone: the lock goes through each server.
  const clients: ZkClient[] = [];
  try {
    for (const port of PORTS) clients.push(await connect(`127.0.0.1:${port}`, { sessionTimeout: 10_000, connectTimeout: 30_000 }));
    const root = `/zkurator-compose-smoke/${randomUUID()}`;
    for (let i = 0; i < clients.length; i++) {
      const path = `${root}/lock-${i}`;
      const next = (i + 1) % clients.length;
      const holder = await new Mutex(clients[i]!, path).acquire({ timeout: 10_000 });
      // The others' try-locks go through their own servers: each sees the holder's node.
      for (let j = 0; j < clients.length; j++) {
        if (j === i) continue;
        const refused = await new Mutex(clients[j]!, path).acquire({ timeout: 0 }).then(
          async (lease) => { await lease.release(); return false; },
          (err: unknown) => err instanceof LockTimeoutError,
        );
        if (!refused) throw new Error(`member ${PORTS[j]} got ${path} while member ${PORTS[i]} held it`);
      }
      const waiter = new Mutex(clients[next]!, path).acquire({ timeout: 30_000 });
      await holder.release();
      const handedOver = await waiter; // the release, seen through the next member's server
      await handedOver.release();
      // read through the member that saw both deletes (its session's own, and the holder's
      // before the hand-over), so no replication lag can show a node that is gone
      const left = await clients[next]!.getChildren(path);
      if (left.length !== 0) throw new Error(`${path} still has ${left.join(', ')} after both released`);
    }
    // Nothing to clean up: `docker-compose down` removes the servers and their data.
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  const modesText = PORTS.map((p, i) => `${p} ${modes[i]}`).join(', ');
  process.stdout.write(`compose-smoke: members ${modesText} (ready after ${((ready - started) / 1000).toFixed(1)} s); ` +
    `a lock taken through each member kept the other two out and was handed over through the next: ok (${((Date.now() - ready) / 1000).toFixed(1)} s)\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`compose-smoke: FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
