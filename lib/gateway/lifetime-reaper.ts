// The sweep that enforces lifetimes from the data, for every gateway instance's locks: each
// instance expires its own locks on time with a timer (gateway-locks.ts); this sweep catches
// the rest, such as the locks of an instance that is alive but stalled (a long pause, a
// blocked event loop). An instance that died needs nothing: its session's nodes go with it.
// The delete is conditional on the data version it read, so a refresh in between wins.
import { NoNodeError } from '../errors.js';
import { isResourceName } from './gateway-config.js';
import type { GatewayLocks } from './gateway-locks.js';
import { decodeRecord, isExpired } from './lock-record.js';

export class LifetimeReaper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly locks: GatewayLocks, private readonly intervalMs: number) {}

  start(): void {
    this.stopped = false;
    this.arm();
  }

  /** Stops the sweeps and waits for one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweepOnce().then(() => undefined, () => undefined).finally(() => { this.sweeping = undefined; this.arm(); });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One pass over every resource under the root; resolves how many locks it expired. */
  async sweepOnce(): Promise<number> {
    const { client } = this.locks;
    const root = this.locks.settings.root;
    let resources: string[];
    try {
      resources = (await client.getChildren(root)).filter(isResourceName);
    } catch (err) {
      if (err instanceof NoNodeError) return 0;
      throw err;
    }
    let expired = 0;
    for (const resource of resources) {
      if (this.stopped) break;
      const base = `${root}/${resource}`;
      let children: string[];
      try {
        children = await this.locks.lockChildren(base); // a semaphore's leases too
      } catch (err) {
        if (err instanceof NoNodeError) continue;
        throw err;
      }
      await Promise.all(children.map(async (name) => {
        try {
          const { data, stat } = await client.getData(`${base}/${name}`);
          const record = decodeRecord(data);
          if (record && isExpired(record) && await this.locks.expire(`${base}/${name}`, stat.version)) expired += 1;
        } catch (err) {
          if (!(err instanceof NoNodeError)) throw err;
        }
      }));
    }
    return expired;
  }
}
