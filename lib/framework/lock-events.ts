// What the locks do, told through node:diagnostics_channel: any part of an application (a
// metrics exporter, a logger, an APM agent) can subscribe by channel name, without a
// reference to the client or the locks. A message object is only built when the channel has
// a subscriber, so with nobody listening an event costs one property read. Each happening is
// published once, at the moment it happens, so a subscriber sees them in order: a lock's
// `queued` (each time its position changes) before `acquired` or `timeout` / `aborted` /
// `failed`, and `acquired` before `released` or `lost`.
import diagnosticsChannel from 'node:diagnostics_channel';
import type { LockLossReason } from '../errors.js';
import { CONNECTION_STATE_CHANNEL, type ZkClient } from './zk-client.js';

export type { ConnectionStateMessage } from './zk-client.js';

/** The channel names, stable: subscribe with `diagnostics_channel.subscribe(name, fn)`. */
export const LockChannels = {
  /** An acquire has to wait: {@link LockQueuedMessage}, once per new position. */
  queued: 'zkurator:lock:queued',
  /** A lock was obtained (a new node, not a re-entry): {@link LockAcquiredMessage}. */
  acquired: 'zkurator:lock:acquired',
  /** An acquire's timeout passed (also a try-lock that found the lock busy): {@link LockAcquireEndedMessage}. */
  timeout: 'zkurator:lock:timeout',
  /** An acquire was aborted through its signal: {@link LockAcquireEndedMessage}. */
  aborted: 'zkurator:lock:aborted',
  /** An acquire failed otherwise (NoAuthError, client closed...): {@link LockAcquireEndedMessage} with `error`. */
  failed: 'zkurator:lock:failed',
  /** A held lock was released: {@link LockReleasedMessage}. */
  released: 'zkurator:lock:released',
  /** A held lock was lost for good (session lost, node deleted, client closed): {@link LockLostMessage}. */
  lost: 'zkurator:lock:lost',
  /** A client's connection state changed: {@link ConnectionStateMessage}. */
  connection: CONNECTION_STATE_CHANNEL,
} as const;

/** Fields every lock event has. */
export interface LockEventBase {
  /** The client the lock belongs to (compare with `===` to tell clients apart). */
  readonly client: ZkClient;
  /** The lock path. */
  readonly lockPath: string;
  /**
   * `lock` (Mutex, and a Semaphore's internal `locks/` mutex), `read` or `write` (ReadWriteLock
   * halves), `lease` (a Semaphore or SemaphoreMutex lease; `lockPath` is the semaphore's path).
   */
  readonly kind: string;
}

/** `zkurator:lock:queued`. */
export interface LockQueuedMessage extends LockEventBase {
  /** Our lock node. */
  readonly node: string;
  /** How many nodes sort before ours. */
  readonly position: number;
  /** The one node we wait on. */
  readonly watching: string;
}

/** `zkurator:lock:acquired`. */
export interface LockAcquiredMessage extends LockEventBase {
  /** The lock node now held. */
  readonly node: string;
  /** Milliseconds from the call to `acquire()` to the grant. */
  readonly waitMs: number;
  /** The lease's fencing token. */
  readonly fencingToken: bigint;
}

/** `zkurator:lock:timeout`, `zkurator:lock:aborted`, `zkurator:lock:failed`. */
export interface LockAcquireEndedMessage extends LockEventBase {
  /** Milliseconds from the call to `acquire()` to its end. */
  readonly waitMs: number;
  /** What the acquire rejected with. */
  readonly error: unknown;
}

/** `zkurator:lock:released`. */
export interface LockReleasedMessage extends LockEventBase {
  /** The lock node that was released (deleted). */
  readonly node: string;
  /** Milliseconds the lock was held. */
  readonly holdMs: number;
}

/** `zkurator:lock:lost`. */
export interface LockLostMessage extends LockEventBase {
  /** The lock node that was held. */
  readonly node: string;
  /** Milliseconds the lock was held (until the loss was noticed). */
  readonly holdMs: number;
  /** Why the lock counts as lost. */
  readonly reason: LockLossReason;
}


/** @internal The channels, made once (a channel object per name is shared process-wide anyway). */
export const lockChannels = {
  queued: diagnosticsChannel.channel(LockChannels.queued),
  acquired: diagnosticsChannel.channel(LockChannels.acquired),
  timeout: diagnosticsChannel.channel(LockChannels.timeout),
  aborted: diagnosticsChannel.channel(LockChannels.aborted),
  failed: diagnosticsChannel.channel(LockChannels.failed),
  released: diagnosticsChannel.channel(LockChannels.released),
  lost: diagnosticsChannel.channel(LockChannels.lost),
};

// ---- reporting: called by the lock code where each thing happens ------------------------------

/** The event `kind` of a lock, from its node name part (see lock-driver.ts); worked out only for a subscriber. */
function lockKind(lockName: string): string {
  return lockName.includes('READ') ? 'read' : lockName.includes('WRIT') ? 'write' : lockName.startsWith('lease') ? 'lease' : 'lock';
}

/** @internal An acquire starts waiting for a node of its own. */
export function reportAcquireStarted(client: ZkClient): void {
  client.lockMetrics.waiting++;
}

/** @internal An acquire has to wait, at `position`. */
export function reportQueued(client: ZkClient, lockPath: string, lockName: string, node: string, position: number, watching: string): void {
  if (lockChannels.queued.hasSubscribers) {
    lockChannels.queued.publish({ client, lockPath, kind: lockKind(lockName), node, position, watching } satisfies LockQueuedMessage);
  }
}

/** @internal An acquire obtained its node (before its Hold exists, so a loss is told after this). */
export function reportAcquired(client: ZkClient, lockPath: string, lockName: string, node: string, waitMs: number, fencingToken: bigint): void {
  client.lockMetrics.acquireEnded('acquired', waitMs);
  if (lockChannels.acquired.hasSubscribers) {
    lockChannels.acquired.publish({ client, lockPath, kind: lockKind(lockName), node, waitMs, fencingToken } satisfies LockAcquiredMessage);
  }
}

/** @internal An acquire rejected: by its timeout, its signal, or anything else. */
export function reportAcquireFailed(client: ZkClient, lockPath: string, lockName: string, outcome: 'timeout' | 'aborted' | 'failed', waitMs: number, error: unknown): void {
  client.lockMetrics.acquireEnded(outcome, waitMs);
  const channel = lockChannels[outcome];
  if (channel.hasSubscribers) channel.publish({ client, lockPath, kind: lockKind(lockName), waitMs, error } satisfies LockAcquireEndedMessage);
}

/** @internal A hold begins (counted as held until it ends). */
export function reportHoldStarted(client: ZkClient): void {
  client.lockMetrics.held++;
}

/** @internal A hold ended: released, or lost for `reason`. */
export function reportHoldEnded(client: ZkClient, lockPath: string, lockName: string, node: string, holdMs: number, reason?: LockLossReason): void {
  client.lockMetrics.holdEnded(reason === undefined ? 'released' : 'lost', holdMs);
  if (reason === undefined) {
    if (lockChannels.released.hasSubscribers) lockChannels.released.publish({ client, lockPath, kind: lockKind(lockName), node, holdMs } satisfies LockReleasedMessage);
  } else if (lockChannels.lost.hasSubscribers) {
    lockChannels.lost.publish({ client, lockPath, kind: lockKind(lockName), node, holdMs, reason } satisfies LockLostMessage);
  }
}
