// What the lock inspectors report: every node under a lock path, in lock order, with who made it.
import type { NodeOrigin } from '../framework/node-origin.js';

/** What kind of participant a node is, from its name. */
export type ParticipantKind = 'lock' | 'read' | 'write' | 'lease' | 'foreign';

/** One node under a lock path. */
export interface Participant {
  /** Child name, e.g. `_c_<uuid>-lock-0000000003`. */
  readonly name: string;
  /** Full path of the node. */
  readonly path: string;
  /**
   * `lock` (Mutex / InterProcessMutex, or a semaphore's internal mutex), `read`, `write`,
   * `lease` (a V2 semaphore's lease), or `foreign` (not a lock node).
   */
  readonly kind: ParticipantKind;
  /** `holder`, `waiting`, or `foreign` (a node no recipe made: it only takes a place). */
  readonly state: 'holder' | 'waiting' | 'foreign';
  /** For a waiter: the full path of the one node it waits on. */
  readonly waitingOn: string | undefined;
  /** The ten-digit sequence ZooKeeper appended, if the name has one. */
  readonly sequence: string | undefined;
  /** Hex id of the session owning the node (`'0'` for a persistent node). */
  readonly sessionId: string;
  /** When the node was created (server clock). */
  readonly createdAt: Date;
  /** The node's czxid: the fencing token its holder was given. */
  readonly czxid: bigint;
  /** The node's data as UTF-8 (Curator writes the holder's IP address, zkurator that and more); `''` when not readable. */
  readonly data: string;
  /** `false` when the node's ACL does not let this session read its data (its stat is still known); absent otherwise. */
  readonly dataReadable?: false;
  /** Who made the node, judged from its data (`unknown` when the data is not readable). */
  readonly origin: NodeOrigin;
}

/** The state of a lock path at one moment. */
export interface LockSnapshot {
  /** The lock path inspected. */
  readonly path: string;
  /**
   * `mutex` when the nodes are mutex nodes (or there are none), `read-write` for read and write
   * nodes, `semaphore` for the V2 layout (only `locks` and `leases` under the path).
   */
  readonly recipe: 'mutex' | 'read-write' | 'semaphore';
  /** The maxLeases the holders were judged with (mutex and semaphore; 1 for read-write). */
  readonly maxLeases: number;
  /**
   * `false` when a V2 semaphore was inspected without its count: the count lives only in its
   * users' code, not in ZooKeeper, so `maxLeases` is then the least count the leases held show
   * (at least 1), and holding or waiting is judged with it. Absent otherwise.
   */
  readonly maxLeasesKnown?: false;
  /** Every node in lock order: holders first, then waiters in the order they will get it. */
  readonly participants: readonly Participant[];
}
