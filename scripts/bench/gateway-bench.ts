// The HTTP gateway's benchmark (`npm run bench`, workload "gateway"; alone:
// `BENCH_ONLY=gateway npm run bench`, or this file directly):
//   node dist/scripts/bench/gateway-bench.js <connect> <cycles> <root>
// Starts `zkurator serve` as its own process on a free loopback port, then drives lock + release
// round trips (POST /locks/<resource>, DELETE <lock url>) over keep-alive HTTP from this
// process: 1 client; 64 clients on distinct resources; 64 clients on one resource. Reports round
// trips per second, p50/p99 of one round trip (for one resource, that includes the wait in the
// queue), and the gateway process's resident set size (Linux /proc). Prints one JSON line.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayProcess } from '../../test/support/gateway-process.js';

/** One measured scenario, as printed. */
export interface GatewayScenarioResult {
  name: string;
  clients: number;
  resources: number;
  cycles: number;
  cyclesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** The gateway's highest RSS seen during the scenario. */
  rssPeakMb: number;
}

/** What one run prints (the last line of stdout). */
export interface GatewayBenchResult {
  scenarios: GatewayScenarioResult[];
  /** The gateway's RSS after start-up and one warm-up, before the first scenario. */
  rssIdleMb: number;
  /** The gateway's RSS after the last scenario, every lock released. */
  rssAfterMb: number;
}

const now = (): number => Number(process.hrtime.bigint());

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))]! / 1e6;
}

class GatewayClient {
  constructor(private readonly port: number, private readonly agent: Agent) {}

  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolvePromise, reject) => {
      const req = request({
        host: '127.0.0.1', port: this.port, method, path, agent: this.agent,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          if (text.length > 0 && /json/.test(res.headers['content-type'] ?? '')) json = JSON.parse(text);
          resolvePromise({ status: res.statusCode ?? 0, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** One round trip: lock (waiting as long as it takes), then release. */
  async cycle(resource: string): Promise<void> {
    const taken = await this.call('POST', `/locks/${resource}`, { title: 'bench', lifetime: 60, wait: 60 });
    if (taken.status !== 201) throw new Error(`POST /locks/${resource}: ${taken.status} ${JSON.stringify(taken.json)}`);
    const url = (taken.json as { url?: unknown }).url;
    if (typeof url !== 'string') throw new Error(`POST /locks/${resource}: no url in ${JSON.stringify(taken.json)}`);
    const released = await this.call('DELETE', url);
    if (released.status !== 204) throw new Error(`DELETE ${url}: ${released.status} ${JSON.stringify(released.json)}`);
  }
}

async function scenario(gateway: GatewayProcess, name: string, clients: number, oneResource: boolean, cycles: number, tag: string): Promise<GatewayScenarioResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const http = new GatewayClient(gateway.port, agent);
  const resourceOf = (i: number): string => (oneResource ? `${tag}-one` : `${tag}-r${i}`);
  // Warm-up: every client does a few cycles (opens its keep-alive socket, JIT warms).
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    for (let k = 0; k < Math.max(2, Math.ceil(200 / clients)); k++) await http.cycle(resourceOf(i));
  }));
  let peak = rssMb(gateway.pid);
  const sampler = setInterval(() => { peak = Math.max(peak, rssMb(gateway.pid)); }, 50);
  const lat: number[] = [];
  let started = 0;
  const t0 = now();
  try {
    await Promise.all(Array.from({ length: clients }, async (_, i) => {
      while (started < cycles) {
        started++;
        const s = now();
        await http.cycle(resourceOf(i));
        lat.push(now() - s);
      }
    }));
  } finally {
    clearInterval(sampler);
    agent.destroy();
  }
  const elapsed = now() - t0;
  peak = Math.max(peak, rssMb(gateway.pid));
  lat.sort((a, b) => a - b);
  return { name, clients, resources: oneResource ? 1 : clients, cycles: lat.length, cyclesPerSec: lat.length / (elapsed / 1e9), p50Ms: pct(lat, 0.5), p99Ms: pct(lat, 0.99), rssPeakMb: peak };
}

