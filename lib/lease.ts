// What acquire() hands back: proof of one hold, released exactly once.
import { NotHeldError } from './errors.js';
import type { HeldNode } from './lock-engine.js';

/** @internal The shared state of one held lock node and its re-entrant holds. */
export interface LeaseOwner {
  readonly lockPath: string;
  readonly nodePath: string;
  readonly node: HeldNode;
  releaseLease(lease: Lease): Promise<void>;
}

/**
 * One hold of a lock. Release it exactly once, with {@link Lease.release} or by disposal:
 * `await using lease = await mutex.acquire();`. Re-entrant holds share the node of the first
 * hold; the node is deleted when the last of them is released.
 */
export class Lease implements AsyncDisposable {
  #released = false;

  /** @internal */
  constructor(protected readonly owner: LeaseOwner) {}

  /** Full path of the lock node backing this hold, e.g. `/locks/a/_c_…-lock-0000000003`. */
  get path(): string {
    return this.owner.nodePath;
  }

  /** The lock path this lease is on. */
  get lockPath(): string {
    return this.owner.lockPath;
  }

  /** True once released. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Releases this hold. When it is the last hold of the node, the node is deleted (retried in
   * the background if the connection is down). A second call rejects with {@link NotHeldError}.
   */
  async release(): Promise<void> {
    if (this.#released) {
      throw new NotHeldError(`this lease on ${this.lockPath} (${this.path}) was already released`);
    }
    this.#released = true;
    await this.owner.releaseLease(this);
  }

  /** Releases the hold if it is still held (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#released) await this.release();
  }
}
