// Numbers of the ZooKeeper client protocol, as ZooKeeper's own sources define them
// (ZooDefs.OpCode, ZooDefs.Perms, CreateMode, Watcher.Event, KeeperException.Code).

/** Request types (ZooDefs.OpCode). */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  createContainer: 19,
  createTTL: 21,
  auth: 100,
  setWatches: 101,
  closeSession: -11,
  error: -1,
} as const;

/** Reserved xids: replies and events that do not answer a numbered request. */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

/** Create flags (CreateMode): how a node is created. */
export const CreateMode = {
  /** Stays until deleted. */
  PERSISTENT: 0,
  /** Deleted when the session that made it ends. */
  EPHEMERAL: 1,
  /** Persistent, with a 10-digit counter appended to the name. */
  PERSISTENT_SEQUENTIAL: 2,
  /** Ephemeral, with a 10-digit counter appended: what lock nodes are. */
  EPHEMERAL_SEQUENTIAL: 3,
  /** Deleted by the server some time after its last child goes: what lock paths are. */
  CONTAINER: 4,
  /** Persistent, deleted by the server once it has had no children for its TTL (needs the server's extended types). */
  PERSISTENT_WITH_TTL: 5,
  /** Persistent sequential with a TTL. */
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

/** Sequential modes: the server appends a 10-digit counter to the path. */
export function isSequential(mode: number): boolean {
  return mode === CreateMode.PERSISTENT_SEQUENTIAL || mode === CreateMode.EPHEMERAL_SEQUENTIAL
    || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
}

/**
 * The request type of a create in `mode`: containers and TTL nodes have their own (both answer
 * with the stat); otherwise `create` (path only) or `create2` (path and stat).
 */
export function createOpCode(mode: number, withStat: boolean): number {
  if (mode === CreateMode.CONTAINER) return OpCode.createContainer;
  if (isTtlMode(mode as CreateMode)) return OpCode.createTTL;
  return withStat ? OpCode.create2 : OpCode.create;
}

export function isTtlMode(mode: CreateMode): boolean {
  return mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
}

/** Permission bits of an ACL entry (ZooDefs.Perms). */
export const Perms = {
  /** Read the data and list the children. */
  READ: 1,
  /** Set the data. */
  WRITE: 2,
  /** Create children. */
  CREATE: 4,
  /** Delete children. */
  DELETE: 8,
  /** Set the ACL. */
  ADMIN: 16,
  /** Every permission. */
  ALL: 31,
} as const;

/** Watch event types (Watcher.Event.EventType). */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Keeper states carried in watch events (Watcher.Event.KeeperState). */
export const KeeperState = {
  Disconnected: 0,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Closed: 7,
  Expired: -112,
} as const;

/**
 * Every error code of KeeperException.Code (ZooKeeper 3.8/3.9), by number. -116 and -117 are
 * C-client-only codes and never come from a server; -126 is unassigned.
 */
export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

const NAMES = new Map<number, ErrorCodeName>(
  (Object.entries(ErrorCode) as [ErrorCodeName, number][]).map(([name, code]) => [code, name]),
);

/** The symbolic name of a ZooKeeper error code (`UNKNOWN_<n>` for a code ZooKeeper does not define). */
export function errorCodeName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN_${code}`;
}

/**
 * The largest request payload (after the 4-byte length) a server accepts by default: its
 * `jute.maxbuffer` (0xfffff). A bigger packet makes the server close the connection.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 0xfffff;
