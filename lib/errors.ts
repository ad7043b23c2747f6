// Every error zkurator throws is one of these classes, so callers can branch with
// `instanceof` (or on the stable `code` string) instead of parsing messages.

/** Base class of every error thrown by zkurator. */
export class ZkuratorError extends Error {
  /** A stable, machine-readable code, e.g. `LOCK_TIMEOUT`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input (path, maxLeases, timeout...), rejected before any ZooKeeper call. */
export class ValidationError extends ZkuratorError {
  constructor(message: string) {
    super('VALIDATION', message);
  }
}

/** The acquire deadline passed before the lock was obtained. Our node was removed. */
export class LockTimeoutError extends ZkuratorError {
  constructor(
    readonly lockPath: string,
    readonly timeoutMs: number,
  ) {
    super('LOCK_TIMEOUT', timeoutMs === 0
      ? `lock ${lockPath} is held by others (try-lock with timeout 0)`
      : `could not acquire lock ${lockPath} within ${timeoutMs} ms`);
  }
}

/**
 * Why a held lock may no longer be held:
 * - `SUSPENDED`: the connection dropped; the lock may still be ours (policy `'suspended'`).
 * - `SESSION_LOST`: the session expired or was given up: the lock is gone.
 * - `NODE_DELETED`: someone deleted our lock node.
 * - `CLIENT_CLOSED`: the client was closed.
 * - `RELEASED`: the lease was released (its signal aborts too, so work tied to it stops).
 */
export type LockLossReason = 'SUSPENDED' | 'SESSION_LOST' | 'NODE_DELETED' | 'CLIENT_CLOSED' | 'RELEASED';

/** The lock is (or may be) no longer held. `reason` says why; it is the abort reason of `lease.signal`. */
export class LockLostError extends ZkuratorError {
  constructor(
    readonly lockPath: string,
    message: string,
    readonly reason: LockLossReason = 'SESSION_LOST',
  ) {
    super('LOCK_LOST', `lock ${lockPath}: ${message}`);
  }
}

/** release() was called for a hold that this flow or lease does not (or no longer) have. */
export class NotHeldError extends ZkuratorError {
  constructor(message: string) {
    super('NOT_HELD', message);
  }
}

/** The client was closed (by the application) while an operation was pending or requested. */
export class ClientClosedError extends ZkuratorError {
  constructor(message = 'the ZooKeeper client is closed') {
    super('CLIENT_CLOSED', message);
  }
}

/** The ZooKeeper session expired: ephemeral nodes (and so lock holds) of it are gone. */
export class SessionExpiredError extends ZkuratorError {
  constructor(message = 'the ZooKeeper session expired') {
    super('SESSION_EXPIRED', message);
  }
}

/** Could not connect to ZooKeeper within the connect timeout. */
export class ConnectTimeoutError extends ZkuratorError {
  constructor(readonly connectString: string, readonly timeoutMs: number) {
    super('CONNECT_TIMEOUT', `could not connect to ZooKeeper at ${connectString} within ${timeoutMs} ms`);
  }
}

/**
 * A ZooKeeper operation failed with a server or client error code. `zkCode` is the numeric
 * ZooKeeper code (e.g. -101 for NONODE) and `zkName` its symbolic name.
 */
export class ZooKeeperError extends ZkuratorError {
  constructor(
    readonly zkCode: number,
    readonly zkName: string,
    readonly operation: string,
    readonly path: string,
    message?: string,
  ) {
    super(`ZK_${zkName}`, message ?? `ZooKeeper ${operation} ${path} failed: ${zkName} (${zkCode})`);
  }
}

/** The node does not exist (ZooKeeper NONODE). */
export class NoNodeError extends ZooKeeperError {}
/** The node already exists (ZooKeeper NODEEXISTS). */
export class NodeExistsError extends ZooKeeperError {}
/** The node has children (ZooKeeper NOTEMPTY). */
export class NotEmptyError extends ZooKeeperError {}
/**
 * The connection dropped before the reply arrived (CONNECTIONLOSS / OPERATIONTIMEOUT):
 * the operation may or may not have been applied.
 */
export class ConnectionLossError extends ZooKeeperError {}
