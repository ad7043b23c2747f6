// etcd 3.4's own lock API as a contender of the HTTP lock benchmark, through its JSON gateway on
// the client port (paths under /v3/; 3.4 also answers /v3beta/, not /v3alpha/). A lock is held
// on a lease; two ways to use it:
// - a lease per client (etcd's cheapest way, what a long-lived client does): POST
//   /v3/lease/grant once per client, then per round trip POST /v3/lock/lock {name, lease} ->
//   {key} (blocks until granted) and POST /v3/lock/unlock {key};
// - a lease per lock (a lock that expires on its own, like a gateway lock's lifetime): per round
//   trip grant, lock, then POST /v3/lease/revoke {ID}, which deletes the lock key with the lease.
// etcd's JSON carries int64s (lease IDs, counts) as strings and bytes (names, keys) as base64.
import type { JsonAnswer, JsonHttp, LockClient, LockService } from './http-lock-driver.js';

/** How the benchmark's etcd clients hold their locks. */
export type EtcdLeaseUse = 'per-client' | 'per-lock';

/** Seconds. A lease per lock lives as long as a gateway lock (its lifetime). */
const LOCK_LEASE_TTL = 60;
/**
 * Seconds. A client's lease must outlive the client's scenario, or its locks fail: a real client
 * would send keep-alives, which a benchmark client does not need when the TTL outlasts the run.
 */
const CLIENT_LEASE_TTL = 600;

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The answer's JSON when the status is 200 and it has the string field `field`; throws otherwise. */
function field(what: string, answer: JsonAnswer, name: string): string {
  const value = (answer.json as Record<string, unknown> | null)?.[name];
  if (answer.status !== 200 || typeof value !== 'string') throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return value;
}

function ok(what: string, answer: JsonAnswer): void {
  if (answer.status !== 200) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.json)}`);
}

async function grant(http: JsonHttp, ttl: number): Promise<string> {
  return field('POST /v3/lease/grant', await http.call('POST', '/v3/lease/grant', { TTL: ttl }), 'ID');
}

async function revoke(http: JsonHttp, id: string): Promise<void> {
  ok(`POST /v3/lease/revoke ${id}`, await http.call('POST', '/v3/lease/revoke', { ID: id }));
}

async function lock(http: JsonHttp, name: string, lease: string): Promise<string> {
  return field(`POST /v3/lock/lock ${name}`, await http.call('POST', '/v3/lock/lock', { name: b64(name), lease }), 'key');
}

class LeasePerClient implements LockClient {
  constructor(private readonly http: JsonHttp, private readonly prefix: string, private readonly lease: string) {}

  async cycle(resource: string): Promise<void> {
    const key = await lock(this.http, `${this.prefix}${resource}`, this.lease);
    ok(`POST /v3/lock/unlock ${key}`, await this.http.call('POST', '/v3/lock/unlock', { key }));
  }

  close(): Promise<void> {
    return revoke(this.http, this.lease);
  }
}

class LeasePerLock implements LockClient {
  constructor(private readonly http: JsonHttp, private readonly prefix: string) {}

  async cycle(resource: string): Promise<void> {
    const lease = await grant(this.http, LOCK_LEASE_TTL);
    await lock(this.http, `${this.prefix}${resource}`, lease);
    await revoke(this.http, lease);
  }

  async close(): Promise<void> {
    // nothing kept between round trips
  }
}

export class EtcdLockService implements LockService {
  /**
   * @param prefix every lock name starts with it (and so every lock key: etcd's key is
   *   `<name>/<lease id in hex>`), so that the run can check nothing is left under it.
   */
  constructor(readonly port: number, readonly pid: number, private readonly leases: EtcdLeaseUse, private readonly prefix: string) {}

  async client(http: JsonHttp): Promise<LockClient> {
    return this.leases === 'per-client'
      ? new LeasePerClient(http, this.prefix, await grant(http, CLIENT_LEASE_TTL))
      : new LeasePerLock(http, this.prefix);
  }

  async assertNothingLeft(http: JsonHttp): Promise<void> {
    const end = Buffer.from(this.prefix, 'utf8');
    end[end.length - 1]! += 1; // the first key after every key with the prefix
    const keys = await http.call('POST', '/v3/kv/range', { key: b64(this.prefix), range_end: end.toString('base64'), count_only: true });
    ok('POST /v3/kv/range', keys);
    const count = Number((keys.json as { count?: string }).count ?? 0); // zero is left out of etcd's JSON
    const leases = await http.call('POST', '/v3/lease/leases', {});
    ok('POST /v3/lease/leases', leases);
    const live = (leases.json as { leases?: unknown[] }).leases ?? [];
    if (count !== 0 || live.length !== 0) throw new Error(`left on etcd after the run: ${count} keys under ${this.prefix}, ${live.length} leases`);
  }
}
