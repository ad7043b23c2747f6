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

/**
 * The connection trouble during an acquire that timed out: an outage, not (only) contention,
 * may be why the lock was not obtained.
 */
export interface AcquireOutage {
  /** Milliseconds of the wait during which the client had no connection to ZooKeeper. */
  readonly disconnectedMs: number;
  /** The connection was still down when the time ran out. */
  readonly stillDisconnected: boolean;
  /** The session expired (or was given up) during the wait: a new one was being established, or was. */
  readonly sessionRenewed: boolean;
  /** What the last connection attempt ran into (`host:port: what`), when known. */
  readonly lastConnectError?: string;
}

function outageText(o: AcquireOutage): string {
  const session = o.sessionRenewed
    ? (o.stillDisconnected ? '; the session expired and a new one is being established' : '; the session expired and was replaced')
    : o.stillDisconnected ? ' (still down)' : ' (it is back)';
  return `; the connection to ZooKeeper was down for ${o.disconnectedMs} ms of that time${session}`
    + (o.lastConnectError === undefined ? '' : `; last connection attempt: ${o.lastConnectError}`);
}

/**
 * The acquire deadline passed before the lock was obtained. Our node was removed. When the
 * connection to ZooKeeper was down for part of the wait, `outage` says for how long (and the
 * message says so: not contention alone), and `cause` is the connection's problem (a
 * ConnectTimeoutError while still down, else the ConnectionLossError it dropped with).
 */
export class LockTimeoutError extends ZkuratorError {
  constructor(
    /** The lock path the acquire was for. */
    readonly lockPath: string,
    /** The acquire's timeout in ms (`0` for a try-lock). */
    readonly timeoutMs: number,
    /** The connection trouble during the wait, if there was any. */
    readonly outage?: AcquireOutage,
    options?: { cause?: unknown },
  ) {
    super('LOCK_TIMEOUT', (timeoutMs === 0
      ? (outage?.stillDisconnected ? `lock ${lockPath} not tried: no connection to ZooKeeper (try-lock with timeout 0)` : `lock ${lockPath} is held by others (try-lock with timeout 0)`)
      : `could not acquire lock ${lockPath} within ${timeoutMs} ms`) + (outage ? outageText(outage) : ''), options);
  }
}

/**
 * Why a held lock may no longer be held:
 * - `SUSPENDED`: the connection dropped; the lock may still be ours (policy `'suspended'`).
 * - `SESSION_LOST`: the session expired or was given up: the lock is gone.
 * - `SESSION_UNCONFIRMED`: no server has answered for our session for a whole session timeout
 *   (a paused process, a blocked event loop): the server may have expired it and handed the
 *   lock on. It may come back, like `SUSPENDED`, if a server confirms the session again.
 * - `NODE_DELETED`: someone deleted our lock node.
 * - `CLIENT_CLOSED`: the client was closed.
 * - `RELEASED`: the lease was released (its signal aborts too, so work tied to it stops).
 */
export type LockLossReason = 'SUSPENDED' | 'SESSION_UNCONFIRMED' | 'SESSION_LOST' | 'NODE_DELETED' | 'CLIENT_CLOSED' | 'RELEASED';

/** The lock is (or may be) no longer held. `reason` says why; it is the abort reason of `lease.signal`. */
export class LockLostError extends ZkuratorError {
  constructor(
    /** The lock path of the lost lock. */
    readonly lockPath: string,
    message: string,
    /** Why the lock may no longer be held. */
    readonly reason: LockLossReason = 'SESSION_LOST',
  ) {
    super('LOCK_LOST', `lock ${lockPath}: ${message}`);
  }
}

/**
 * An acquire gave up because our lock node was deleted by someone else, again and again, while
 * we waited (an outside actor removing lock nodes, not a session loss: a lost session makes
 * the acquire start over on the new session within its deadline). Our last node was removed.
 */
export class LockNodeDeletedError extends ZkuratorError {
  constructor(
    /** The lock path the acquire was for. */
    readonly lockPath: string,
    /** How many of our nodes were deleted in a row. */
    readonly deletions: number,
  ) {
    super('LOCK_NODE_DELETED', `lock ${lockPath}: our lock node was deleted by someone else ${deletions} times in a row while waiting; giving up`);
  }
}

/**
 * An acquire refused at once because it could only ever wait on locks its own flow holds (a
 * flow is a `withLock` / `withLeases` callback and what it awaits): it would wait forever.
 * `upgrade` is the common case: a read lock's holder asking for the write lock, which waits
 * for every reader, the asking one included (Curator cannot upgrade either). Others: a second
 * lock object on a path the flow holds already (re-entry works only through the same object),
 * or more semaphore leases than the flow's own leave free. `heldNodes` are the flow's nodes in
 * the way. Nothing was created.
 */
