// Validation of lock paths and options. Runs before any ZooKeeper call, so bad input never
// leaves a node, a watch or a timer behind (fault scenario F17).
import { describeValue } from './describe-value.js';
import { ValidationError } from './errors.js';

/**
 * Checks a lock path the way ZooKeeper's PathUtils does, plus what makes no sense for a lock:
 * absolute, no trailing or doubled slash, no `.`/`..` segment, no control characters
 * (ZooKeeper rejects \u0000-\u001f, \u007f-\u009f and some others), not the root and not
 * under the reserved `/zookeeper` tree.
 */
export function validateLockPath(path: unknown): string {
  if (typeof path !== 'string') throw new ValidationError(`lock path must be a string, got ${typeof path}`);
  const shown = JSON.stringify(path);
  if (path.length === 0) throw new ValidationError('lock path must not be empty');
  if (!path.startsWith('/')) throw new ValidationError(`lock path must be absolute (start with "/"), got ${shown}`);
  if (path === '/') throw new ValidationError('lock path must not be the root "/"');
  if (path.endsWith('/')) throw new ValidationError(`lock path must not end with "/", got ${shown}`);
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') throw new ValidationError(`lock path must not contain an empty segment ("//"), got ${shown}`);
    if (segment === '.' || segment === '..') {
      throw new ValidationError(`lock path must not contain "." or ".." segments, got ${shown}`);
    }
  }
  for (const ch of path) {
    const c = ch.codePointAt(0) ?? 0;
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      throw new ValidationError(`lock path contains a character ZooKeeper does not allow (U+${c.toString(16).padStart(4, '0')}), got ${shown}`);
    }
  }
  if (path === '/zookeeper' || path.startsWith('/zookeeper/')) {
    throw new ValidationError(`lock path must not be under the reserved /zookeeper tree, got ${shown}`);
  }
  return path;
}

/** maxLeases: a positive safe integer. */
export function validateMaxLeases(maxLeases: unknown): number {
  if (typeof maxLeases !== 'number' || !Number.isSafeInteger(maxLeases) || maxLeases < 1) {
    throw new ValidationError(`maxLeases must be an integer >= 1, got ${describeValue(maxLeases)}`);
  }
  return maxLeases;
}

/**
 * timeout in ms: undefined or Infinity (wait forever), 0 (try-lock) or any positive number;
 * returns undefined for "forever". Any length is honoured (timers are chained past setTimeout's
 * 2**31-1 ms limit).
 */
export function validateTimeout(timeout: unknown): number | undefined {
  if (timeout === undefined || timeout === Infinity) return undefined;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
    throw new ValidationError(`timeout must be a number of milliseconds >= 0 (or omitted to wait forever), got ${describeValue(timeout)}`);
  }
  return timeout;
}

/** signal: undefined or an AbortSignal. */
export function validateSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw new ValidationError(`signal must be an AbortSignal, got ${describeValue(signal)}`);
  return signal;
}

/** onQueued: undefined or a function. */
export function validateOnQueued<T>(callback: T): T | undefined {
  if (callback === undefined) return undefined;
  if (typeof callback !== 'function') throw new ValidationError(`onQueued must be a function, got ${describeValue(callback)}`);
  return callback;
}

/** lossPolicy: 'suspended' or 'lost'. */
export function validateLossPolicy(policy: unknown): 'suspended' | 'lost' {
  if (policy !== 'suspended' && policy !== 'lost') {
    throw new ValidationError(`lossPolicy must be 'suspended' or 'lost', got ${describeValue(policy)}`);
  }
  return policy;
}
