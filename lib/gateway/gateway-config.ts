// The gateway's settings: limits on lifetimes and waits, the busy-wait pools, and where locks
// live. The same shape comes from createGateway()'s options and from `zkurator serve --config`
// (a JSON file); both are checked here, in full, before anything listens or touches ZooKeeper.
import { hostname } from 'node:os';
import { describeValue } from '../util/describe-value.js';
import { ValidationError } from '../errors.js';
import { validateLockPath } from '../locks/engine/lock-path.js';

/** A busy-wait pool (`/get/?host=H&pool=P`): a lock that up to `size` hosts hold at once. */
export interface PoolSettings {
  /** Lifetime in seconds of a pool lock taken with `/get/` or `/wait/` (the old server's `expire`). 0 = until released (needs `lifetime.unlimited`). */
  readonly expire: number;
  /** Hosts that may hold the pool at once (default 1). */
  readonly size: number;
}

/** Settings of a gateway, as written in the config file (every key optional). */
export interface GatewaySettingsInput {
  /** The ZooKeeper path under which each resource is a lock path (default `/locks`). */
  root?: string;
  /** Seconds: `default` when a request names none (60), `max` allowed (3600), `unlimited`: whether 0 (= until released) is allowed (false). */
  lifetime?: {
    /** Seconds a lock lives when its request names none (60). */
    default?: number;
    /** Largest lifetime allowed, in seconds (3600). */
    max?: number;
    /** Whether 0 (until released) is allowed (false). */
    unlimited?: boolean;
  };
  /** Seconds a POST may wait for the lock: `default` when it names none (0: try once), `max` allowed (300). */
  wait?: {
    /** Seconds a POST waits when it names none (0: try once). */
    default?: number;
    /** Largest wait allowed, in seconds (300). */
    max?: number;
  };
  /** Largest request body in bytes (default 16384). */
  bodyLimit?: number;
  /** Seconds between sweeps that delete expired gateway locks of any instance (default 5). */
  reapInterval?: number;
  /**
   * Busy-wait pools by name, e.g. `{ "deploy": { "expire": 600 } }`. Omitted: any pool name is
   * accepted, with the default lifetime and size 1. Given: only these pools exist.
   */
  pools?: Record<string, {
    /** Seconds a pool's lock lives (the default lifetime). */
    expire?: number;
    /** Holders at once (1). */
    size?: number;
  }>;
}

/** Checked, complete settings. */
export interface GatewaySettings {
  /** The ZooKeeper path under which each resource is a lock path. */
  readonly root: string;
  /** Seconds a lock lives when its request names no lifetime. */
  readonly defaultLifetime: number;
  /** Largest lifetime a request may ask for, in seconds. */
  readonly maxLifetime: number;
  /** Whether a lifetime of 0 (until released) is allowed. */
  readonly unlimitedLifetime: boolean;
  /** Seconds a POST waits when it names no wait (0: try once). */
  readonly defaultWait: number;
  /** Largest wait a POST may ask for, in seconds. */
  readonly maxWait: number;
  /** Largest request body, in bytes. */
  readonly bodyLimit: number;
  /** Milliseconds between sweeps that delete expired gateway locks. */
  readonly reapIntervalMs: number;
  /** undefined: any pool name, default lifetime, size 1. */
  readonly pools: ReadonlyMap<string, PoolSettings> | undefined;
  /** Written into each lock's record: which gateway process took it. */
  readonly instance: string;
}

/** Resource and pool names: what fits one ZooKeeper path segment and a URL without escaping. */
export const RESOURCE_NAME_RE = /^[A-Za-z0-9._-]{1,200}$/;
/** The most seconds any lifetime or wait may be set to, whatever the config says (one year). */
const HARD_MAX_SECONDS = 31_536_000;

/** True for a usable resource (or pool) name: `[A-Za-z0-9._-]{1,200}`, not `.` or `..`. */
export function isResourceName(name: string): boolean {
  return RESOURCE_NAME_RE.test(name) && name !== '.' && name !== '..';
}

function seconds(value: unknown, what: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > HARD_MAX_SECONDS) {
    throw new ValidationError(`${what} must be a number of seconds from ${min} to ${HARD_MAX_SECONDS}, got ${describeValue(value)}`);
  }
  return value;
}

