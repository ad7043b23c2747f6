// zkurator: ZooKeeper lock recipes for Node.js, wire-compatible with Apache Curator.
export { connect, ZkClient, CreateMode } from './zk-client.js';
export type { ConnectOptions, ConnectionState, LossPolicy, NodeStat, OperationName, WatchListener } from './zk-client.js';
export { Mutex } from './mutex.js';
export type { MutexOptions } from './mutex.js';
export type { AcquireOptions } from './reentrant-lock.js';
export type { QueuePosition } from './deadline.js';
export { ReentrantLock } from './reentrant-lock.js';
export { Lease } from './lease.js';
export {
  ZkuratorError, ValidationError, LockTimeoutError, LockLostError, LockNodeDeletedError, NotHeldError, ClientClosedError,
  SessionExpiredError, ConnectTimeoutError, TlsError, ZooKeeperError, NoNodeError, NodeExistsError,
  NotEmptyError, ConnectionLossError, NoAuthError, BadVersionError, AuthFailedError, ChrootNotFoundError,
  NoChildrenForEphemeralsError, RevokeRequestedError, MultiLockError,
} from './errors.js';
export { MAX_NODE_DATA_BYTES } from './lock-path.js';
export { Perms, ANYONE_ID_UNSAFE, AUTH_IDS, CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, digestId } from './zookeeper/index.js';
export { CREATOR_ALL_ELSE_READ_ACL } from './zookeeper/index.js';
export type { AclProvider, LockAclOptions } from './lock-acl.js';
export type { Permission } from './errors.js';
export type { ACL, Id } from './zookeeper/index.js';
export { ReadWriteLock, ReadLock, WriteLock, WriteLease } from './read-write-lock.js';
export type { ReadWriteLockOptions } from './read-write-lock.js';
export type { HoldStatus } from './hold.js';
export { inspectLock, nodeOriginOf } from './lock-inspector.js';
export type { InspectOptions, LockSnapshot, NodeOrigin, Participant, ParticipantKind } from './lock-inspector.js';
export { VERSION } from './version.js';
export type { ConnectAttempt, LockLossReason } from './errors.js';
export { Semaphore, SemaphoreLease } from './semaphore.js';
export type { SemaphoreOptions, SemaphoreAcquireOptions, SemaphoreParticipant } from './semaphore.js';
export { SemaphoreMutex } from './semaphore-mutex.js';
export type { SemaphoreMutexOptions, SemaphoreMutexAcquireOptions } from './semaphore-mutex.js';
export { SharedCount } from './shared-count.js';
export type { VersionedCount } from './shared-count.js';
export { revoke } from './revoke.js';
export type { RevokeOptions } from './revoke.js';
export { MultiLock, MultiLease } from './multi-lock.js';
export type { MultiLockAcquireOptions, MultiLockLease, MultiLockMember, MultiLockOptions, MultiLockOrder } from './multi-lock.js';
export { LockChannels } from './lock-events.js';
export type {
  LockEventBase, LockQueuedMessage, LockAcquiredMessage, LockAcquireEndedMessage, LockReleasedMessage, LockLostMessage, ConnectionStateMessage,
} from './lock-events.js';
export { METRICS_SAMPLE_SIZE } from './lock-metrics.js';
export type { LockMetricsSnapshot, DurationSummary } from './lock-metrics.js';
