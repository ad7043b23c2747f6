// The reset-storm workload in its own OS process, so that a crash (an abort, a segfault, an
// uncaught error, an unhandled rejection) is seen by the test as this process dying, not as
// the test runner dying. Public API only. Two clients (two sessions) contend for one mutex,
// each from a setInterval that starts an acquire every few ms
// (`mutex.acquire({ timeout }).then((l) => l.release())`, the hold lasting one turn of the
// event loop so that an overlapping grant would show); an HTTP server that has nothing to do
// with ZooKeeper answers the parent throughout, so a stalled event loop or starved sockets
// show from outside.
//
// Driven by the parent over IPC, one run at a time (several runs per process):
//   parent: { type: 'run', run }   -> starts the intervals, answers { type: 'running', run }
//   parent: { type: 'stop', run }  -> stops them, waits for every acquire started to settle,
//                                     then acquires and releases once per client (the lock
//                                     works after the fault), answers { type: 'result', ... }
//   parent: { type: 'finish' }     -> closes everything and returns: the process must then
//                                     exit by itself, with code 0.
// No handler for uncaught errors or unhandled rejections: they must kill the process.
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connect, Mutex, ZkuratorError, type ConnectionState, type ZkClient } from '../../lib/index.js';

export interface StormWorkerArgs {
  connect: string;
  path: string;
  sessionTimeout: number;
  /** Period of each client's acquire interval, ms. */
  intervalMs: number;
  /** Timeout of the workload's acquires, ms. */
  acquireTimeoutMs: number;
  /** How long the workload's acquires may take to settle after stop (beyond their timeout), ms. */
  settleSlackMs: number;
  /** Timeout of the acquire that proves the lock works after the fault, ms. */
  checkTimeoutMs: number;
}

export type ParentMessage = { type: 'run'; run: number } | { type: 'stop'; run: number } | { type: 'finish' };

export interface RunResult {
  type: 'result';
  run: number;
  /** Acquires started by the intervals. */
  started: number;
  /** Acquires granted (the lock was held, then released). */
  granted: number;
  /** Longest time an acquire took to settle (granted or rejected), ms. */
  slowestAcquireMs: number;
  /** Rejections of the workload's acquires and releases, by error code. */
  errors: Record<string, number>;
  /** Rejections that were not a ZkuratorError (an untyped error leaked): message samples. */
  untyped: string[];
  /** Workload acquires still pending after their timeout plus the slack: hangs. */
  unsettled: number;
  /** Mutual exclusion: two holders at once, or a fencing token that did not grow. */
  violations: string[];
  /** Connection-state events of each client during the run. */
  states: Record<string, number>[];
  /** The post-fault acquire + release of each client: ms taken, or the error. */
  checks: ({ ok: true; ms: number } | { ok: false; error: string })[];
  /** Worst event-loop delay during the run, ms. */
  maxLoopDelayMs: number;
}

export type WorkerMessage = { type: 'ready'; httpPort: number } | { type: 'running'; run: number } | RunResult;

const args = JSON.parse(process.argv[2] ?? '{}') as StormWorkerArgs;
const send = (m: WorkerMessage): void => { process.send?.(m); };

// Not ZooKeeper: must keep answering whatever happens to the ZooKeeper connections.
let served = 0;
const http = createServer((_req, res) => { served++; res.end(`ok ${served}`); });
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const addr = http.address();
const httpPort = typeof addr === 'object' && addr ? addr.port : 0;

const clients: ZkClient[] = await Promise.all([0, 1].map(() => connect(args.connect, { sessionTimeout: args.sessionTimeout, connectTimeout: 30_000 })));
const mutexes = clients.map((c) => new Mutex(c, args.path));
let states: Record<string, number>[] = clients.map(() => ({}));
clients.forEach((c, i) => c.on('state', (s: ConnectionState) => { const m = states[i]!; m[s] = (m[s] ?? 0) + 1; }));

const loopDelay = monitorEventLoopDelay({ resolution: 10 });

// Exclusion, across both clients: a hold lasts from the grant until release() is called, or
// until its signal aborts (the lock may be someone else's from then on). It spans one turn of
// the event loop (the critical section), so an overlapping grant would have the time to show.
let holders = 0;
let lastToken = -1n;

