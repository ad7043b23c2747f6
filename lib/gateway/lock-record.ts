// What a gateway lock URL needs, kept in the lock node's own data as a small JSON record, so
// that any gateway instance on the ensemble can serve GET, DELETE and refresh for it, and
// enforce its expiry, without asking the instance that took it; and the lock id, which names
// the node itself, so that a lock URL leads to its node without a listing.
import { GATEWAY_NODE_MARKER } from '../locks/lock-inspector.js';
import { MUTEX_LOCK_NAME } from '../locks/engine/lock-driver.js';
import { protectedPrefixOf, sequenceOf } from '../locks/engine/lock-node-name.js';
import { READ_LOCK_NAME, WRITE_LOCK_NAME } from '../locks/engine/read-lock-driver.js';
import { LEASE_NAME, SEMAPHORE_LEASES } from '../locks/semaphore.js';

/**
 * The lock kinds the gateway offers: a Mutex (with maxLeases: Curator's v1 semaphore), one half
 * of a ReadWriteLock, or one lease of a Semaphore (Curator's InterProcessSemaphoreV2).
 */
export type LockMode = 'mutex' | 'read' | 'write' | 'semaphore';

/** The JSON record in a gateway lock node's data. */
export interface LockRecord {
  /** Always true: marks the node as the gateway's (lock-inspector.ts classifies by it). */
  readonly [GATEWAY_NODE_MARKER]: true;
  /**
   * Set by earlier gateways only: a random key that was the second half of the lock id. The id
   * now carries the node's own random protected prefix instead (see {@link lockIdOf}).
   */
  readonly key?: string;
  /** The title the request gave. */
  readonly title: string;
  /** `mutex`, `read`, `write` or `semaphore`. */
  readonly mode: LockMode;
  /** Holders allowed at once (mutex and semaphore modes). */
  readonly maxLeases: number;
  /** Seconds; 0 = until released. */
  readonly lifetime: number;
  /**
   * ISO-8601; null while the node waits in the queue. A node is created with the times of a
   * grant at its create (most are granted there); one that must wait is rewritten with nulls at
   * once, and with its grant's times when granted.
   */
  readonly acquiredAt: string | null;
  /** ISO-8601; null while waiting or for lifetime 0. */
  readonly expiresAt: string | null;
  /** The gateway process that took it (`host:pid`). */
  readonly instance: string;
  /** The busy-wait API's `host`, for pool locks. */
  readonly host?: string;
}

/** A LockView: a lock taken through the gateway, as the API shows it. */
export interface LockView {
  /** The lock id (the last part of its URL). */
  readonly id: string;
  /** The resource name. */
  readonly resource: string;
  /** The lock's URL path, served by any gateway instance. */
  readonly url: string;
  /** The lock node's full ZooKeeper path. */
  readonly node: string;
  /** `mutex`, `read`, `write` or `semaphore`. */
  readonly mode: LockMode;
  /** Holders allowed at once (mutex and semaphore modes). */
  readonly maxLeases: number;
  /** The title the request gave. */
  readonly title: string;
  /** The lock node's czxid, as a decimal string. */
  readonly fencingToken: string;
  /** Always `held`: a lock view is of a granted lock. */
  readonly state: 'held';
  /** When the lock was granted (ISO 8601). */
  readonly acquiredAt: string;
  /** Lifetime in seconds (0: until released). */
  readonly lifetime: number;
  /** When it expires unless refreshed (ISO 8601); null for a lifetime of 0. */
  readonly expiresAt: string | null;
}

