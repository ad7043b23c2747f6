// Curator's SharedCount (on SharedValue): an integer kept in one persistent node that every
// participant reads and watches. Curator writes it as a 4-byte big-endian int; a Semaphore
// built on it takes its lease count from here, so a Curator service and a Node service that
// share the node agree on the count, and a change reaches every waiter.
import { EventEmitter } from 'node:events';
import { describeValue } from '../util/describe-value.js';
import {
  BadVersionError, ConnectionLossError, NodeExistsError, SessionExpiredError, ValidationError,
} from '../errors.js';
import { zooKeeperError } from '../zookeeper/zookeeper-error.js';
import { ErrorCode } from '../zookeeper/protocol.js';
import { validateLockPath } from './engine/lock-path.js';
import { ReentrantLock } from './engine/reentrant-lock.js';
import { CreateMode, type ZkClient } from '../framework/zk-client.js';

/** A count together with the node version it was read at (Curator's VersionedValue). */
export interface VersionedCount {
  /** The count node's data version; -1 before the first read. */
  readonly version: number;
  /** The count. */
  readonly count: number;
}

interface SharedCountEvents {
  /** The count changed (read from the node after a watch fired, or set by us). */
  change: [count: number];
}

/** Bytes of Curator's encoding: a 4-byte big-endian signed int. */
const COUNT_BYTES = 4;

function validateCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value > 2 ** 31 - 1) {
    throw new ValidationError(`${what} must be a 32-bit integer, got ${describeValue(value)}`);
  }
  return value;
}

/** Encodes a count as Curator does (ByteBuffer.putInt: 4 bytes, big-endian). */
export function encodeCount(count: number): Buffer {
  const bytes = Buffer.alloc(COUNT_BYTES);
  bytes.writeInt32BE(count);
  return bytes;
}

/**
 * Decodes a count node's data as Curator does (ByteBuffer.getInt: the first 4 bytes); undefined
 * for fewer than 4 bytes, which Curator cannot read either.
 */
export function decodeCount(data: Buffer): number | undefined {
  return data.length >= COUNT_BYTES ? data.readInt32BE(0) : undefined;
}

/**
 * An integer shared through one ZooKeeper node, wire-compatible with Curator's `SharedCount`:
 * `start()` creates the node with the seed value if it does not exist yet (a persistent node,
 * container parents), then reads it and keeps a watch on it; every change, by anyone, is
 * emitted as `change` and is what {@link SharedCount.count} returns from then on. Pass it to a
 * {@link Semaphore} as `sharedCount` to take the lease count from it. Call `close()` when done.
 *
 * Listeners of `change` run synchronously; an exception thrown by one is not propagated (the
 * watch must keep working).
 */
export class SharedCount extends EventEmitter<SharedCountEvents> {
  /** The node holding the count. */
  readonly path: string;
  private readonly client: ZkClient;
  private readonly seed: number;
  private current: VersionedCount;
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private readonly onWatch = (): void => void this.refresh();
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;

  /**
   * @param path the count node (any path; it is not a lock path, so Curator's usual choice of
   *   a node next to the semaphore works)
   * @param seed the value written when `start()` finds no node (a 32-bit integer)
   * @throws ValidationError for a bad client, path or seed (before any ZooKeeper call)
   */
  constructor(client: ZkClient, path: string, seed: number) {
    super();
    this.setMaxListeners(0); // every waiting semaphore acquire listens while it waits
    this.client = ReentrantLock.checkClient(client);
    this.path = validateLockPath(path);
    this.seed = validateCount(seed, 'seed');
    this.current = { version: -1, count: this.seed };
  }

  /** The count as last read (the seed before `start()`). */
  get count(): number {
    return this.current.count;
  }

  /** The count with the node version it was read at, for {@link SharedCount.trySetCount}. */
  get versionedCount(): VersionedCount {
    return this.current;
  }

  /** True between `start()` and `close()`. */
  get started(): boolean {
    return this.state === 'started';
  }

  /**
   * Creates the node with the seed if missing, reads the count and starts watching it.
   * Rejects with a ZooKeeperError or ClientClosedError (then it may be called again).
   */
  async start(): Promise<void> {
    if (this.state !== 'latent') throw new ValidationError(`SharedCount ${this.path} can be started only once`);
    await this.client.createContainers(parentOf(this.path));
    try {
      await this.client.create(this.path, encodeCount(this.seed), CreateMode.PERSISTENT);
    } catch (err) {
      if (!(err instanceof NodeExistsError)) throw err;
    }
    const read = await this.client.watchData(this.path, this.onWatch);
    if (!read) throw zooKeeperError(ErrorCode.NONODE, 'getData', this.path); // deleted right after the create
    this.state = 'started';
    this.update(read.stat.version, read.data);
  }

  /**
   * Writes a new count unconditionally (Curator's `setCount`).
   * @throws ValidationError for a count that is not a 32-bit integer or a count not started
   */
  async setCount(count: number): Promise<void> {
    this.checkStarted();
    const stat = await this.client.setData(this.path, encodeCount(validateCount(count, 'count')));
    this.update(stat.version, encodeCount(count));
  }

  /**
   * Writes a new count only if the node is still at `previous.version` with `previous.count`
   * (Curator's `trySetCount(previous, newCount)`): resolves false (and re-reads) otherwise.
   */
  async trySetCount(previous: VersionedCount, count: number): Promise<boolean> {
    this.checkStarted();
    validateCount(count, 'count');
    if (previous.version !== this.current.version || previous.count !== this.current.count) return false;
    try {
      const stat = await this.client.setData(this.path, encodeCount(count), previous.version);
      this.update(stat.version, encodeCount(count));
      return true;
    } catch (err) {
      if (!(err instanceof BadVersionError)) throw err;
    }
    await this.refresh();
    return false;
  }

  /** Stops watching. The node stays (it is the shared value). */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.client.unwatchNode(this.path, this.onWatch);
  }

  private checkStarted(): void {
    if (this.state !== 'started') throw new ValidationError(`SharedCount ${this.path} is not started (call start() first)`);
  }

  /** A newer version wins; a change of the count is emitted. */
  private update(version: number, data: Buffer): void {
    if (version <= this.current.version) return;
    const count = decodeCount(data);
    if (count === undefined) return; // not Curator's encoding: keep the last good count
    const changed = count !== this.current.count;
    this.current = { version, count };
    if (!changed) return;
    try {
      this.emit('change', count);
    } catch {
      // a listener's own failure must not stop the watch
    }
  }

  /**
   * The watch fired (a change, or connection trouble): read again with a new watch once
   * connected. One read at a time; a fire during a read asks for one more.
   */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          await this.readOnce();
        } while (this.refreshAgain && this.state === 'started');
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async readOnce(): Promise<void> {
    while (this.state === 'started') {
      try {
        await this.client.waitConnected();
        const read = await this.client.watchData(this.path, this.onWatch);
        if (read) this.update(read.stat.version, read.data);
        // Deleted: like Curator, keep the last count; nothing is watched until start() anew.
        return;
      } catch (err) {
        // Connection or session trouble: read again once connected. Anything else (closed,
        // NoAuth): stop, keeping the last count, as Curator's background read does.
        if (!(err instanceof ConnectionLossError || err instanceof SessionExpiredError) || this.client.isClosed) return;
      }
    }
  }
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}
