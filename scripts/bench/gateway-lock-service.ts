// `zkurator serve` as a contender of the HTTP lock benchmark, through its documented API only:
// POST /locks/{resource} {lifetime, wait} -> 201 + Location; DELETE <Location> -> 204; and,
// after the run, GET /locks to see that nothing is left.
import type { GatewayProcess } from '../../test/support/gateway-process.js';
import type { JsonHttp, LockClient, LockService } from './http-lock-driver.js';

/** Seconds: a lock's lifetime, and how long a POST may wait in the queue (one resource, 64 clients). */
const LIFETIME = 60;
const WAIT = 60;

class GatewayLockClient implements LockClient {
  constructor(private readonly http: JsonHttp) {}

  async cycle(resource: string): Promise<void> {
    const taken = await this.http.call('POST', `/locks/${resource}`, { lifetime: LIFETIME, wait: WAIT });
    const url = taken.headers.location;
    if (taken.status !== 201 || typeof url !== 'string') throw new Error(`POST /locks/${resource}: ${taken.status} ${JSON.stringify(taken.json)} (location ${String(url)})`);
    const released = await this.http.call('DELETE', url);
    if (released.status !== 204) throw new Error(`DELETE ${url}: ${released.status} ${JSON.stringify(released.json)}`);
  }

  async close(): Promise<void> {
    // nothing kept between round trips
  }
}

export class GatewayLockService implements LockService {
  constructor(private readonly gateway: GatewayProcess) {}

  get port(): number {
    return this.gateway.port;
  }

  get pid(): number {
    return this.gateway.pid;
  }

  async client(http: JsonHttp): Promise<LockClient> {
    return new GatewayLockClient(http);
  }

  async assertNothingLeft(http: JsonHttp): Promise<void> {
    const listing = await http.call('GET', '/locks');
    const locks = (listing.json as { locks?: Array<{ resource: string; holders: number; waiters: number }> } | null)?.locks;
    if (listing.status !== 200 || locks === undefined) throw new Error(`GET /locks: ${listing.status} ${JSON.stringify(listing.json)}`);
    const left = locks.filter((l) => l.holders + l.waiters > 0);
    if (left.length > 0) throw new Error(`locks left on the gateway after the run: ${JSON.stringify(left)}`);
  }
}
