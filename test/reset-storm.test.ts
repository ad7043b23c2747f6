// No network fault may take the host process down, and the lock must work after every one
// (the native binding this client replaced aborted the process under TCP resets).
// A: a storm of TCP resets through a proxy; B: the server SIGKILLed and restarted; both with
// the workload in child processes (test/support/storm-worker.ts), so a crash is an exit we
// see. C (CURATOR-335): sessions lost while the server is down, server back right after.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pTimeout from 'p-timeout';
import { Mutex, SessionExpiredError, type ConnectionState, type Lease, type ZkClient } from '../lib/index.js';
import { newClient, sharedServerPort, uniquePath, untilChildren } from './support/harness.js';
import type { ParentMessage, RunResult, StormWorkerArgs, WorkerMessage } from './support/storm-worker.js';
import { pollUntil } from './support/poll.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { ZkCluster } from './support/zk-server.js';

const workerScript = fileURLToPath(new URL('./support/storm-worker.js', import.meta.url));

/** Every child must exit by itself this long after it was told to finish. */
const EXIT_DEADLINE_MS = 10_000;
/**
 * An HTTP answer from the child slower than this means its event loop or sockets stalled. Not
 * lower: on a shared 2-core machine a busy child can be off the CPU for most of a second.
 */
const HTTP_MAX_LATENCY_MS = 3_000;

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** One worker process: its messages in order, its exit, its output (for failure reports). */
class StormChild {
  readonly exit: Promise<Exit>;
  private exitInfo: Exit | undefined;
  private readonly inbox: WorkerMessage[] = [];
  private notify: (() => void) | undefined;
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    const append = (chunk: Buffer): void => { this.output = (this.output + chunk.toString()).slice(-8_000); };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    child.on('message', (m: WorkerMessage) => { this.inbox.push(m); this.notify?.(); });
    child.on('error', (err) => append(Buffer.from(`[parent] child error: ${err.message}\n`)));
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      this.notify?.();
      resolve(this.exitInfo);
    }));
  }

  static start(args: StormWorkerArgs): StormChild {
    return new StormChild(spawn(process.execPath, [workerScript, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): Exit | undefined {
    return this.exitInfo;
  }

  get tail(): string {
    return this.output.trim().split('\n').slice(-15).join('\n');
  }

  send(m: ParentMessage): void {
    if (this.child.connected) this.child.send(m);
  }

  /** The next message of this type; 'exited' if the child died first, 'timeout' at the deadline. */
  async next<T extends WorkerMessage['type']>(type: T, timeoutMs: number): Promise<Extract<WorkerMessage, { type: T }> | 'exited' | 'timeout'> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const at = this.inbox.findIndex((m) => m.type === type);
      if (at >= 0) return this.inbox.splice(at, 1)[0] as Extract<WorkerMessage, { type: T }>;
      if (this.exitInfo) return 'exited';
      const left = deadline - performance.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.notify = () => { clearTimeout(timer); resolve(); };
      });
      this.notify = undefined;
    }
  }

  /** Waits for the exit; a child still running at the deadline is a hang and is SIGKILLed. */
  async waitExit(timeoutMs: number): Promise<Exit | 'hung'> {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => { timer = setTimeout(() => resolve('hung'), timeoutMs); });
    const exit = await Promise.race([this.exit, hung]);
    clearTimeout(timer);
    if (exit === 'hung') this.kill();
    return exit;
  }

  kill(): void {
    if (!this.exitInfo) this.child.kill('SIGKILL'); // our own child, by its handle (pid)
  }
}

