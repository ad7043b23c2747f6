// zkurator: ZooKeeper lock recipes for Node.js, wire-compatible with Apache Curator.
export { connect, ZkClient, CreateMode } from './framework/zk-client.js';
export type { ConnectOptions, ConnectionState, LossPolicy, NodeStat, OperationName, WatchChange, WatchListener } from './framework/zk-client.js';
export { Mutex } from './locks/mutex.js';
export type { MutexOptions } from './locks/mutex.js';
export type { AcquireOptions } from './locks/engine/reentrant-lock.js';
export type { QueuePosition } from './locks/engine/deadline.js';
export { ReentrantLock } from './locks/engine/reentrant-lock.js';
export { Lease } from './locks/engine/lease.js';
export {
  ZkuratorError, ValidationError, LockTimeoutError, LockLostError, LockNodeDeletedError, NotHeldError, ClientClosedError,
  SessionExpiredError, ConnectTimeoutError, TlsError, ZooKeeperError, NoNodeError, NodeExistsError,
  NotEmptyError, ConnectionLossError, NoAuthError, BadVersionError, AuthFailedError, ChrootNotFoundError,
  NoChildrenForEphemeralsError, RevokeRequestedError, MultiLockError, LeadershipLostError, ElectionConflictError, ElectionStateError,
  WouldDeadlockError, HostNotFoundError,
} from './errors.js';
export { MAX_NODE_DATA_BYTES } from './locks/engine/lock-path.js';
export { Perms, ANYONE_ID_UNSAFE, AUTH_IDS, CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, digestId } from './zookeeper/index.js';
export { CREATOR_ALL_ELSE_READ_ACL } from './zookeeper/index.js';
export type { AclProvider, LockAclOptions } from './framework/lock-acl.js';
export type { Permission } from './errors.js';
export type { ACL, Id } from './zookeeper/index.js';
export { ReadWriteLock, ReadLock, WriteLock, WriteLease } from './locks/read-write-lock.js';
export type { ReadWriteLockOptions } from './locks/read-write-lock.js';
export type { HoldStatus } from './locks/engine/lease.js';
export { inspectLock, nodeOriginOf } from './locks/lock-inspector.js';
export type { InspectOptions, LockSnapshot, NodeOrigin, Participant, ParticipantKind } from './locks/lock-inspector.js';
export { VERSION } from './util/version.js';
export type { AcquireOutage, ConnectAttempt, LockLossReason, LeadershipLossReason } from './errors.js';
export { Semaphore, SemaphoreLease } from './locks/semaphore.js';
export type { SemaphoreOptions, SemaphoreAcquireOptions, SemaphoreParticipant } from './locks/semaphore.js';
export { SemaphoreMutex } from './locks/semaphore-mutex.js';
export type { SemaphoreMutexOptions, SemaphoreMutexAcquireOptions } from './locks/semaphore-mutex.js';
export { SharedCount } from './locks/shared-count.js';
export type { VersionedCount } from './locks/shared-count.js';
export { revoke } from './locks/revoke.js';
export type { RevokeOptions } from './locks/revoke.js';
export { MultiLock, MultiLease } from './locks/multi-lock.js';
export type { MultiLockAcquireOptions, MultiLockLease, MultiLockMember, MultiLockOptions, MultiLockOrder } from './locks/multi-lock.js';
export { LockChannels } from './framework/lock-events.js';
export type {
  LockEventBase, LockQueuedMessage, LockAcquiredMessage, LockAcquireEndedMessage, LockReleasedMessage, LockLostMessage, ConnectionStateMessage,
} from './framework/lock-events.js';
export { METRICS_SAMPLE_SIZE } from './framework/lock-metrics.js';
export type { LockMetricsSnapshot, DurationSummary, LeadershipMetrics } from './framework/lock-metrics.js';
export { LeaderChannels } from './framework/leader-events.js';
export type {
  ElectionRecipe, LeaderEventBase, LeadershipGainedMessage, LeadershipLostMessage, LeaderErrorMessage,
} from './framework/leader-events.js';
export { LeaderLatch } from './leader/leader-latch.js';
export type { LeaderLatchOptions, LeaderLatchAwaitOptions, LeaderLatchCloseOptions, LeaderLatchEvents } from './leader/leader-latch.js';
export type { Leadership } from './leader/leadership.js';
export type { ElectionParticipant } from './leader/participants.js';
export type { ElectionState } from './leader/election-state.js';
export { classifyElectionNodes, LATCH_NODE_NAME, SELECTOR_NODE_NAME } from './leader/election-nodes.js';
export type { ElectionKind, ElectionNodes } from './leader/election-nodes.js';
export { inspectElection } from './leader/election-inspector.js';
export type { ElectionSnapshot, ElectionMemberSnapshot } from './leader/election-inspector.js';
export { LeaderSelector } from './leader/leader-selector.js';
export type { LeaderSelectorCallback, LeaderSelectorOptions, LeaderSelectorEvents } from './leader/leader-selector.js';
