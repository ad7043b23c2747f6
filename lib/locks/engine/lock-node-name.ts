// Names of lock nodes exactly as Curator writes and orders them (curator-wire-format.md §1-2).
import { randomUUID } from 'node:crypto';

/** Curator's "protected" prefix: `_c_` + a lowercase canonical UUID + `-`. */
export const PROTECTED_PREFIX_MARK = '_c_';

/** A fresh protected prefix, e.g. `_c_0f8fad5b-d9cb-469f-a165-70867728950e-`. */
export function newProtectedPrefix(): string {
  return `${PROTECTED_PREFIX_MARK}${randomUUID()}-`;
}

const PROTECTED_RE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/;

/** The `_c_<uuid>-` prefix of a child name, or undefined if it has none. */
export function protectedPrefixOf(name: string): string | undefined {
  return PROTECTED_RE.exec(name)?.[0];
}

/**
 * Curator's sort key: what follows the LAST occurrence of the lock name; a child without it
 * keeps its whole name (StandardLockInternalsDriver.fixForSorting). With several names (the
 * read-write lock's `__READ__`, `__WRIT__`) Curator strips them one after the other, in order.
 */
export function sortKey(child: string, lockNames: readonly string[]): string {
  let key = child;
  for (const name of lockNames) {
    const at = key.lastIndexOf(name);
    if (at >= 0) key = key.slice(at + name.length);
  }
  return key;
}

/**
 * Sorts children by sort key, comparing strings by UTF-16 code unit like Java's
 * String.compareTo (never localeCompare, never numerically). Stable, like Java's sort.
 */
export function sortChildren(children: readonly string[], lockNames: readonly string[]): string[] {
  const keyed = children.map((name) => ({ name, key: sortKey(name, lockNames) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.name);
}

/**
 * The sequence ZooKeeper appended (`%010d`: ten digits, or a minus and ten digits after the
 * counter overflowed), read from the sort key; undefined for a name without one.
 */
export function sequenceOf(name: string, lockNames: readonly string[]): string | undefined {
  const key = sortKey(name, lockNames);
  return /^-?\d{10}$/.test(key) ? key : undefined;
}
