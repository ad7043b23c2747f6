// The one HTTP driver of the lock-service benchmark, the same for every contender (`zkurator
// serve`, etcd's lock API): the same keep-alive agent (one socket per client), the same number
// of clients, the same warm-up, the same clock and the same JSON handling. A contender only says
// what one client does for one round trip (lock, then unlock) in its own API's words.
import { readFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export interface JsonAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body parsed when its content type is JSON, otherwise null. */
  json: unknown;
}

/** JSON over HTTP/1.1 to one loopback port, through the scenario's keep-alive agent. */
export class JsonHttp {
  constructor(private readonly port: number, private readonly agent: Agent) {}

  call(method: string, path: string, body?: unknown): Promise<JsonAnswer> {
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
          try {
            if (text.length > 0 && /json/.test(res.headers['content-type'] ?? '')) json = JSON.parse(text);
          } catch (err) {
            reject(new Error(`${method} ${path}: ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)} (${(err as Error).message})`));
            return;
          }
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** One benchmark client of a lock service, made for one scenario. */
export interface LockClient {
  /** One round trip on `resource`: take the lock, waiting as long as it takes, then release it. Measured. */
  cycle(resource: string): Promise<void>;
  /** Gives back what the client kept between round trips (etcd: its lease). Not measured. */
  close(): Promise<void>;
}

/** A lock service reachable over HTTP on loopback: one contender. */
export interface LockService {
  readonly port: number;
  /** The process serving the HTTP API, whose resident set size is sampled. */
  readonly pid: number;
  /** Makes one client (for etcd with a lease per client: grants its lease). Not measured. */
  client(http: JsonHttp): Promise<LockClient>;
  /** Throws when a lock (or anything else the run made) is left on the service after the run. */
  assertNothingLeft(http: JsonHttp): Promise<void>;
}

/** One measured scenario. */
export interface ScenarioResult {
  name: string;
  clients: number;
  resources: number;
  cycles: number;
  cyclesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** The serving process's highest RSS seen during the scenario. */
  rssPeakMb: number;
}

/** One run of the three scenarios against one service (one line of a driver process's output). */
export interface ServiceRunResult {
  scenarios: ScenarioResult[];
  /** The serving process's RSS after one warm-up round trip, before the first scenario. */
  rssIdleMb: number;
  /** The serving process's RSS after the last scenario, every lock released. */
  rssAfterMb: number;
}

const now = (): number => Number(process.hrtime.bigint());

/** Resident set size of a process (Linux /proc), in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

/** The p-th quantile (0..1) of sorted nanosecond latencies, in ms (nearest rank). */
export function percentileMs(sortedNs: readonly number[], p: number): number {
  if (sortedNs.length === 0) return 0;
  return sortedNs[Math.max(0, Math.min(sortedNs.length - 1, Math.ceil(p * sortedNs.length) - 1))]! / 1e6;
}

async function scenario(service: LockService, name: string, clients: number, oneResource: boolean, cycles: number, tag: string): Promise<ScenarioResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const http = new JsonHttp(service.port, agent);
  const resourceOf = (i: number): string => (oneResource ? `${tag}-one` : `${tag}-r${i}`);
  const lockClients = await Promise.all(Array.from({ length: clients }, () => service.client(http)));
  try {
    // Warm-up: every client does a few round trips (opens its keep-alive socket, JIT warms).
    await Promise.all(lockClients.map(async (c, i) => {
      for (let k = 0; k < Math.max(2, Math.ceil(200 / clients)); k++) await c.cycle(resourceOf(i));
    }));
    let peak = rssMb(service.pid);
    const sampler = setInterval(() => { peak = Math.max(peak, rssMb(service.pid)); }, 50);
    const lat: number[] = [];
    let started = 0;
    const t0 = now();
    try {
      await Promise.all(lockClients.map(async (c, i) => {
        while (started < cycles) {
          started++;
          const s = now();
          await c.cycle(resourceOf(i));
          lat.push(now() - s);
        }
      }));
    } finally {
      clearInterval(sampler);
    }
    const elapsed = now() - t0;
    peak = Math.max(peak, rssMb(service.pid));
    lat.sort((a, b) => a - b);
    return { name, clients, resources: oneResource ? 1 : clients, cycles: lat.length, cyclesPerSec: lat.length / (elapsed / 1e9), p50Ms: percentileMs(lat, 0.5), p99Ms: percentileMs(lat, 0.99), rssPeakMb: peak };
  } finally {
    await Promise.all(lockClients.map((c) => c.close()));
    agent.destroy();
  }
}

/** The three scenarios, in the order they run: name, clients, all on one resource. */
const SCENARIOS: ReadonlyArray<{ name: string; key: string; clients: number; oneResource: boolean }> = [
  { name: '1 client', key: 'c1', clients: 1, oneResource: false },
  { name: '64 clients, distinct resources', key: 'c64d', clients: 64, oneResource: false },
  { name: '64 clients, one resource', key: 'c64o', clients: 64, oneResource: true },
];

/**
 * The three scenarios, one after another, against `service`: 1 client; 64 clients on distinct
 * resources; 64 clients on one resource. Resource names start with `tag` (letters, digits, `-`).
 * With `warmupCycles`, the three first run that many round trips each, not measured: the driver
 * and the service (a fresh gateway's JIT; etcd's heap) reach their steady state before the
 * measured pass, as a long-running service is, the same for every contender.
 */
export async function runScenarios(service: LockService, cycles: number, tag: string, warmupCycles = 0): Promise<ServiceRunResult> {
  const once = new JsonHttp(service.port, new Agent({ keepAlive: false }));
  const warm = await service.client(once);
  await warm.cycle(`${tag}-warm-up`);
  await warm.close();
  const rssIdleMb = rssMb(service.pid);
  if (warmupCycles > 0) {
    for (const s of SCENARIOS) await scenario(service, s.name, s.clients, s.oneResource, warmupCycles, `${tag}-w${s.key}`);
  }
  const scenarios: ScenarioResult[] = [];
  for (const s of SCENARIOS) scenarios.push(await scenario(service, s.name, s.clients, s.oneResource, cycles, `${tag}-${s.key}`));
  await service.assertNothingLeft(once);
  return { scenarios, rssIdleMb, rssAfterMb: rssMb(service.pid) };
}
