// What the leader elections do (LeaderLatch, LeaderSelector), told through
// node:diagnostics_channel like the locks' events (lock-events.ts): leadership gained, lost
// (with the reason) and errors the recipes report. A message object is only built when the
// channel has a subscriber. Each happening is published once, when it happens, so a
// subscriber sees a term's `gained` before its `lost`. The counters behind client.metrics()
// are kept here too (lock-metrics.ts). The framework layer never imports the recipes: they
// call these functions.
import diagnosticsChannel from 'node:diagnostics_channel';
import type { LeadershipLossReason } from '../errors.js';
import type { ZkClient } from './zk-client.js';

/** The leader election channel names, stable: subscribe with `diagnostics_channel.subscribe(name, fn)`. */
export const LeaderChannels = {
  /** A member became leader (a new term): {@link LeadershipGainedMessage}. */
  gained: 'zkurator:leader:gained',
  /** A leadership term ended: {@link LeadershipLostMessage}, with the reason. */
  lost: 'zkurator:leader:lost',
  /**
   * A recipe met an error it cannot act on by itself (a LeaderSelector callback that threw, a
   * path holding both recipes' nodes, a refused create...): {@link LeaderErrorMessage}. Published
   * whether or not the recipe has an `'error'` listener.
   */
  error: 'zkurator:leader:error',
} as const;

/** Which recipe an election event comes from. */
export type ElectionRecipe = 'latch' | 'selector';

/** Fields every leader election event has. */
export interface LeaderEventBase {
  /** The client of the member (compare with `===` to tell clients apart). */
  readonly client: ZkClient;
  /** The election path. */
  readonly path: string;
  /** `latch` (LeaderLatch) or `selector` (LeaderSelector). */
  readonly recipe: ElectionRecipe;
  /** The member's participant id. */
  readonly id: string;
}

/** `zkurator:leader:gained`. */
export interface LeadershipGainedMessage extends LeaderEventBase {
  /** The member's node, the one that leads. */
  readonly node: string;
  /** The term's fencing token: the node's czxid. */
  readonly fencingToken: bigint;
}

/** `zkurator:leader:lost`. */
export interface LeadershipLostMessage extends LeaderEventBase {
  /** The node that led. */
  readonly node: string;
  /** The term's fencing token. */
  readonly fencingToken: bigint;
  /** Milliseconds the term lasted. */
  readonly termMs: number;
  /** Why it ended. */
  readonly reason: LeadershipLossReason;
}

/** `zkurator:leader:error`. */
export interface LeaderErrorMessage extends LeaderEventBase {
  /** What went wrong (also emitted as the recipe's `'error'` event when it has a listener). */
  readonly error: unknown;
}

const channels = {
  gained: diagnosticsChannel.channel(LeaderChannels.gained),
  lost: diagnosticsChannel.channel(LeaderChannels.lost),
  error: diagnosticsChannel.channel(LeaderChannels.error),
};

/** @internal Who a report is about. */
export interface ElectionMember {
  readonly client: ZkClient;
  readonly path: string;
  readonly recipe: ElectionRecipe;
  readonly id: string;
}

/** @internal A term began. */
export function reportLeadershipGained(member: ElectionMember, node: string, fencingToken: bigint): void {
  member.client.lockMetrics.leadershipGained();
  if (channels.gained.hasSubscribers) {
    const { client, path, recipe, id } = member;
    channels.gained.publish({ client, path, recipe, id, node, fencingToken } satisfies LeadershipGainedMessage);
  }
}

/** @internal A term ended. */
export function reportLeadershipLost(member: ElectionMember, node: string, fencingToken: bigint, termMs: number, reason: LeadershipLossReason): void {
  member.client.lockMetrics.leadershipLost(termMs);
  if (channels.lost.hasSubscribers) {
    const { client, path, recipe, id } = member;
    channels.lost.publish({ client, path, recipe, id, node, fencingToken, termMs, reason } satisfies LeadershipLostMessage);
  }
}

/** @internal A recipe's error, published whether or not anyone listens to the recipe's `'error'`. */
export function reportLeaderError(member: ElectionMember, error: unknown): void {
  member.client.lockMetrics.leaderErrors++;
  if (channels.error.hasSubscribers) {
    const { client, path, recipe, id } = member;
    channels.error.publish({ client, path, recipe, id, error } satisfies LeaderErrorMessage);
  }
}
