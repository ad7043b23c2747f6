// Node paths are checked before a request is sent, as ZooKeeper's own client does
// (PathUtils.validatePath). Besides failing early with a clear message, this keeps a chroot
// sealed: the chroot is prepended to the path, so "foo" under chroot "/app" would otherwise
// reach the server as the valid path "/appfoo", outside the chroot, and "" as "/app" itself.
import { ValidationError } from '../errors.js';

/**
 * True for a UTF-16 code unit ZooKeeper's PathUtils.validatePath refuses: \u0000-\u001f,
 * \u007f-\u009f, \ud800-\uf8ff (surrogates, so every character beyond U+FFFF such as an
 * emoji, and the private use area) and \ufff0-\uffff. Java checks code units, not code points.
 */
export function refusedByZooKeeper(unit: number): boolean {
  return unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f) || (unit >= 0xd800 && unit <= 0xf8ff) || unit >= 0xfff0;
}

/**
 * Why `path` is not a valid node path, or `undefined` when it is. A sequential create may
 * end with "/" (the server appends the sequence number). Characters are checked as UTF-16
 * code units, as Java does.
 */
export function invalidPathReason(path: string, sequential = false): string | undefined {
  if (typeof path !== 'string') return 'the path must be a string';
  const p = sequential ? `${path}1` : path;
  if (p.length === 0) return 'the path is empty';
  if (p[0] !== '/') return 'the path must start with "/"';
  if (p.length === 1) return undefined;
  if (p.endsWith('/')) return 'the path must not end with "/"';
  for (let i = 1; i < p.length; i++) {
    const c = p.charCodeAt(i);
    const last = p.charCodeAt(i - 1);
    const endOfName = i + 1 === p.length || p[i + 1] === '/';
    if (c === 0) return `null character at ${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name at ${i}`;
    if (c === 0x2e && last === 0x2e && p[i - 2] === '/' && endOfName) return `relative path ("..") at ${i}`;
    if (c === 0x2e && last === 0x2f && endOfName) return `relative path (".") at ${i}`;
    if (refusedByZooKeeper(c)) {
      return `character U+${c.toString(16).padStart(4, '0')} at ${i} is not allowed`;
    }
  }
  return undefined;
}

/** Throws a {@link ValidationError} naming the operation when `path` is not a valid node path. */
export function validatePath(path: string, operation: string, sequential = false): void {
  const reason = invalidPathReason(path, sequential);
  if (reason !== undefined) throw new ValidationError(`${operation} ${JSON.stringify(path)}: bad node path: ${reason}`);
}