export class WouldDeadlockError extends ZkuratorError {
  constructor(
    /** The lock path the acquire was for. */
    readonly lockPath: string,
    /** The current flow's own nodes the acquire would wait on. */
    readonly heldNodes: readonly string[],
    /** True for a read -> write upgrade. */
    readonly upgrade: boolean,
    message: string,
  ) {
    super('WOULD_DEADLOCK', message);
  }
}

/** release() was called for a hold that this flow or lease does not (or no longer) have. */
export class NotHeldError extends ZkuratorError {
  constructor(message: string) {
    super('NOT_HELD', message);
  }
}

/**
 * Someone asked the holder of a revocable lock to give it up (Curator's `Revoker.attemptRevoke`:
 * the bytes `__REVOKE__` written into our lock node). The abort reason of `lease.revokeSignal`.
 * Revocation is cooperative: the lock is still held until the holder releases it.
 */
export class RevokeRequestedError extends ZkuratorError {
  constructor(
    /** The lock path of the lock whose revocation was requested. */
    readonly lockPath: string,
    /** Our lock node, the one the request was written into. */
    readonly nodePath: string,
  ) {
    super('REVOKE_REQUESTED', `lock ${lockPath}: revocation of our node ${nodePath} was requested; release the lock to honour it`);
  }
}

/**
 * A MultiLock operation failed on several of its locks at once: `errors` holds each failure.
 * From `MultiLease.release()`: the releases that failed (every release was attempted). From
 * `MultiLock.acquire()`: the acquire's own failure first (also the `cause`), then the releases
 * of what was already taken that failed while giving it back.
 */
export class MultiLockError extends ZkuratorError {
  constructor(
    message: string,
    /** Each failure, in the order described above. */
    readonly errors: readonly unknown[],
    options?: { cause?: unknown },
  ) {
    super('MULTI_LOCK', message, options);
  }
}

/**
 * Why a leadership term ended (the `reason` of {@link LeadershipLostError}, the abort reason of
 * `leadership.signal`):
 * - `SUSPENDED`: the connection dropped (loss policy `'suspended'`, the default): we may still
 *   be first in line, but cannot know; leadership comes back (a new term) if the session survives.
 * - `SESSION_UNCONFIRMED`: no server has answered for our session for a whole session timeout
 *   (a paused process, a blocked event loop): the server may have expired it and another member
 *   may lead. A new term follows if a server confirms the session and our node still leads.
 * - `SESSION_LOST`: the session expired (or was given up): our node is gone.
 * - `NODE_DELETED`: someone deleted our node.
 * - `CLIENT_CLOSED`: the client was closed.
 * - `CLOSED`: the LeaderLatch or LeaderSelector was closed.
 * - `INTERRUPTED`: `LeaderSelector.interruptLeadership()` was called.
 * - `RELEASED`: leadership was given up on purpose: a LeaderSelector's callback settled (its
 *   node is deleted next), or a LeaderLatch queued again.
 * - `CONFLICT`: a member of the other recipe joined the election path (see
 *   {@link ElectionConflictError}); this member withdraws its node and reports the error.
 */
export type LeadershipLossReason =
  | 'SUSPENDED' | 'SESSION_UNCONFIRMED' | 'SESSION_LOST' | 'NODE_DELETED' | 'CLIENT_CLOSED' | 'CLOSED' | 'INTERRUPTED' | 'RELEASED'
  | 'CONFLICT';

/** A leadership term ended (or may have): the abort reason of `leadership.signal`. `reason` says why. */
export class LeadershipLostError extends ZkuratorError {
  constructor(
    /** The election path. */
    readonly path: string,
    /** Why the term ended. */
    readonly reason: LeadershipLossReason,
    message: string,
  ) {
    super('LEADERSHIP_LOST', `leadership of ${path}: ${message}`);
  }
}

/**
 * An election path holds both LeaderLatch nodes (`latch-`) and LeaderSelector or mutex nodes
 * (`lock-`). Each of Curator's two recipes sorts the other's nodes after all of its own, so the
 * first member of each kind would believe it leads: two leaders. zkurator refuses to take part
 * on such a path: it looks before creating its node, checks at every look in line, and a leader
 * watches the path while it leads; each time it withdraws its node. Use one recipe per path.
 * `latchNodes` and `lockNodes` are the child names of each kind found (the refusing member's
 * own kind may have none: its node was not created).
 */
