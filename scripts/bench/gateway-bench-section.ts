// The gateway section of RESULTS.md: the HTTP lock benchmark's medians for each contender
// (`zkurator serve`; etcd's lock API with a lease per client and with a lease per lock), the
// ratios zkurator / etcd per scenario, and the section's replacement in RESULTS.md when the
// gateway workload runs alone. Pure: figures in, markdown out.
import type { ScenarioResult, ServiceRunResult } from './http-lock-driver.js';

/** The contenders of the HTTP lock benchmark, in the order each round runs them. */
export const HTTP_CONTENDERS = ['zkurator', 'etcd-lease-per-client', 'etcd-lease-per-lock'] as const;
export type HttpContender = (typeof HTTP_CONTENDERS)[number];

/** How each contender is named in the tables. */
export const HTTP_CONTENDER_NAMES: Record<HttpContender, string> = {
  'zkurator': 'zkurator serve',
  'etcd-lease-per-client': 'etcd, lease per client',
  'etcd-lease-per-lock': 'etcd, lease per lock',
};

/** Everything the section says. */
export interface GatewaySectionInput {
  /** Round trips per scenario. */
  cycles: number;
  /** Round trips per scenario of each driver's unmeasured pass first (0: none). */
  warmupCycles: number;
  /** Every round's figures, per contender (each contender ran every round). */
  runs: Record<HttpContender, readonly ServiceRunResult[]>;
  startedAt: Date;
  loadBefore: number;
  loadAfter: number;
  /** e.g. "2 x AMD EPYC, node v20.20.2". */
  machine: string;
  /** e.g. "etcd Version: 3.4.23". */
  etcd: string;
  /** How the benchmark's ZooKeeper runs (version, config, JVM, warm-up). */
  zooKeeper: string;
  /** The command that ran it, e.g. "BENCH_ONLY=gateway npm run bench". */
  command: string;
  /** The library's own W1 rate (zkurator, uncontended acquire + release) when the same run measured it. */
  w1CyclesPerSec?: number;
}

/** The heading the section starts with (what withGatewaySection looks for; the rest of the line varies). */
export const GATEWAY_HEADING = '### Gateway: lock + release round trips through `zkurator serve` over keep-alive HTTP';

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

type Figure = 'cyclesPerSec' | 'p50Ms' | 'p99Ms' | 'rssPeakMb';

/** The median of one figure of scenario `i` over a contender's rounds. */
function med(runs: readonly ServiceRunResult[], i: number, k: Figure): number {
  return median(runs.map((r) => r.scenarios[i]).filter((s): s is ScenarioResult => s !== undefined).map((s) => s[k]));
}

const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
const rate = (x: number): string => Math.round(x).toLocaleString('en-US');

/** How many rounds the figures come from, in words: `3 rounds, medians`; one round has no median. */
export function roundsText(rounds: number): string {
  return rounds === 1 ? '1 round (its own figures, no median)' : `${rounds} rounds, medians`;
}

