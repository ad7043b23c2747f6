// Per-client lock figures behind `client.metrics()`: gauges (held, waiting), counters by
// outcome, and wait and hold time percentiles over the latest samples. Kept with plain
// counters and two fixed rings, so recording costs a few stores whether or not anyone asks.

/** How many of the latest wait and hold times the percentiles are computed over. */
export const METRICS_SAMPLE_SIZE = 1024;

/** Percentiles of a set of durations, in ms (all 0 with no sample yet). */
export interface DurationSummary {
  /** Samples the figures are computed over (at most {@link METRICS_SAMPLE_SIZE}, the latest). */
  readonly count: number;
  /** Median, ms. */
  readonly p50: number;
  /** 90th percentile, ms. */
  readonly p90: number;
  /** 99th percentile, ms. */
  readonly p99: number;
  /** Longest, ms. */
  readonly max: number;
}

/** A snapshot of a client's locks (see `ZkClient.metrics()`). */
export interface LockMetricsSnapshot {
  /** Locks held right now (each node once, however many re-entrant leases share it). */
  readonly held: number;
  /** Acquires waiting (or creating their node) right now. */
  readonly waiting: number;
  /** Acquires since the client was made, by how they ended. Re-entries are not counted. */
  readonly acquires: {
    /** Obtained the lock. */
    readonly acquired: number;
    /** Gave up at the timeout (a busy try-lock included). */
    readonly timeout: number;
    /** Aborted through their signal. */
    readonly aborted: number;
    /** Failed otherwise (NoAuthError, client closed...). */
    readonly failed: number;
  };
  /** Holds that ended by release. */
  readonly released: number;
  /** Holds that ended by loss (session lost, node deleted, client closed). */
  readonly lost: number;
  /** Time from `acquire()` to the grant, for acquires that obtained the lock. */
  readonly waitMs: DurationSummary;
  /** Time from grant to release or loss. */
  readonly holdMs: DurationSummary;
  /**
   * The client's leader elections (LeaderLatch, LeaderSelector). A LeaderSelector is a mutex
   * too: its acquires and holds are also counted above.
   */
  readonly leadership: LeadershipMetrics;
}

/** Leader election figures of one client (see {@link LockMetricsSnapshot.leadership}). */
export interface LeadershipMetrics {
  /** Elections this client leads right now. */
  readonly leading: number;
  /** Terms begun since the client was made. */
  readonly gained: number;
  /** Terms ended (for any reason: the `zkurator:leader:lost` channel tells which). */
  readonly lost: number;
  /** Errors the recipes reported (`zkurator:leader:error`). */
  readonly errors: number;
  /** How long the latest terms lasted. */
  readonly termMs: DurationSummary;
}

/** The latest `METRICS_SAMPLE_SIZE` durations. */
class SampleRing {
  private readonly values = new Float64Array(METRICS_SAMPLE_SIZE);
  private next = 0;
  private size = 0;

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % METRICS_SAMPLE_SIZE;
    if (this.size < METRICS_SAMPLE_SIZE) this.size++;
  }

  summary(): DurationSummary {
    if (this.size === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = this.values.slice(0, this.size).sort();
    // nearest-rank percentile: the smallest sample with at least p% of samples at or below it
    const at = (p: number): number => sorted[Math.min(this.size - 1, Math.max(0, Math.ceil((p / 100) * this.size) - 1))]!;
    return { count: this.size, p50: at(50), p90: at(90), p99: at(99), max: sorted[this.size - 1]! };
  }
}

/** @internal The recorder a client keeps; the lock code calls it where things happen. */
export class LockMetrics {
  held = 0;
  waiting = 0;
  private readonly outcomes = { acquired: 0, timeout: 0, aborted: 0, failed: 0 };
  private releasedCount = 0;
  private lostCount = 0;
  private readonly waits = new SampleRing();
  private readonly holds = new SampleRing();
  private leading = 0;
  private gained = 0;
  private lostTerms = 0;
  leaderErrors = 0;
  private readonly terms = new SampleRing();

  acquireEnded(outcome: 'acquired' | 'timeout' | 'aborted' | 'failed', waitMs: number): void {
    this.waiting--;
    this.outcomes[outcome]++;
    if (outcome === 'acquired') this.waits.add(waitMs);
  }

  holdEnded(how: 'released' | 'lost', holdMs: number): void {
    this.held--;
    if (how === 'released') this.releasedCount++;
    else this.lostCount++;
    this.holds.add(holdMs);
  }

  leadershipGained(): void {
    this.leading++;
    this.gained++;
  }

  leadershipLost(termMs: number): void {
    this.leading--;
    this.lostTerms++;
    this.terms.add(termMs);
  }

  snapshot(): LockMetricsSnapshot {
    return {
      held: this.held,
      waiting: this.waiting,
      acquires: { ...this.outcomes },
      released: this.releasedCount,
      lost: this.lostCount,
      waitMs: this.waits.summary(),
      holdMs: this.holds.summary(),
      leadership: { leading: this.leading, gained: this.gained, lost: this.lostTerms, errors: this.leaderErrors, termMs: this.terms.summary() },
    };
  }
}
