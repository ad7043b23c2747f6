// A set that keeps only its most recently used entries. For per-client memos keyed by names a
// caller chooses (lock paths): a gateway locking a fresh resource name per job would otherwise
// grow a plain Set for as long as the process runs. Forgetting an entry must be harmless to
// whoever uses this: it only costs the work the memo saved.

/** A set of at most `capacity` strings; adding past it forgets the least recently used one. */
export class RecentSet {
  private readonly entries = new Set<string>(); // insertion order = least recently used first

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** Whether `key` is in the set; a hit counts as a use. */
  has(key: string): boolean {
    if (!this.entries.delete(key)) return false;
    this.entries.add(key);
    return true;
  }

  add(key: string): void {
    this.entries.delete(key);
    this.entries.add(key);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.values().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