interface RunState {
  run: number;
  timers: NodeJS.Timeout[];
  pending: Set<Promise<void>>;
  started: number;
  granted: number;
  slowestAcquireMs: number;
  errors: Record<string, number>;
  untyped: string[];
  violations: string[];
}
let current: RunState | undefined;

function record(r: RunState, what: string, err: unknown): void {
  if (err instanceof ZkuratorError) {
    const key = `${what}:${err.code}`;
    r.errors[key] = (r.errors[key] ?? 0) + 1;
  } else if (r.untyped.length < 5) {
    r.untyped.push(`${what}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  } else {
    r.untyped.push('...');
  }
}

/** mutex.acquire({ timeout }).then((l) => l.release()), with the hold checked and errors counted. */
async function cycle(r: RunState, m: Mutex, who: string): Promise<void> {
  let lease;
  const t0 = performance.now();
  try {
    lease = await m.acquire({ timeout: args.acquireTimeoutMs });
  } catch (err) {
    record(r, 'acquire', err);
    return;
  } finally {
    r.slowestAcquireMs = Math.max(r.slowestAcquireMs, Math.round(performance.now() - t0));
  }
  r.granted++;
  const signal = lease.signal;
  if (!signal.aborted) {
    if (holders > 0) r.violations.push(`${who} granted ${lease.path} while ${holders} other hold(s) were open`);
    if (lease.fencingToken <= lastToken) r.violations.push(`${who} token ${lease.fencingToken} does not grow (last ${lastToken})`);
    lastToken = lease.fencingToken;
    holders++;
    let open = true;
    const leave = (): void => {
      if (open) holders--;
      open = false;
    };
    signal.addEventListener('abort', leave, { once: true });
    await new Promise((resolve) => setImmediate(resolve)); // the critical section
    leave();
  }
  try {
    await lease.release();
  } catch (err) {
    record(r, 'release', err);
  }
}

function startRun(run: number): void {
  const r: RunState = { run, timers: [], pending: new Set(), started: 0, granted: 0, slowestAcquireMs: 0, errors: {}, untyped: [], violations: [] };
  current = r;
  states = clients.map(() => ({}));
  loopDelay.reset();
  loopDelay.enable();
  mutexes.forEach((m, i) => {
    r.timers.push(setInterval(() => {
      r.started++;
      const p: Promise<void> = cycle(r, m, `client${i}`).finally(() => r.pending.delete(p));
      r.pending.add(p);
    }, args.intervalMs));
  });
  send({ type: 'running', run });
}

/** Resolves true once `done()` holds, false at the deadline. Polls: settling has no single event. */
async function within(ms: number, done: () => boolean): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

async function stopRun(run: number): Promise<void> {
  const r = current;
  if (!r || r.run !== run) throw new Error(`stop for run ${run}, but run ${r?.run ?? 'none'} is current`);
  for (const t of r.timers) clearInterval(t);
  // Every acquire started ends by its timeout (plus its clean-up): none may hang.
  await within(args.acquireTimeoutMs + args.settleSlackMs, () => r.pending.size === 0);
  const unsettled = r.pending.size;
  // The lock works after the fault: each client acquires and releases within the deadline.
  const checks = await Promise.all(mutexes.map(async (m) => {
    const t0 = performance.now();
    try {
      const lease = await m.acquire({ timeout: args.checkTimeoutMs });
      await lease.release();
      return { ok: true as const, ms: Math.round(performance.now() - t0) };
    } catch (err) {
      return { ok: false as const, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  }));
  loopDelay.disable();
  current = undefined;
  send({
    type: 'result', run, started: r.started, granted: r.granted, slowestAcquireMs: r.slowestAcquireMs, errors: r.errors, untyped: r.untyped, unsettled,
    violations: r.violations, states, checks, maxLoopDelayMs: Math.round(loopDelay.max / 1e6),
  });
}

async function finish(): Promise<void> {
  process.off('message', onMessage);
  process.disconnect?.();
  await Promise.all(clients.map((c) => c.close()));
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
  // Nothing else: if anything is left running (a timer, a socket), the process does not exit
  // and the parent counts a hang.
}

function onMessage(m: ParentMessage): void {
  switch (m.type) {
    case 'run': startRun(m.run); break;
    case 'stop': void stopRun(m.run); break;
    case 'finish': void finish(); break;
  }
}
process.on('message', onMessage);
send({ type: 'ready', httpPort });