/** Requests the child's HTTP server back to back until stopped: latencies and failures. */
function probeHttp(port: number): { stop: () => Promise<{ requests: number; failures: string[]; maxMs: number }> } {
  let running = true;
  let requests = 0;
  let maxMs = 0;
  const failures: string[] = [];
  const one = (): Promise<void> => new Promise((resolve) => {
    const t0 = performance.now();
    const req = httpGet({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        const ms = performance.now() - t0;
        maxMs = Math.max(maxMs, ms);
        if (res.statusCode !== 200) failures.push(`HTTP ${res.statusCode}`);
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (err) => { failures.push(err.message); resolve(); });
  });
  const loop = (async () => {
    while (running) {
      await one();
      requests++;
      await sleep(20); // pacing, not synchronisation
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { requests, failures, maxMs: Math.round(maxMs) };
    },
  };
}

interface Campaign {
  runs: number;
  runsPerChild: number;
  worker: (child: number) => StormWorkerArgs;
  /** The fault of one run, while the workload runs; returns a description for the report. */
  fault: (run: number) => Promise<string>;
  /** Extra checks of one run's result (problems found, as text). */
  check?: (r: RunResult) => string[];
}

interface CampaignReport {
  crashes: string[];
  hangs: string[];
  problems: string[];
  results: RunResult[];
  faults: string[];
  children: number;
  httpRequests: number;
  httpMaxMs: number;
}

function describeExit(e: Exit): string {
  return e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
}

/**
 * Runs the workload in child processes, `runsPerChild` runs each, one fault per run. A child
 * that dies is a crash of the run it was in (or of its shutdown); a run that never reports, or
 * a child that does not exit by itself, is a hang. Either way the next run gets a new child.
 */
async function campaign(c: Campaign): Promise<CampaignReport> {
  const report: CampaignReport = { crashes: [], hangs: [], problems: [], results: [], faults: [], children: 0, httpRequests: 0, httpMaxMs: 0 };
  const resultDeadline = (args: StormWorkerArgs): number => args.acquireTimeoutMs + args.settleSlackMs + args.checkTimeoutMs + 10_000;
  let run = 0;
  while (run < c.runs) {
    const args = c.worker(report.children);
    const child = StormChild.start(args);
    report.children++;
    const lost = (what: string, outcome: 'exited' | 'timeout'): void => {
      if (outcome === 'exited') report.crashes.push(`${what}: child ${child.pid} ${describeExit(child.exited!)}\n${child.tail}`);
      else { report.hangs.push(`${what}: child ${child.pid} stopped answering\n${child.tail}`); child.kill(); }
    };
    try {
      const ready = await child.next('ready', 30_000);
      if (typeof ready === 'string') {
        lost(`start of child ${report.children} (before run ${run})`, ready);
        run++; // a child that cannot even start counts against a run, so this loop ends
        continue;
      }
      let alive = true;
      for (let i = 0; i < c.runsPerChild && run < c.runs && alive; i++) {
        const thisRun = run++; // a run that fails is not retried: the next one gets a new child
        child.send({ type: 'run', run: thisRun });
        const running = await child.next('running', 10_000);
        if (typeof running === 'string') { lost(`run ${thisRun} (starting)`, running); alive = false; break; }
        const probe = probeHttp(ready.httpPort);
        let fault: string;
        let result: RunResult | 'exited' | 'timeout';
        let http: Awaited<ReturnType<ReturnType<typeof probeHttp>['stop']>>;
        try {
          try {
            fault = await c.fault(thisRun);
          } finally {
            child.send({ type: 'stop', run: thisRun });
          }
          report.faults.push(fault);
          result = await child.next('result', resultDeadline(args));
        } finally {
          http = await probe.stop();
        }
        report.httpRequests += http.requests;
        report.httpMaxMs = Math.max(report.httpMaxMs, http.maxMs);
        if (typeof result === 'string') { lost(`run ${thisRun} (${fault})`, result); alive = false; break; }
        report.results.push(result);
        const problems: string[] = [];
        if (result.unsettled > 0) problems.push(`${result.unsettled} acquires still pending ${args.settleSlackMs} ms after their timeout`);
        if (result.untyped.length > 0) problems.push(`untyped errors: ${result.untyped.join('; ')}`);
        // Connection trouble is the acquire's to absorb within its deadline: a timeout is the only
        // way it may fail here (no connection loss, lost session or closed client leaking out),
        // and release never fails.
        const unexpected = Object.keys(result.errors).filter((k) => k !== 'acquire:LOCK_TIMEOUT');
        if (unexpected.length > 0) problems.push(`unexpected rejections: ${unexpected.map((k) => `${k} x${result.errors[k]}`).join(', ')}`);
        if (result.violations.length > 0) problems.push(`exclusion violated: ${result.violations.slice(0, 5).join('; ')}`);
        result.checks.forEach((ch, i) => {
          if (!ch.ok) problems.push(`client${i} could not acquire after the fault: ${ch.error}`);
        });
        if (result.granted === 0) problems.push('no acquire succeeded during the run');
        if (http.failures.length > 0) problems.push(`HTTP requests to the child failed: ${http.failures.slice(0, 3).join('; ')}`);
        if (http.maxMs > HTTP_MAX_LATENCY_MS) problems.push(`an HTTP answer from the child took ${http.maxMs} ms`);
        problems.push(...(c.check?.(result) ?? []));
        for (const p of problems) report.problems.push(`run ${thisRun} (${fault}): ${p}`);
      }
      if (!alive) continue;
      child.send({ type: 'finish' });
      const exit = await child.waitExit(EXIT_DEADLINE_MS);
      if (exit === 'hung') report.hangs.push(`child ${report.children} (runs up to ${run - 1}) did not exit by itself within ${EXIT_DEADLINE_MS} ms\n${child.tail}`);
      else if (exit.code !== 0 || exit.signal) report.crashes.push(`child ${report.children} (runs up to ${run - 1}) at shutdown: ${describeExit(exit)}\n${child.tail}`);
    } finally {
      child.kill(); // only if still running: a fault step threw
    }
  }
  return report;
}

function sum(results: RunResult[], f: (r: RunResult) => number): number {
  return results.reduce((n, r) => n + f(r), 0);
}

function errorTotals(results: RunResult[]): string {
  const totals: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errors)) totals[k] = (totals[k] ?? 0) + v;
  return Object.entries(totals).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
}