export function encodeRecord(record: LockRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

const MODES: readonly string[] = ['mutex', 'read', 'write', 'semaphore'];

/** The record in a node's data, or undefined when the node is not a gateway lock node. */
export function decodeRecord(data: Buffer | string): LockRecord | undefined {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  if (!text.startsWith('{')) return undefined;
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const isDate = (v: unknown): boolean => v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
  if (typeof r !== 'object' || r === null || r[GATEWAY_NODE_MARKER] !== true || (r.key !== undefined && typeof r.key !== 'string') || typeof r.title !== 'string'
    || typeof r.mode !== 'string' || !MODES.includes(r.mode) || typeof r.maxLeases !== 'number' || typeof r.lifetime !== 'number'
    || !isDate(r.acquiredAt) || !isDate(r.expiresAt) || typeof r.instance !== 'string' || (r.host !== undefined && typeof r.host !== 'string')) {
    return undefined;
  }
  return r as unknown as LockRecord;
}

/** True once the record's lifetime has passed (by this process's clock). */
export function isExpired(record: LockRecord, now = Date.now()): boolean {
  return record.expiresAt !== null && Date.parse(record.expiresAt) <= now;
}

/** The letter in a lock id for the kind of node, and that node's lock name. */
const KINDS = { m: MUTEX_LOCK_NAME, r: READ_LOCK_NAME, w: WRITE_LOCK_NAME, s: LEASE_NAME } as const;
type KindLetter = keyof typeof KINDS;

/** A lock id taken apart: what names its node under the resource's path. */
export interface LockIdParts {
  readonly sequence: string;
  readonly kind: KindLetter;
  /** The node's protected prefix's UUID, as 32 hex digits. */
  readonly uuid: string;
}

const LOCK_ID_RE = /^(-?\d{10})-([mrws])([0-9a-f]{32})$/;

/**
 * The lock id of a gateway node, from its path: `<sequence>-<kind><uuid>`, where `kind` is
 * `m` (mutex), `r` (read), `w` (write) or `s` (semaphore lease, under `leases/`) and `uuid` the
 * 32 hex digits of the node's random protected prefix: the id names exactly one node (a later
 * node on the resource has another UUID), so its URL leads to it without a listing.
 * Undefined for a node whose name is not a protected lock node name.
 */
export function lockIdOf(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const prefix = protectedPrefixOf(name);
  if (!prefix) return undefined;
  const rest = name.slice(prefix.length);
  const inLeases = path.slice(path.lastIndexOf('/', slash - 1) + 1, slash) === SEMAPHORE_LEASES;
  const kind = (Object.keys(KINDS) as KindLetter[]).find((k) => rest.startsWith(KINDS[k]) && (k === 's') === inLeases);
  const sequence = sequenceOf(name, [KINDS[kind ?? 'm']]);
  if (!kind || !sequence || rest !== `${KINDS[kind]}${sequence}`) return undefined;
  return `${sequence}-${kind}${prefix.slice(3, -1).replaceAll('-', '')}`;
}

/** Splits a lock id; undefined when it cannot be one. */
export function parseLockId(id: string): LockIdParts | undefined {
  const m = LOCK_ID_RE.exec(id);
  return m ? { sequence: m[1]!, kind: m[2] as KindLetter, uuid: m[3]! } : undefined;
}

/** The path of the node a lock id names, under the resource's lock path `base`. */
export function nodePathOf(base: string, id: LockIdParts): string {
  const u = id.uuid;
  const name = `_c_${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}-${KINDS[id.kind]}${id.sequence}`;
  return id.kind === 's' ? `${base}/${SEMAPHORE_LEASES}/${name}` : `${base}/${name}`;
}

/** The mode a lock id's kind letter stands for (a lease: `semaphore`). */
export function modeOfId(id: LockIdParts): LockMode {
  return id.kind === 'm' ? 'mutex' : id.kind === 'r' ? 'read' : id.kind === 'w' ? 'write' : 'semaphore';
}

/** The LockView of a granted gateway lock node (its id from the node's path). */
export function lockView(resource: string, node: string, record: LockRecord, czxid: bigint): LockView {
  const id = lockIdOf(node) ?? '';
  return {
    id,
    resource,
    url: `/locks/${resource}/${id}`,
    node,
    mode: record.mode,
    maxLeases: record.maxLeases,
    title: record.title,
    fencingToken: czxid.toString(),
    state: 'held',
    acquiredAt: record.acquiredAt ?? new Date(0).toISOString(),
    lifetime: record.lifetime,
    expiresAt: record.expiresAt,
  };
}
