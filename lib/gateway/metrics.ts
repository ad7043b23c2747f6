// The gateway's Prometheus metrics, rendered as the text exposition format (0.0.4) by hand:
// a handful of counters, gauges and one histogram do not need a client library.

/** How an acquire through the gateway ended. */
export type AcquireOutcome = 'acquired' | 'timeout' | 'cancelled' | 'error';

/** Upper bounds (seconds) of the wait-time histogram's buckets. */
const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] as const;

export class GatewayMetrics {
  private readonly acquires = new Map<AcquireOutcome, number>([['acquired', 0], ['timeout', 0], ['cancelled', 0], ['error', 0]]);
  private readonly bucketCounts = WAIT_BUCKETS.map(() => 0);
  private waitCount = 0;
  private waitSum = 0;
  private expired = 0;
  /** Acquires under way in this process right now. */
  waiting = 0;

  /** Counts one finished acquire and, when it got the lock, how long it waited. */
  acquireEnded(outcome: AcquireOutcome, waitedMs: number): void {
    this.acquires.set(outcome, (this.acquires.get(outcome) ?? 0) + 1);
    if (outcome !== 'acquired') return;
    const s = waitedMs / 1_000;
    WAIT_BUCKETS.forEach((bound, i) => { if (s <= bound) this.bucketCounts[i]! += 1; });
    this.waitCount += 1;
    this.waitSum += s;
  }

  /** Counts a lock deleted because its lifetime passed. */
  lockExpired(): void {
    this.expired += 1;
  }

  /** The exposition text; `held` is the number of locks this process holds now. */
  render(held: number, connected: boolean): string {
    const lines: string[] = [
      '# HELP zkurator_gateway_locks_held Locks this gateway process holds for HTTP clients.',
      '# TYPE zkurator_gateway_locks_held gauge',
      `zkurator_gateway_locks_held ${held}`,
      '# HELP zkurator_gateway_waiters HTTP requests of this process waiting for a lock.',
      '# TYPE zkurator_gateway_waiters gauge',
      `zkurator_gateway_waiters ${this.waiting}`,
      '# HELP zkurator_gateway_acquires_total Finished acquires, by outcome.',
      '# TYPE zkurator_gateway_acquires_total counter',
      ...[...this.acquires].map(([outcome, n]) => `zkurator_gateway_acquires_total{outcome="${outcome}"} ${n}`),
      '# HELP zkurator_gateway_expired_total Gateway locks this process deleted because their lifetime passed.',
      '# TYPE zkurator_gateway_expired_total counter',
      `zkurator_gateway_expired_total ${this.expired}`,
      '# HELP zkurator_gateway_wait_seconds Time from request to granted lock.',
      '# TYPE zkurator_gateway_wait_seconds histogram',
      ...WAIT_BUCKETS.map((bound, i) => `zkurator_gateway_wait_seconds_bucket{le="${bound}"} ${this.bucketCounts[i]}`),
      `zkurator_gateway_wait_seconds_bucket{le="+Inf"} ${this.waitCount}`,
      `zkurator_gateway_wait_seconds_sum ${this.waitSum}`,
      `zkurator_gateway_wait_seconds_count ${this.waitCount}`,
      '# HELP zkurator_gateway_zookeeper_connected 1 while the ZooKeeper session is connected.',
      '# TYPE zkurator_gateway_zookeeper_connected gauge',
      `zkurator_gateway_zookeeper_connected ${connected ? 1 : 0}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