/** The markdown lines of the section (medians over the rounds). */
export function gatewaySection(input: GatewaySectionInput): string[] {
  const { runs } = input;
  const rounds = Math.min(...HTTP_CONTENDERS.map((c) => runs[c].length));
  const scenarios = (runs.zkurator[0]?.scenarios ?? []).map((s) => s.name);
  const lines = [
    `\n${GATEWAY_HEADING}, against etcd's lock API (${input.cycles} round trips per scenario)\n`,
    `Measured ${input.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${input.machine}, ${input.etcd}; `
      + `load average ${input.loadBefore.toFixed(1)} when it started, ${input.loadAfter.toFixed(1)} when it ended; `
      + `${rounds} round${rounds === 1 ? '' : 's'}, each running ${HTTP_CONTENDERS.map((c) => HTTP_CONTENDER_NAMES[c]).join(', then ')}${rounds === 1 ? ' (its own figures, no median)' : '; medians'} (\`${input.command}\`).\n`,
    `| scenario | ${HTTP_CONTENDERS.map((c) => HTTP_CONTENDER_NAMES[c]).join(' | ')} | zkurator / etcd (lease per client) | p99 zkurator / etcd (lease per client) |`,
    `|---|${HTTP_CONTENDERS.map(() => '---:').join('|')}|---:|---:|`,
  ];
  for (const [i, name] of scenarios.entries()) {
    const cell = (c: HttpContender): string => `${rate(med(runs[c], i, 'cyclesPerSec'))}/s, p50 ${med(runs[c], i, 'p50Ms').toFixed(2)} ms, p99 ${med(runs[c], i, 'p99Ms').toFixed(2)} ms`;
    lines.push(`| ${name} | ${HTTP_CONTENDERS.map(cell).join(' | ')} `
      + `| **${ratio(med(runs.zkurator, i, 'cyclesPerSec'), med(runs['etcd-lease-per-client'], i, 'cyclesPerSec'))}** `
      + `| ${ratio(med(runs.zkurator, i, 'p99Ms'), med(runs['etcd-lease-per-client'], i, 'p99Ms'))} |`);
  }
  lines.push('', '| contender | scenario | round trips per second (rounds) | p50 ms | p99 ms | server RSS peak MB |', '|---|---|---:|---:|---:|---:|');
  for (const c of HTTP_CONTENDERS) {
    for (const [i, name] of scenarios.entries()) {
      const each = runs[c].map((r) => rate(r.scenarios[i]?.cyclesPerSec ?? Number.NaN)).join(', ');
      lines.push(`| ${HTTP_CONTENDER_NAMES[c]} | ${name} | ${rate(med(runs[c], i, 'cyclesPerSec'))} (${each}) | ${med(runs[c], i, 'p50Ms').toFixed(2)} | ${med(runs[c], i, 'p99Ms').toFixed(2)} | ${med(runs[c], i, 'rssPeakMb').toFixed(1)} |`);
    }
  }
  const oneClient = scenarios.indexOf('1 client');
  if (input.w1CyclesPerSec !== undefined && oneClient !== -1) {
    const zk = med(runs.zkurator, oneClient, 'cyclesPerSec');
    lines.push(`- zkurator serve, 1 client, against the library's own W1 cycle in this run: ${ratio(zk, input.w1CyclesPerSec)} (${rate(zk)}/s vs ${rate(input.w1CyclesPerSec)}/s)`);
  }
  const rss = (k: 'rssIdleMb' | 'rssAfterMb'): string => median(runs.zkurator.map((r) => r[k])).toFixed(1);
  const etcdFirst = runs['etcd-lease-per-client'][0]?.rssIdleMb ?? Number.NaN;
  const etcdLast = runs['etcd-lease-per-lock'].at(-1)?.rssAfterMb ?? Number.NaN;
  lines.push(
    `- server RSS: zkurator serve ${rss('rssIdleMb')} MB after start-up, ${rss('rssAfterMb')} MB after the last scenario (medians; a fresh gateway each round; ZooKeeper's JVM not counted); `
      + `etcd ${etcdFirst.toFixed(1)} MB before the first etcd run, ${etcdLast.toFixed(1)} MB after the last (one etcd for every round: it stores the locks itself)`,
    '- one round trip: zkurator = POST /locks/<resource> {lifetime: 60, wait: 60} (201) + DELETE <Location> (204); '
      + 'etcd, lease per client = POST /v3/lock/lock {name, lease} + POST /v3/lock/unlock {key} (the lease granted once per client, not timed); '
      + 'etcd, lease per lock = POST /v3/lease/grant {TTL: 60} + POST /v3/lock/lock + POST /v3/lease/revoke; on one resource it includes the wait in the queue',
    `- same driver for every contender: one process, node:http keep-alive Agent with one socket per client; each contender's run is a fresh driver process (and for zkurator a fresh gateway), which ${input.warmupCycles === 0 ? 'measures at once (a few round trips per client first)' : `first runs the three scenarios unmeasured, ${rate(input.warmupCycles)} round trips each, so that the driver and the service are warm (JIT, heaps) as a long-running one is`}`,
    `- ${input.zooKeeper}; etcd with its defaults but --unsafe-no-fsync (as Debian's etcd.service runs it, fsync off as ZooKeeper's); the gateway (its own process), the servers and the load share the machine`,
    '- 1 client on one resource is the 1-client row: with one client the resource is never contended',
  );
  return lines;
}

/** The per-round lines the benchmark prints while it runs. */
export function roundLines(contender: HttpContender, round: number, rounds: number, result: ServiceRunResult): string[] {
  return result.scenarios.map((s) => `gateway round ${round}/${rounds} ${HTTP_CONTENDER_NAMES[contender]}, ${s.name}: ${s.cyclesPerSec.toFixed(0)}/s p50 ${s.p50Ms.toFixed(2)} ms p99 ${s.p99Ms.toFixed(2)} ms RSS peak ${s.rssPeakMb.toFixed(1)} MB`);
}

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
