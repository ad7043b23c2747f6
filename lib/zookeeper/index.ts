// zkurator's own ZooKeeper client: codec (jute, records), connection upkeep and session
// (session.ts), watches (watch-registry.ts). No native code.
export { ZooKeeperSession } from './session.js';
export type { AuthInfo, SessionOptions, SessionState } from './session.js';
export { parseConnectString } from './connect-string.js';
export type { HostAddress, ParsedConnectString } from './connect-string.js';
export { CreateMode, ErrorCode, EventType, OpCode, Perms, errorCodeName } from './protocol.js';
export type { ACL, Id, MultiOp, MultiResult, Stat } from './records.js';
export type { WatchedEvent, Watcher, WatchKind } from './watch-registry.js';
export { ANYONE_ID_UNSAFE, AUTH_IDS, CREATOR_ALL_ACL, CREATOR_ALL_ELSE_READ_ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, digestId } from './acl.js';
