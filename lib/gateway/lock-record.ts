// What a gateway lock URL needs, kept in the lock node's own data as a small JSON record, so
// that any gateway instance on the ensemble can serve GET, DELETE and refresh for it, and
// enforce its expiry, without asking the instance that took it.
import { randomBytes } from 'node:crypto';
import { GATEWAY_NODE_MARKER } from '../locks/lock-inspector.js';

/**
 * The lock kinds the gateway offers: a Mutex (with maxLeases: Curator's v1 semaphore), one half
 * of a ReadWriteLock, or one lease of a Semaphore (Curator's InterProcessSemaphoreV2).
 */
export type LockMode = 'mutex' | 'read' | 'write' | 'semaphore';

/** The JSON record in a gateway lock node's data. */
export interface LockRecord {
  /** Always true: marks the node as the gateway's (lock-inspector.ts classifies by it). */
  readonly [GATEWAY_NODE_MARKER]: true;
  /** Random, second half of the lock's id: a lock URL names one node, never a later one. */
  readonly key: string;
  readonly title: string;
  readonly mode: LockMode;
  readonly maxLeases: number;
  /** Seconds; 0 = until released. */
  readonly lifetime: number;
  /** ISO-8601; null while the node still waits in the queue. */
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
  readonly id: string;
  readonly resource: string;
  readonly url: string;
  readonly node: string;
  readonly mode: LockMode;
  readonly maxLeases: number;
  readonly title: string;
  readonly fencingToken: string;
  readonly state: 'held';
  readonly acquiredAt: string;
  readonly lifetime: number;
  readonly expiresAt: string | null;
}

/** A fresh record key: 12 hex digits. */
export function newRecordKey(): string {
  return randomBytes(6).toString('hex');
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
  if (typeof r !== 'object' || r === null || r[GATEWAY_NODE_MARKER] !== true || typeof r.key !== 'string' || typeof r.title !== 'string'
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

/** The lock id in URLs: `<the node's ten-digit sequence>-<record key>`. */
export function lockId(sequence: string, key: string): string {
  return `${sequence}-${key}`;
}

const LOCK_ID_RE = /^(-?\d{10})-([0-9a-f]{12})$/;

/** Splits a lock id; undefined when it cannot be one. */
export function parseLockId(id: string): { sequence: string; key: string } | undefined {
  const m = LOCK_ID_RE.exec(id);
  return m ? { sequence: m[1]!, key: m[2]! } : undefined;
}

/** The LockView of a granted gateway lock node. */
export function lockView(resource: string, node: string, sequence: string, record: LockRecord, czxid: bigint): LockView {
  const id = lockId(sequence, record.key);
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