function summary(name: string, rep: CampaignReport, extra: string): string {
  const r = rep.results;
  return `      ${name}: ${r.length} runs in ${rep.children} children, ${extra}, crashes ${rep.crashes.length}, hangs ${rep.hangs.length}; `
    + `acquires started ${sum(r, (x) => x.started)}, granted ${sum(r, (x) => x.granted)}; rejections: ${errorTotals(r)}; `
    + `slowest acquire to settle ${Math.max(0, ...r.map((x) => x.slowestAcquireMs))} ms (timeout 1000); post-fault acquire worst ${Math.max(0, ...r.flatMap((x) => x.checks.map((ch) => (ch.ok ? ch.ms : 0))))} ms; `
    + `HTTP ${rep.httpRequests} requests, slowest ${rep.httpMaxMs} ms; worst loop delay ${Math.max(0, ...r.map((x) => x.maxLoopDelayMs))} ms`;
}

function expectClean(rep: CampaignReport, runs: number): void {
  expect(rep.crashes, 'crashes').to.deep.equal([]);
  expect(rep.hangs, 'hangs').to.deep.equal([]);
  expect(rep.problems, 'problems').to.deep.equal([]);
  expect(rep.results.map((r) => r.run)).to.deep.equal(Array.from({ length: runs }, (_, i) => i));
}

function stateCount(r: RunResult, client: number, s: ConnectionState): number {
  return r.states[client]?.[s] ?? 0;
}

function randomMs(min: number, max: number): number {
  return min + Math.random() * (max - min);
}

