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

/** The lock is no longer held: its node or the session that owned it is gone. */
export class LockLostError extends ZkuratorError {
  constructor(readonly lockPath: string, reason: string) {
    super('LOCK_LOST', `lock ${lockPath} was lost: ${reason}`);
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
