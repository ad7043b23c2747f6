// A zkurator mutex contender in its own OS process (F1/F2). Each cycle: acquire, append
// "enter <ref> mutex <fencing token>" to the shared record, work a little, append
// "exit <ref> mutex", release. If the lease signal aborts (the lock may be lost), it stops
// working at once and appends the exit right then, as a real holder must.
import { appendFileSync } from 'node:fs';
import { connect, Mutex } from '../../lib/index.js';

interface WorkerArgs { connect: string; path: string; name: string; cycles: number; record: string; sessionTimeout: number }
const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;

const client = await connect(args.connect, { sessionTimeout: args.sessionTimeout, connectTimeout: 60_000 });
const mutex = new Mutex(client, args.path);
let done = 0;
let losses = 0;
try {
  while (done < args.cycles) {
    const lease = await mutex.acquire({ timeout: 120_000 });
    const signal = lease.signal;
    if (signal.aborted) { // lost between the grant and now: do not enter
      losses++;
      await lease.release();
      continue;
    }
    const ref = `${args.name}.${done}`;
    appendFileSync(args.record, `enter ${ref} mutex ${lease.fencingToken}\n`);
    let exited = false;
    const exit = (): void => {
      if (!exited) appendFileSync(args.record, `exit ${ref} mutex\n`);
      exited = true;
    };
    const onAbort = (): void => {
      losses++;
      exit();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.floor(Math.random() * 3)); // simulated work
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
    signal.removeEventListener('abort', onAbort); // release aborts the signal too: not a loss
    exit();
    await lease.release();
    done++;
  }
  process.send?.({ done, losses });
} finally {
  await client.close();
}