/** Runs the three scenarios against a fresh gateway process and returns the figures. */
export async function runGatewayBench(connectString: string, cycles: number, root: string): Promise<GatewayBenchResult> {
  const gateway = await GatewayProcess.start({ connectString, root });
  try {
    const warm = new GatewayClient(gateway.port, new Agent({ keepAlive: false }));
    await warm.cycle('warm-up');
    const rssIdleMb = rssMb(gateway.pid);
    const scenarios = [
      await scenario(gateway, '1 client', 1, false, cycles, 'c1'),
      await scenario(gateway, '64 clients, distinct resources', 64, false, cycles, 'c64d'),
      await scenario(gateway, '64 clients, one resource', 64, true, cycles, 'c64o'),
    ];
    const listing = await warm.call('GET', '/locks');
    const left = ((listing.json as { locks?: Array<{ holders: number; waiters: number }> }).locks ?? [])
      .reduce((n, l) => n + l.holders + l.waiters, 0);
    if (left !== 0) throw new Error(`${left} lock nodes left under ${root} after the benchmark`);
    return { scenarios, rssIdleMb, rssAfterMb: rssMb(gateway.pid) };
  } finally {
    await gateway.stop();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/**
 * For `npm run bench`: `rounds` runs, each in a fresh process with a fresh gateway, on
 * `connectString`; returns the markdown section (medians) for RESULTS.md.
 */
export function gatewayBenchRows(connectString: string, rounds: number, cycles: number): string[] {
  const started = new Date();
  const loadBefore = loadavg()[0] ?? 0;
  const runs: GatewayBenchResult[] = [];
  for (let round = 0; round < rounds; round++) {
    const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), connectString, String(cycles), `/bench/gateway-${round}`],
      { encoding: 'utf8', timeout: 600_000 });
    const line = out.stdout.trim().split('\n').pop() ?? '';
    let result: GatewayBenchResult;
    try {
      result = JSON.parse(line) as GatewayBenchResult;
    } catch {
      throw new Error(`gateway benchmark round ${round + 1} failed: ${out.stderr}\n${out.stdout}`);
    }
    runs.push(result);
    for (const s of result.scenarios) {
      process.stderr.write(`gateway round ${round + 1}/${rounds} ${s.name}: ${s.cyclesPerSec.toFixed(0)}/s p50 ${s.p50Ms.toFixed(2)} ms p99 ${s.p99Ms.toFixed(2)} ms RSS peak ${s.rssPeakMb.toFixed(1)} MB\n`);
    }
  }
  const rows = [
    `\n${GATEWAY_HEADING} (${cycles} round trips per scenario)\n`,
    `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, `
      + `load average ${loadBefore.toFixed(1)} when it started; ${rounds} rounds, medians (\`${process.env.BENCH_ONLY ? `BENCH_ONLY=${process.env.BENCH_ONLY} ` : ''}npm run bench\`).\n`,
    '| scenario | round trips per second (median) | p50 ms | p99 ms | gateway RSS peak MB |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [i, first] of (runs[0]?.scenarios ?? []).entries()) {
    const all = runs.map((r) => r.scenarios[i]!);
    const med = (k: 'cyclesPerSec' | 'p50Ms' | 'p99Ms' | 'rssPeakMb'): number => median(all.map((s) => s[k]));
    rows.push(`| ${first.name} | ${med('cyclesPerSec').toFixed(0)} | ${med('p50Ms').toFixed(2)} | ${med('p99Ms').toFixed(2)} | ${med('rssPeakMb').toFixed(1)} |`);
  }
  rows.push(
    `- gateway RSS: ${median(runs.map((r) => r.rssIdleMb)).toFixed(1)} MB idle after start-up, ${median(runs.map((r) => r.rssAfterMb)).toFixed(1)} MB after the last scenario (medians)`,
    '- one round trip = POST /locks/<resource> (201) + DELETE <lock url> (204); on one resource it includes the wait in the queue',
    '- the gateway is its own Node process (`zkurator serve`); the HTTP clients share one other process, one keep-alive socket each (node:http Agent)',
    '- 1 client on one resource is the 1-client row: with one client the resource is never contended',
  );
  return rows;
}

const GATEWAY_HEADING = '### Gateway: lock + release round trips through `zkurator serve` over keep-alive HTTP';

/**
 * RESULTS.md with its gateway section replaced by `rows` (or added at the end), for a run of
 * the gateway workload alone: the other sections keep the figures of their own full run.
 */
export function withGatewaySection(results: string, rows: readonly string[]): string {
  const section = `${rows.join('\n').trim()}\n`;
  const start = results.indexOf(GATEWAY_HEADING);
  if (start === -1) return `${results.trimEnd()}\n\n${section}`;
  const next = results.indexOf('\n### ', start + GATEWAY_HEADING.length);
  return `${results.slice(0, start)}${section}${next === -1 ? '' : results.slice(next)}`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [connectString, cyclesArg, root] = process.argv.slice(2);
  if (connectString === undefined) throw new Error('usage: gateway-bench.js <connect> [cycles=2000] [root=/bench/gateway]');
  const result = await runGatewayBench(connectString, Number(cyclesArg ?? 2000), root ?? `/bench/gateway-${process.pid}`);
  console.log(JSON.stringify(result));
}