function integer(value: unknown, what: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${what} must be an integer from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

function objectOf(value: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(`${what} must be an object, got ${describeValue(value)}`);
  const unknown = Object.keys(value).filter((k) => !keys.includes(k));
  if (unknown.length > 0) throw new ValidationError(`${what} has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${keys.join(', ')})`);
  return value as Record<string, unknown>;
}

const TOP_KEYS = ['root', 'lifetime', 'wait', 'bodyLimit', 'reapInterval', 'pools'] as const;

/** Checks settings (from options or a config file) and fills in the defaults. @throws ValidationError */
export function resolveSettings(input: unknown, source = 'gateway settings'): GatewaySettings {
  const top = objectOf(input, source, TOP_KEYS);
  const lifetime = objectOf(top.lifetime, `${source}: lifetime`, ['default', 'max', 'unlimited']);
  const wait = objectOf(top.wait, `${source}: wait`, ['default', 'max']);
  const unlimited = lifetime.unlimited ?? false;
  if (typeof unlimited !== 'boolean') throw new ValidationError(`${source}: lifetime.unlimited must be true or false, got ${describeValue(unlimited)}`);
  const maxLifetime = seconds(lifetime.max, `${source}: lifetime.max`, 3_600, 1);
  const defaultLifetime = seconds(lifetime.default, `${source}: lifetime.default`, Math.min(60, maxLifetime));
  if (defaultLifetime > maxLifetime) throw new ValidationError(`${source}: lifetime.default (${defaultLifetime}) is more than lifetime.max (${maxLifetime})`);
  if (defaultLifetime === 0 && !unlimited) throw new ValidationError(`${source}: lifetime.default 0 (until released) needs lifetime.unlimited: true`);
  const maxWait = seconds(wait.max, `${source}: wait.max`, 300);
  const defaultWait = seconds(wait.default, `${source}: wait.default`, 0);
  if (defaultWait > maxWait) throw new ValidationError(`${source}: wait.default (${defaultWait}) is more than wait.max (${maxWait})`);
  let root: string;
  try {
    root = validateLockPath(top.root ?? '/locks');
  } catch (err) {
    throw new ValidationError(`${source}: root: ${(err as Error).message}`);
  }
  let pools: Map<string, PoolSettings> | undefined;
  if (top.pools !== undefined) {
    pools = new Map();
    for (const [name, raw] of Object.entries(objectOf(top.pools, `${source}: pools`, Object.keys(top.pools as object)))) {
      if (!isResourceName(name)) throw new ValidationError(`${source}: pool name ${JSON.stringify(name)} must match [A-Za-z0-9._-]{1,200} and not be . or ..`);
      const pool = objectOf(raw, `${source}: pools.${name}`, ['expire', 'size']);
      const expire = seconds(pool.expire, `${source}: pools.${name}.expire`, defaultLifetime);
      if (expire > maxLifetime) throw new ValidationError(`${source}: pools.${name}.expire (${expire}) is more than lifetime.max (${maxLifetime})`);
      if (expire === 0 && !unlimited) throw new ValidationError(`${source}: pools.${name}.expire 0 (until released) needs lifetime.unlimited: true`);
      pools.set(name, { expire, size: integer(pool.size, `${source}: pools.${name}.size`, 1, 1, 10_000) });
    }
  }
  return {
    root,
    defaultLifetime,
    maxLifetime,
    unlimitedLifetime: unlimited,
    defaultWait,
    maxWait,
    bodyLimit: integer(top.bodyLimit, `${source}: bodyLimit`, 16_384, 256, 1_048_576),
    reapIntervalMs: Math.round(seconds(top.reapInterval, `${source}: reapInterval`, 5, 0.05) * 1_000),
    pools,
    instance: `${hostname()}:${process.pid}`,
  };
}

/**
 * Parses the text of a config file (JSON); `overrides` (command-line options) win over it.
 * @throws ValidationError naming the file
 */
export function parseSettingsFile(text: string, file: string, overrides: GatewaySettingsInput = {}): GatewaySettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValidationError(`${file}: must hold a JSON object, got ${describeValue(parsed)}`);
  return resolveSettings({ ...parsed, ...overrides }, file);
}
