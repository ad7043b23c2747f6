// `npm run demo`: a throwaway ZooKeeper, two zkurator workers and one Curator 5.4.0 worker
// contending for the same mutex and then the same read-write lock. Prints one timeline line
// per event with what every worker holds at that moment, checks the exclusion over the whole
// run, and exits by itself (0 when exclusion held).
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../../lib/cli/dev-server-command.js';
import { localZooKeeperAvailable } from '../../lib/cli/local-zookeeper.js';
import { checkHoldRecord } from '../../test/support/hold-record.js';
import { compileAgainstCurator, curatorAvailable, curatorClasspath } from '../curator-java.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/scripts/demo
const root = resolve(here, '..', '..', '..');
const ROUNDS = Number(process.env.DEMO_ROUNDS ?? 4);
const MUTEX_PATH = '/demo/mutex';
const RW_PATH = '/demo/read-write';
/** Events from different processes reach us through different pipes; this much reorder slack
 * lets the timeline print them in the order they happened. */
const REORDER_MS = 150;

interface DemoEvent {
  who: string;
  lock: string;
  event: 'acquired' | 'released' | 'done';
  t: number;
}

const workers = [
  { name: 'node-1', label: 'zkurator' },
  { name: 'node-2', label: 'zkurator' },
  { name: 'curator', label: 'Curator 5.4.0' },
];

function workerCommand(name: string, connect: string, seed: number, javaBuild: string): [string, string[]] {
  const args = [connect, name, MUTEX_PATH, RW_PATH, String(ROUNDS), String(seed)];
  return name === 'curator'
    ? ['java', ['-cp', curatorClasspath([javaBuild]), 'CuratorDemoWorker', ...args]]
    : [process.execPath, [join(here, 'node-worker.js'), ...args]];
}

class Timeline {
  private readonly pending: DemoEvent[] = [];
  private readonly holding = new Map<string, string>();
  private start: number | undefined;
  readonly all: DemoEvent[] = [];

  add(e: DemoEvent): void {
    this.pending.push(e);
  }

  /** Prints the events older than the reorder slack (all of them with `everything`). */
  flush(everything = false): void {
    const horizon = everything ? Infinity : Date.now() - REORDER_MS;
    // same millisecond: a release happened before the acquire it let in
    this.pending.sort((a, b) => a.t - b.t || (a.event === 'released' ? -1 : 1) - (b.event === 'released' ? -1 : 1));
    while (this.pending.length > 0 && this.pending[0]!.t <= horizon) this.print(this.pending.shift()!);
  }

  header(): void {
    console.log(`\n  ${'ms'.padStart(6)}  ${workers.map((w) => w.name.padEnd(9)).join('')} event`);
  }

  private print(e: DemoEvent): void {
    this.all.push(e);
    if (e.event === 'done') return;
    this.start ??= e.t;
    if (e.event === 'acquired') this.holding.set(e.who, e.lock);
    else this.holding.delete(e.who);
    const columns = workers.map((w) => (this.holding.get(w.name) ?? '·').padEnd(9)).join('');
    console.log(`  ${String(e.t - this.start).padStart(6)}  ${columns} ${e.who} ${e.event} ${e.lock}`);
  }
}

/** The same check the test suite applies to its multi-process runs. */
function verdict(events: DemoEvent[], locks: string[]): ReturnType<typeof checkHoldRecord> {
  const record = events
    .filter((e) => locks.includes(e.lock) && e.event !== 'done')
    .map((e) => `${e.event === 'acquired' ? 'enter' : 'exit'} ${e.who} ${e.lock}`)
    .join('\n');
  return checkHoldRecord(record);
}

async function main(): Promise<number> {
  if (!curatorAvailable() || !localZooKeeperAvailable()) {
    console.error('demo: needs Debian\'s zookeeper and Curator packages and a JDK: run scripts/install-deps.sh --demo');
    return 1;
  }
  const javaBuild = join(root, 'dist', 'demo-java');
  compileAgainstCurator(join(root, 'scripts', 'demo', 'CuratorDemoWorker.java'), javaBuild);
  const server = await startDevServer(0, 2_000, 'local');
  const timeline = new Timeline();
  const flusher = setInterval(() => timeline.flush(), 50);
  try {
    console.log(`zkurator demo: ZooKeeper on ${server.connectString} (throwaway, removed at the end)`);
    console.log(`workers: ${workers.map((w) => `${w.name} (${w.label})`).join(', ')}`);
    console.log(`each takes ${MUTEX_PATH} ${ROUNDS} times, then ${RW_PATH} ${ROUNDS * 2} times (30% writes);`);
    console.log('the columns show what each worker holds after every event');
    timeline.header();
    const exits = workers.map((w, i) => {
      const [cmd, args] = workerCommand(w.name, server.connectString, 17 + i, javaBuild);
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      createInterface({ input: child.stdout }).on('line', (line) => timeline.add(JSON.parse(line) as DemoEvent));
      return new Promise<number>((done) => child.once('close', (code) => done(code ?? 1)));
    });
    const codes = await Promise.all(exits);
    timeline.flush(true);

    const mutex = verdict(timeline.all, ['mutex']);
    const rw = verdict(timeline.all, ['read', 'write']);
    const ok = codes.every((c) => c === 0) && mutex.violations.length === 0 && rw.violations.length === 0 &&
      mutex.open.length === 0 && rw.open.length === 0;
    console.log('');
    console.log(`mutex:      ${mutex.enters} holds by ${workers.length} workers, ${mutex.violations.length === 0 ? 'never two at once' : `VIOLATIONS: ${mutex.violations.join('; ')}`}`);
    console.log(`read-write: ${rw.enters} holds, up to ${rw.maxReaders} readers at once, ${rw.violations.length === 0 ? 'writers always alone' : `VIOLATIONS: ${rw.violations.join('; ')}`}`);
    if (codes.some((c) => c !== 0)) console.log(`worker exit codes: ${codes.join(', ')}`);
    console.log(ok ? 'exclusion held across zkurator and Curator.' : 'demo FAILED');
    return ok ? 0 : 1;
  } finally {
    clearInterval(flusher);
    await server.stop();
  }
}

process.exitCode = await main();