describe('no network fault takes the process down; the lock works after each', function () {
  this.timeout(120_000);

  it('A: reset storm through a proxy (20 runs of 3 resets, 0.35-1.05 s apart), two contending clients and an HTTP server in the child', async () => {
    const proxy = await TcpProxy.start(sharedServerPort());
    const resetsHit: number[] = [];
    try {
      const RUNS = 20;
      const rep = await campaign({
        runs: RUNS,
        runsPerChild: 5,
        worker: (child) => ({
          connect: proxy.connectString, path: uniquePath(`storm-a${child}`), sessionTimeout: 4_000,
          intervalMs: 5, acquireTimeoutMs: 1_000, settleSlackMs: 3_000, checkTimeoutMs: 10_000,
        }),
        fault: async () => {
          const hits: number[] = [];
          for (let i = 0; i < 3; i++) {
            await sleep(randomMs(350, 1_050)); // the storm's rhythm, not synchronisation
            hits.push(proxy.reset());
          }
          resetsHit.push(...hits);
          return `resets hit ${hits.join('+')} connections`;
        },
        check: (r) => {
          const problems: string[] = [];
          for (const i of [0, 1]) {
            // sessions survive resets: reconnected every time, never lost
            if (stateCount(r, i, 'LOST') > 0) problems.push(`client${i} LOST its session ${stateCount(r, i, 'LOST')} time(s)`);
            if (stateCount(r, i, 'RECONNECTED') < 1) problems.push(`client${i} never reconnected: ${JSON.stringify(r.states[i])}`);
          }
          return problems;
        },
      });
      console.log(summary('A', rep, `${resetsHit.length} resets (${resetsHit.reduce((a, b) => a + b, 0)} connections reset)`));
      expectClean(rep, RUNS);
      expect(resetsHit.filter((n) => n === 0), 'resets that found no connection to reset').to.deep.equal([]);
    } finally {
      await proxy.close();
    }
  });

  it('B: server SIGKILLed and restarted (10 runs) under the same workload', async () => {
    const server = await ZkCluster.standalone();
    try {
      const RUNS = 10;
      const rep = await campaign({
        runs: RUNS,
        runsPerChild: 5,
        worker: (child) => ({
          connect: server.connectString, path: uniquePath(`storm-b${child}`), sessionTimeout: 6_000,
          intervalMs: 5, acquireTimeoutMs: 1_000, settleSlackMs: 3_000, checkTimeoutMs: 20_000,
        }),
        fault: async () => {
          await sleep(randomMs(300, 800)); // workload before the kill
          const t0 = performance.now();
          await server.members[0]!.stop('SIGKILL');
          await server.restart(1);
          const down = Math.round(performance.now() - t0);
          await sleep(randomMs(200, 500)); // workload while the clients come back
          return `server down ${down} ms`;
        },
      });
      const downs = rep.faults.map((f) => Number(/down (\d+)/.exec(f)?.[1] ?? 0));
      console.log(summary('B', rep, `${rep.faults.length} kills (down ${Math.min(...downs)}-${Math.max(...downs)} ms), `
        + `sessions lost ${sum(rep.results, (r) => stateCount(r, 0, 'LOST') + stateCount(r, 1, 'LOST'))}`));
      expectClean(rep, RUNS);
    } finally {
      await server.destroy();
    }
  });

  describe('C (CURATOR-335): sessions lost while the server is down, server back right after', () => {
    let server: ZkCluster | undefined;
    const proxies: TcpProxy[] = [];
    afterEach(async () => {
      await Promise.all(proxies.splice(0).map((p) => p.close()));
      await server?.destroy();
      server = undefined;
    });

    /** Records every state event of each client, in order. */
    function recordStates(clients: Record<string, ZkClient>): Record<string, ConnectionState[]> {
      const seen: Record<string, ConnectionState[]> = {};
      for (const [name, c] of Object.entries(clients)) {
        seen[name] = [];
        c.on('state', (s) => seen[name]!.push(s));
      }
      return seen;
    }

    function count(states: ConnectionState[] | undefined, s: ConnectionState): number {
      return (states ?? []).filter((x) => x === s).length;
    }

    /**
     * LOST once, then CONNECTED once (the new session), nothing after: no flapping. A slow
     * machine may add SUSPENDED/RECONNECTED pairs on the new session; those are not flapping.
     */
    function expectOneNewSession(states: ConnectionState[] | undefined, who: string): void {
      const seen = JSON.stringify(states);
      expect(states?.slice(0, 3), `${who}: ${seen}`).to.deep.equal(['SUSPENDED', 'LOST', 'CONNECTED']);
      expect(count(states, 'LOST'), `${who} LOST: ${seen}`).to.equal(1);
      expect(count(states, 'CONNECTED'), `${who} CONNECTED: ${seen}`).to.equal(1);
    }

    function nextState(client: ZkClient, want: ConnectionState): Promise<void> {
      return new Promise((resolve) => {
        const on = (s: ConnectionState): void => {
          if (s === want) { client.off('state', on); resolve(); }
        };
        client.on('state', on);
      });
    }

    /**
     * Queues an acquire (after the ones before it) that releases as soon as it is granted, and
     * waits until it watches its predecessor (nothing of it in flight any more).
     */
    async function queue(client: ZkClient, path: string, name: string, granted: string[], queued: number): Promise<{ done: Promise<void> }> {
      const watching = client.pendingWatchListeners + 1;
      const done = new Mutex(client, path).acquire({ timeout: 60_000 }).then(async (lease) => {
        granted.push(name);
        await lease.release();
      });
      done.catch(() => undefined); // awaited by the test; this only keeps it from counting as unhandled meanwhile
      await untilChildren(client, path, queued);
      await pollUntil(() => client.pendingWatchListeners === watching, { timeoutMs: 5_000, what: `${name} watching its predecessor` });
      return { done };
    }

    it('every client gets a new session once (no LOST/CONNECTED flapping); the queued waiters acquire', async function () {
      this.timeout(60_000);
      server = await ZkCluster.standalone(); // tickTime 500: sessions of 1-10 s
      const sessionTimeout = 3_000;
      const opts = { connectString: server.connectString, sessionTimeout };
      const [holder, w1, w2] = await Promise.all([newClient(opts), newClient(opts), newClient(opts)]);
      const clients = { holder: holder!, w1: w1!, w2: w2! };
      const path = uniquePath('c335');
      const held: Lease = await new Mutex(clients.holder, path).acquire();
      const granted: string[] = [];
      const waiting = [
        (await queue(clients.w1, path, 'w1', granted, 2)).done,
        (await queue(clients.w2, path, 'w2', granted, 3)).done,
        (await queue(clients.holder, path, 'holder', granted, 4)).done, // the holder's client waits too
      ];
      const oldIds = Object.values(clients).map((c) => c.sessionId);
      const seen = recordStates(clients);
      const lost = Promise.all(Object.values(clients).map((c) => nextState(c, 'LOST')));
      await server.members[0]!.stop('SIGKILL');
      await pTimeout(lost, { milliseconds: 15_000, message: `not every client reported LOST: ${JSON.stringify(seen)}` });
      await server.restart(1);
      const back = performance.now();
      await pTimeout(Promise.all(waiting), { milliseconds: 20_000, message: `queued waiters did not acquire within 20 s of the restart (granted: ${granted.join(',') || 'none'}; states ${JSON.stringify(seen)})` });
      const waitedMs = Math.round(performance.now() - back);
      expect([...granted].sort()).to.deep.equal(['holder', 'w1', 'w2']);
      expect(held.status).to.equal('lost');
      await held.release(); // harmless: nothing to delete
      // the lock works for everyone on the new sessions
      for (const c of Object.values(clients)) await (await new Mutex(c, path).acquire({ timeout: 10_000 })).release();
      // No event to await for "nothing more happens": watch one more session timeout for flapping.
      await sleep(sessionTimeout);
      for (const [name, c] of Object.entries(clients)) {
        expectOneNewSession(seen[name], name);
        expect(c.sessionGeneration, `${name} generation`).to.equal(1);
        await c.waitConnected(10_000);
      }
      expect(Object.values(clients).map((c) => c.sessionId).filter((id) => oldIds.includes(id))).to.deep.equal([]);
      console.log(`      C: waiters acquired ${waitedMs} ms after the restart`);
    });

    it('a request queued while suspended, when the session is given up (LOST), fails as a lost session, not as a closed client', async function () {
      this.timeout(30_000);
      const proxy = await TcpProxy.start(sharedServerPort());
      proxies.push(proxy);
      const client = await newClient({ connectString: proxy.connectString, sessionTimeout: 2_000 });
      const seen = recordStates({ client });
      const suspended = nextState(client, 'SUSPENDED');
      const lost = nextState(client, 'LOST');
      // Silence, not a reset: the client drops the connection after its read timeout, and its
      // next attempt hangs (a connect attempt may take the whole session timeout) past LOST.
      proxy.stall();
      await pTimeout(suspended, { milliseconds: 10_000, message: 'no SUSPENDED' });
      const queued = client.exists('/').then(() => 'answered', (e: unknown) => e);
      await pTimeout(lost, { milliseconds: 10_000, message: `no LOST: ${JSON.stringify(seen)}` });
      const err = await pTimeout(queued, { milliseconds: 5_000, message: 'the queued request never ended' });
      expect(client.isClosed).to.equal(false);
      expect(err, String(err)).to.be.instanceOf(SessionExpiredError);
      proxy.restore();
      await client.waitConnected(10_000);
      expect(await client.exists('/')).to.not.equal(undefined);
      expectOneNewSession(seen.client, 'client');
    });

    it('the holder keeps its session and releases; the waiters, back later on new sessions, do not take their old session\'s node for a grant', async function () {
      this.timeout(60_000);
      // tickTime 1000: sessions of 2-20 s. The holder's outlives the outage; the waiters' do not,
      // and the restarted server keeps them (and their nodes) alive for 4 s more.
      server = await ZkCluster.standalone({ tickTime: 1_000 });
      const holder = await newClient({ connectString: server.connectString, sessionTimeout: 20_000 });
      const waiterTimeout = 4_000;
      const pw1 = await TcpProxy.start(server.members[0]!.clientPort);
      const pw2 = await TcpProxy.start(server.members[0]!.clientPort);
      proxies.push(pw1, pw2);
      const w1 = await newClient({ connectString: pw1.connectString, sessionTimeout: waiterTimeout });
      const w2 = await newClient({ connectString: pw2.connectString, sessionTimeout: waiterTimeout });
      const clients = { holder, w1, w2 };
      const path = uniquePath('c335b');
      const held: Lease = await new Mutex(holder, path).acquire();
      const granted: string[] = [];
      const waiting = [(await queue(w1, path, 'w1', granted, 2)).done, (await queue(w2, path, 'w2', granted, 3)).done];
      const seen = recordStates(clients);
      const lost = Promise.all([w1, w2].map((c) => nextState(c, 'LOST')));
      await server.members[0]!.stop('SIGKILL');
      pw1.cut(); // the waiters stay away until the holder is done
      pw2.cut();
      await pTimeout(lost, { milliseconds: 15_000, message: `waiters did not report LOST: ${JSON.stringify(seen)}` });
      const reconnected = nextState(holder, 'RECONNECTED');
      await server.restart(1); // the waiters' old sessions are alive again for a session timeout
      await pTimeout(reconnected, { milliseconds: 10_000, message: `holder did not reconnect: ${JSON.stringify(seen)}` });
      await held.untilSafe(); // same session: still ours
      await held.release();
      // Now the waiters' OLD nodes head the queue (their sessions linger on the restarted server).
      pw1.restore();
      pw2.restore();
      const back = performance.now();
      const outcome = await pTimeout(Promise.allSettled(waiting), { milliseconds: 20_000, message: `waiters did not finish within 20 s (granted: ${granted.join(',') || 'none'}; states ${JSON.stringify(seen)})` });
      const failures = outcome.flatMap((o) => (o.status === 'rejected' ? [o.reason instanceof Error ? `${o.reason.name}: ${o.reason.message}` : String(o.reason)] : []));
      expect(failures, 'waiters that did not get the lock').to.deep.equal([]);
      expect([...granted].sort()).to.deep.equal(['w1', 'w2']);
      expect(seen.holder?.slice(0, 2), JSON.stringify(seen.holder)).to.deep.equal(['SUSPENDED', 'RECONNECTED']);
      expect(count(seen.holder, 'LOST'), JSON.stringify(seen.holder)).to.equal(0);
      expectOneNewSession(seen.w1, 'w1');
      expectOneNewSession(seen.w2, 'w2');
      console.log(`      C: waiters acquired ${Math.round(performance.now() - back)} ms after they could reconnect`);
    });
  });
});
