// Which server to try next: the connect string's hosts, shuffled once (so many clients spread
// over an ensemble), then taken round-robin; after a whole round without a session, a short
// randomised pause so a dead ensemble is not hammered (as StaticHostProvider does).
import type { HostAddress } from './connect-string.js';

export class HostProvider {
  private readonly hosts: HostAddress[];
  private index = -1;
  /** Attempts since the last successful connection. */
  private failures = 0;

  constructor(hosts: readonly HostAddress[], random: () => number = Math.random) {
    this.hosts = [...hosts];
    for (let i = this.hosts.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [this.hosts[i], this.hosts[j]] = [this.hosts[j]!, this.hosts[i]!];
    }
  }

  get size(): number {
    return this.hosts.length;
  }

  /**
   * The next host, and how long to wait before trying it: 0 within a round, a randomised
   * pause (growing with the failed rounds, at most a second) when a round has gone by.
   */
  next(random: () => number = Math.random): { host: HostAddress; delayMs: number } {
    this.index = (this.index + 1) % this.hosts.length;
    const rounds = Math.floor(this.failures / this.hosts.length);
    const roundDone = this.failures > 0 && this.failures % this.hosts.length === 0;
    this.failures++;
    const delayMs = roundDone ? Math.round(Math.min(1000, 50 * 2 ** Math.min(rounds, 5)) * (0.5 + random() / 2)) : 0;
    return { host: this.hosts[this.index]!, delayMs };
  }

  /** A session was established: the next failure starts a fresh round. */
  connected(): void {
    this.failures = 0;
  }
}
