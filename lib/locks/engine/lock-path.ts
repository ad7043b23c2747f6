// Validation of lock paths and options. Runs before any ZooKeeper call, so bad input never
// leaves a node, a watch or a timer behind (fault scenario F17).
import { describeValue } from '../../util/describe-value.js';
import { ValidationError } from '../../errors.js';
import { refusedByZooKeeper } from '../../zookeeper/path.js';

/**
 * Checks a lock path exactly as ZooKeeper's PathUtils.validatePath does (the server refuses
 * anything else with BADARGUMENTS), plus what makes no sense for a lock: absolute, no trailing
 * or doubled slash, no `.`/`..` segment, none of the characters ZooKeeper refuses (see
 * refusedByZooKeeper: control characters, surrogates, so no emoji, private use, \ufff0-\uffff),
 * not the root and not under the reserved `/zookeeper` tree. `what` names it in the messages
 * (an election path is checked the same way).
 */
export function validateLockPath(path: unknown, what = 'lock path'): string {
  if (typeof path !== 'string') throw new ValidationError(`${what} must be a string, got ${typeof path}`);
  const shown = JSON.stringify(path);
  if (path.length === 0) throw new ValidationError(`${what} must not be empty`);
  if (!path.startsWith('/')) throw new ValidationError(`${what} must be absolute (start with "/"), got ${shown}`);
  if (path === '/') throw new ValidationError(`${what} must not be the root "/"`);
  if (path.endsWith('/')) throw new ValidationError(`${what} must not end with "/", got ${shown}`);
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') throw new ValidationError(`${what} must not contain an empty segment ("//"), got ${shown}`);
    if (segment === '.' || segment === '..') {
      throw new ValidationError(`${what} must not contain "." or ".." segments, got ${shown}`);
    }
  }
  // By UTF-16 code unit, as Java does: a character beyond U+FFFF is two surrogates.
  for (let i = 0; i < path.length; i++) {
    const unit = path.charCodeAt(i);
    if (!refusedByZooKeeper(unit)) continue;
    const cp = path.codePointAt(i) ?? unit;
    const what = cp > 0xffff
      ? `U+${cp.toString(16).toUpperCase()}, which is two UTF-16 surrogates in ZooKeeper's eyes`
      : `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new ValidationError(`${what} contains a character ZooKeeper does not allow (${what}) at index ${i}, got ${shown}`);
  }
  if (path === '/zookeeper' || path.startsWith('/zookeeper/')) {
    throw new ValidationError(`${what} must not be under the reserved /zookeeper tree, got ${shown}`);
  }
  return path;
}

/**
 * The most bytes of `nodeData` a lock accepts: 1,000,000. A ZooKeeper server refuses (by
 * closing the connection) any request bigger than its `jute.maxbuffer`, 1,048,575 bytes by
 * default, and Java clients (Curator) drop their connection on a reply that big, which a
 * waiter gets when it reads the node it waits on. The rest is left for the lock node's path,
 * its ACL and the headers.
 */
export const MAX_NODE_DATA_BYTES = 1_000_000;

/**
 * nodeData: a Buffer or Uint8Array of at most {@link MAX_NODE_DATA_BYTES} bytes. Returns a
 * copy, so later changes to the caller's buffer do not change what the lock writes (as in
 * Curator, whose lock copies the array it is given).
 */
export function validateNodeData(data: unknown, what = 'nodeData'): Buffer {
  if (!(data instanceof Uint8Array)) {
    throw new ValidationError(`${what} must be a Buffer or Uint8Array, got ${describeValue(data)}`);
  }
  if (data.byteLength > MAX_NODE_DATA_BYTES) {
    throw new ValidationError(`${what} is ${data.byteLength} bytes, more than the ${MAX_NODE_DATA_BYTES} bytes a lock node may hold `
      + '(a ZooKeeper server refuses requests over its jute.maxbuffer, 1048575 bytes by default, and room is left for the path and headers)');
  }
  return Buffer.from(data);
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

/**
 * The `revocable` option: a boolean. A revocable lock's node starts empty (as Curator's) so
 * that only a revoker's `__REVOKE__` is ever found there: no `nodeData` of its own.
 */
export function validateRevocable(revocable: unknown, nodeData: unknown): boolean {
  if (revocable === undefined) return false;
  if (typeof revocable !== 'boolean') throw new ValidationError(`revocable must be a boolean, got ${describeValue(revocable)}`);
  if (revocable && nodeData !== undefined) {
    throw new ValidationError('nodeData cannot be combined with revocable: true (a revocable lock node starts empty, as in Curator)');
  }
  return revocable;
}

/** lossPolicy: 'suspended' or 'lost'. */
export function validateLossPolicy(policy: unknown): 'suspended' | 'lost' {
  if (policy !== 'suspended' && policy !== 'lost') {
    throw new ValidationError(`lossPolicy must be 'suspended' or 'lost', got ${describeValue(policy)}`);
  }
  return policy;
}
