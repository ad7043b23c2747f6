// The failover section of RESULTS.md: p50/p99 of the time without a leader, zkurator's
// LeaderLatch and Curator's side by side, and the section's replacement in RESULTS.md when the
// failover workload runs alone. Pure: figures in, markdown out.

/** The two contenders, in the order they run. */
export type FailoverContender = 'zkurator' | 'curator';

const NAMES: Record<FailoverContender, string> = { zkurator: 'zkurator LeaderLatch', curator: 'Curator 5.4.0 LeaderLatch' };

/** One contender's samples, in ms, one per measured round. */
export interface FailoverFigures {
  /** From the leader's close() call to the other member's isLeader. */
  close: readonly number[];
  /** From the moment the leader's connection went silent to the other member's isLeader. */
  lossTotal: readonly number[];
  /** From that moment to a third client hearing the leader's node is gone (the server's part). */
  lossServer: readonly number[];
  /** From a third client hearing the node is gone to the other member's isLeader (the member's part). */
  lossReaction: readonly number[];
}

/** Everything the section says. */
export interface FailoverSectionInput {
  figures: Record<FailoverContender, FailoverFigures>;
  startedAt: Date;
  loadBefore: number;
  loadAfter: number;
  /** e.g. "2 x AMD EPYC, node v20.20.2". */
  machine: string;
  sessionTimeoutMs: number;
  tickTimeMs: number;
  /** Rounds run first and not measured, per scenario. */
  warmUp: { close: number; loss: number };
  /** The command that ran it, e.g. "BENCH_ONLY=failover npm run bench". */
  command: string;
}

/** The heading the section starts with (what withFailoverSection looks for). */
export const FAILOVER_HEADING = '### Failover: LeaderLatch, from the leader\'s end to the next member\'s isLeader';

/**
 * The p-th percentile of samples (nearest rank: the smallest sample with at least p of them at
 * or below it), as the other workloads compute theirs. p99 of fewer than 100 rounds is the slowest.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))]!;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(2));

/** The markdown lines of the section. */
export function failoverSection(input: FailoverSectionInput): string[] {
  const { figures } = input;
  const cell = (xs: readonly number[]): string => `${fmt(percentile(xs, 0.5))} | ${fmt(percentile(xs, 0.99))}`;
  const closeN = figures.zkurator.close.length;
  const lossN = figures.zkurator.lossTotal.length;
  const lines = [
    `\n${FAILOVER_HEADING} (2 members, a process each)\n`,
    `Measured ${input.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${input.machine}; load average `
      + `${input.loadBefore.toFixed(1)} when it started, ${input.loadAfter.toFixed(1)} when it ended (\`${input.command}\`).\n`,
    '| contender | close() -> isLeader p50 ms | p99 ms | session loss -> isLeader p50 ms | p99 ms | of it, node gone -> isLeader p50 ms | p99 ms | of it, the server: silent -> node gone p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of ['zkurator', 'curator'] as const) {
    const f = figures[c];
    lines.push(`| ${NAMES[c]} | ${cell(f.close)} | ${cell(f.lossTotal)} | ${cell(f.lossReaction)} | ${cell(f.lossServer)} |`);
  }
  lines.push(
    `- close(): ${closeN} rounds per contender (after ${input.warmUp.close} not measured); the leader is told to close (stamped right before `
      + '`latch.close()`), the other member\'s isLeader listener stamps the end; then the closed member joins again, behind, and the roles swap. '
      + 'Each member is a process of its own (Node, or a JVM); stamps are CLOCK_MONOTONIC (process.hrtime, System.nanoTime).',
    `- session loss: ${lossN} rounds per contender (after ${input.warmUp.loss} not measured); each member connects through a TCP proxy, and the `
      + 'leader\'s stops forwarding (bytes dropped both ways, sockets open: a partitioned or frozen leader, the same for both clients) after '
      + 'it made one request at a random moment and half a session timeout and a random part of a tick of quiet followed (so the silence starts '
      + 'at a random point of the client\'s ping cadence, which runs from its latest request, and of the server\'s expiry ticks, alike for both), so the '
      + `server expires its session: session timeout ${input.sessionTimeoutMs} ms, tickTime ${input.tickTimeMs} ms (ZooKeeper expires sessions in ticks). `
      + 'A third client, not proxied, watching the leader\'s node, splits the time: until it hears the node is gone is the server\'s part '
      + '(expiry and notification: up to a session timeout after the last ping, rounded up to a tick), the rest is the member\'s own reaction.',
    '- p99 is the nearest-rank percentile: of fewer than 100 rounds, the slowest one.',
  );
  return lines;
}

/**
 * RESULTS.md with its failover section replaced by `rows` (or added at the end), for a run of
 * the failover workload alone: the other sections keep the figures of their own full run.
 */
export function withFailoverSection(results: string, rows: readonly string[]): string {
  const section = `${rows.join('\n').trim()}\n`;
  const start = results.indexOf(FAILOVER_HEADING);
  if (start === -1) return `${results.trimEnd()}\n\n${section}`;
  const next = results.indexOf('\n### ', start + FAILOVER_HEADING.length);
  return `${results.slice(0, start)}${section}${next === -1 ? '' : results.slice(next)}`;
}