export class ElectionConflictError extends ZkuratorError {
  constructor(
    /** The election path. */
    readonly path: string,
    /** LeaderLatch (`latch-`) child names found there (none when the refusing member is a latch whose node was not created). */
    readonly latchNodes: readonly string[],
    /** LeaderSelector or lock (`lock-`) child names found there (none when the refusing member is a selector whose node was not created). */
    readonly lockNodes: readonly string[],
  ) {
    const some = (nodes: readonly string[], what: string): string =>
      nodes.length > 0 ? `${what} nodes (${nodes.length}, e.g. ${nodes[0]})` : `this ${what} member (its node not created)`;
    super('ELECTION_CONFLICT', `election path ${path} would hold both ${some(latchNodes, 'LeaderLatch')} `
      + `and ${some(lockNodes, 'LeaderSelector or lock')}: Curator's LeaderLatch and LeaderSelector `
      + 'would each see a leader of their own there, so zkurator refuses to take part; use one recipe per path');
  }
}

/**
 * A LeaderLatch or LeaderSelector was used in a state that does not allow it: started twice,
 * started or awaited after `close()`, `requeue()` on a closed selector, or closed while
 * `start()` or `await()` waited.
 */
export class ElectionStateError extends ZkuratorError {
  constructor(message: string) {
    super('ELECTION_STATE', message);
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

/** One server of a connect string and what the last attempt to reach it ran into. */
export interface ConnectAttempt {
  /** `host:port` as in the connect string. */
  readonly server: string;
  /**
   * What the last attempt ran into, in words first: `connection refused: connect ECONNREFUSED
   * 127.0.0.1:2181`, `host name not resolved: getaddrinfo ENOTFOUND zk1`, `no answer within
   * 3333 ms (TCP connection not established)`, a TLS failure... Undefined: not tried in time.
   */
  readonly error: string | undefined;
}

/**
 * Could not connect to ZooKeeper within the connect timeout. The message names every server of
 * the connect string and what happened to it (`attempts`); `lastError` is what the last
 * attempt ran into (`host:port: what`), when known.
 */
export class ConnectTimeoutError extends ZkuratorError {
  constructor(
    /** The connect string given to `connect()`. */
    readonly connectString: string,
    /** The connect timeout in ms that passed. */
    readonly timeoutMs: number,
    /** What the last attempt ran into (`host:port: what`), when known. */
    readonly lastError?: string,
    /** Every server of the connect string and what its last attempt ran into. */
    readonly attempts: readonly ConnectAttempt[] = [],
  ) {
    super('CONNECT_TIMEOUT', `could not connect to ZooKeeper at ${connectString} within ${timeoutMs} ms`
      + (attempts.length > 0
        ? `: ${attempts.map((a) => `${a.server}: ${a.error ?? 'not tried in time'}`).join('; ')}`
        : lastError ? ` (last attempt: ${lastError})` : ''));
  }
}

/**
 * No host name of the connect string resolves: DNS answered "no such name" (ENOTFOUND) for
 * every server, so `connect()` fails at once rather than after its whole connect timeout.
 * `attempts` names each server and what resolving it ran into. A temporary DNS failure
 * (EAI_AGAIN: no answer from the resolver) is not this: connect() keeps trying until its
 * timeout, and the ConnectTimeoutError says "temporary DNS failure".
 */
export class HostNotFoundError extends ZkuratorError {
  constructor(
    /** The connect string given to `connect()`. */
    readonly connectString: string,
    /** Every server of the connect string and what resolving it ran into. */
    readonly attempts: readonly ConnectAttempt[],
  ) {
    super('HOST_NOT_FOUND', `cannot connect to ZooKeeper at ${connectString}: no host name of the connect string resolves ` +
      `(${attempts.map((a) => `${a.server}: ${a.error ?? 'not tried'}`).join('; ')}); check the connect string`);
  }
}

/**
 * A TLS connection cannot be set up, and trying again will not change that: the server's
 * certificate is not trusted or is not for the host name, the server refused the handshake
 * (no client certificate, or one it does not trust), or the TLS options themselves are
 * unusable (a key or certificate that does not parse). `tlsCode` is Node's code for the
 * failure (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`,
 * `ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE` with OpenSSL 3.0, `ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE`
 * with 3.2 and later...), `server` the `host:port` that failed (undefined
 * when the options failed before any connection). The original error is the `cause`.
 */
export class TlsError extends ZkuratorError {
  constructor(
    /** The `host:port` that failed (undefined when the options failed before any connection). */
    readonly server: string | undefined,
    /** Node's code for the failure, when it gave one. */
    readonly tlsCode: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('TLS', message, options);
  }
}

/**
 * The chroot of the connect string (`host:port/chroot`) does not exist on the server, so no
 * node can be created under it: ZooKeeper, like Curator, does not create a connect string's
 * chroot. Create it first (e.g. `create /app` in zkCli.sh) or leave it out of the connect
 * string. The server's NONODE error is the `cause`.
 */
export class ChrootNotFoundError extends ZkuratorError {
  constructor(
    /** The chroot that is missing, e.g. `/app`. */
    readonly chroot: string,
    /** The connect string it came from. */
    readonly connectString: string,
    options?: { cause?: unknown },
  ) {
    super('CHROOT_NOT_FOUND', `the chroot ${chroot} of connect string ${JSON.stringify(connectString)} does not exist on the server: ` +
      `create it first (e.g. "create ${chroot}" in zkCli.sh) or leave it out of the connect string`, options);
  }
}

/**
 * A ZooKeeper operation failed with a server or client error code. `zkCode` is the numeric
 * ZooKeeper code (e.g. -101 for NONODE) and `zkName` its symbolic name.
 */
export class ZooKeeperError extends ZkuratorError {
  constructor(
    /** ZooKeeper's numeric error code (e.g. -101 for NONODE). */
    readonly zkCode: number,
    /** ZooKeeper's name for the code (e.g. `NONODE`). */
    readonly zkName: string,
    /** The operation that failed (`create`, `getData`, `multi (op 2 of 3: delete)`...). */
    readonly operation: string,
    /** The path the operation was on, as the caller gave it. */
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
/** A permission of ZooKeeper's ACLs (ZooDefs.Perms), by name. */
export type Permission = 'READ' | 'WRITE' | 'CREATE' | 'DELETE' | 'ADMIN';

/**
 * The permission a ZooKeeper operation needs, and on which node: creating and deleting a node
 * are governed by its PARENT's ACL (CREATE, DELETE), reads by the node's own (READ), setData
 * by WRITE, setACL by ADMIN. Undefined for an operation we cannot tell (a whole multi).
 */
export function permissionFor(operation: string, path: string): { permission: Permission; on: string } | undefined {
  const parent = path.lastIndexOf('/') > 0 ? path.slice(0, path.lastIndexOf('/')) : '/';
  const op = /^multi \(op \d+ of \d+: (\w+)\)$/.exec(operation)?.[1] ?? operation;
  switch (op) {
    case 'create': return { permission: 'CREATE', on: parent };
    case 'delete': return { permission: 'DELETE', on: parent };
    case 'getData': case 'getChildren': case 'check': case 'getACL': return { permission: 'READ', on: path };
    case 'setData': return { permission: 'WRITE', on: path };
    case 'setACL': return { permission: 'ADMIN', on: path };
    default: return undefined;
  }
}

/**
 * The session lacks the permission for this operation (ZooKeeper NOAUTH). `operation` and
 * `path` name the refused request, `permission` the right it needed and `permissionOn` the
 * node whose ACL withholds it (the parent, for a create or a delete).
 */
export class NoAuthError extends ZooKeeperError {
  /** The permission the refused operation needs (undefined if it cannot be told). */
  readonly permission: Permission | undefined;
  /** The node whose ACL must grant it: the parent for create and delete, else `path`. */
  readonly permissionOn: string | undefined;

  constructor(zkCode: number, zkName: string, operation: string, path: string, message?: string) {
    const needed = permissionFor(operation, path);
    super(zkCode, zkName, operation, path, message ?? `ZooKeeper refused ${operation} ${path}: ${zkName} (${zkCode})` +
      (needed ? `: this session lacks ${needed.permission} permission on ${needed.on}` : ''));
    this.permission = needed?.permission;
    this.permissionOn = needed?.on;
  }
}
/** The node's version is not the one the operation expected (ZooKeeper BADVERSION). */
export class BadVersionError extends ZooKeeperError {}
/**
 * A node was to be created under an ephemeral node, which cannot have children (ZooKeeper
 * NOCHILDRENFOREPHEMERALS). From a lock: its lock path is an ephemeral node, or lies under
 * one; the message names it. Locks need a persistent or container parent.
 */
export class NoChildrenForEphemeralsError extends ZooKeeperError {}
/** The server refused the credentials given with `addAuth` (ZooKeeper AUTHFAILED). Terminal for the session. */
export class AuthFailedError extends ZooKeeperError {}
