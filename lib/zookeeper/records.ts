// The records of ZooKeeper's client protocol (zookeeper.jute), written and read with jute.
// Names follow zookeeper.jute so a reader can check each field against it.
import { JuteDecodeError, JuteReader, JuteWriter } from './jute.js';
import { OpCode, createOpCode, isTtlMode } from './protocol.js';

/** An ACL identity: `world:anyone`, `digest:user:hash`, `ip:10.0.0.0/8`, `auth:`... */
export interface Id {
  /** `world`, `auth`, `digest`, `ip`, `x509`... */
  scheme: string;
  /** Who, in that scheme (`anyone`, `user:<base64 sha1>`, an address...). */
  id: string;
}

/** One ACL entry: permission bits ({@link Perms}) granted to an identity. */
export interface ACL {
  /** The permissions granted, a sum of {@link Perms} bits. */
  perms: number;
  /** To whom. */
  id: Id;
}

/** A node's metadata exactly as the server sends it (times in ms since the epoch). */
export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  /** Session id owning an ephemeral node, 0n otherwise. */
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

/** Stat is 68 bytes on the wire: the least a vector of stats can take per item. */
const STAT_BYTES = 8 * 4 + 4 * 3 + 8 + 4 * 2 + 8;

export function writeACL(w: JuteWriter, acl: ACL): void {
  w.int(acl.perms).ustring(acl.id.scheme).ustring(acl.id.id);
}

export function readACL(r: JuteReader): ACL {
  const perms = r.int();
  return { perms, id: { scheme: r.string('ACL scheme'), id: r.string('ACL id') } };
}

export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.long(), mzxid: r.long(), ctime: r.long(), mtime: r.long(),
    version: r.int(), cversion: r.int(), aversion: r.int(), ephemeralOwner: r.long(),
    dataLength: r.int(), numChildren: r.int(), pzxid: r.long(),
  };
}

export function writeStat(w: JuteWriter, s: Stat): void {
  w.long(s.czxid).long(s.mzxid).long(s.ctime).long(s.mtime).int(s.version).int(s.cversion).int(s.aversion)
    .long(s.ephemeralOwner).int(s.dataLength).int(s.numChildren).long(s.pzxid);
}

// ---- Session handshake (no RequestHeader) ----------------------------------------------------

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  readOnly: boolean;
}

export function writeConnectRequest(w: JuteWriter, c: ConnectRequest): void {
  w.int(c.protocolVersion).long(c.lastZxidSeen).int(c.timeOut).long(c.sessionId).buffer(c.passwd).bool(c.readOnly);
}

export interface ConnectResponse {
  protocolVersion: number;
  /** The negotiated session timeout; 0 or less means the session we asked for has expired. */
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  readOnly: boolean;
}

export function readConnectResponse(r: JuteReader): ConnectResponse {
  const protocolVersion = r.int();
  const timeOut = r.int();
  const sessionId = r.long();
  const passwd = r.buffer() ?? Buffer.alloc(0);
  // Servers before 3.4 do not send the read-only flag.
  const readOnly = r.remaining > 0 ? r.bool() : false;
  return { protocolVersion, timeOut, sessionId, passwd, readOnly };
}

// ---- Headers and events ----------------------------------------------------------------------

export function writeRequestHeader(w: JuteWriter, xid: number, type: number): void {
  w.int(xid).int(type);
}

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export function readReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.int(), zxid: r.long(), err: r.int() };
}

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

export function readWatcherEvent(r: JuteReader): WatcherEvent {
  return { type: r.int(), state: r.int(), path: r.ustring() ?? '' };
}

// ---- Request bodies --------------------------------------------------------------------------

export interface CreateRequest {
  path: string;
  data: Uint8Array;
  acl: readonly ACL[];
  flags: number;
  /** Only with a TTL create mode (CreateTTLRequest). */
  ttl?: bigint;
}

export function writeCreateRequest(w: JuteWriter, c: CreateRequest): void {
  w.ustring(c.path).buffer(c.data).vector(c.acl, writeACL).int(c.flags);
  if (c.ttl !== undefined) w.long(c.ttl);
}

/** `{path, watch}`: exists, getData, getChildren, getChildren2. */
export function writePathWatch(w: JuteWriter, path: string, watch: boolean): void {
  w.ustring(path).bool(watch);
}

/** `{path, version}`: delete, check. */
export function writePathVersion(w: JuteWriter, path: string, version: number): void {
  w.ustring(path).int(version);
}

export function writeSetDataRequest(w: JuteWriter, path: string, data: Uint8Array, version: number): void {
  w.ustring(path).buffer(data).int(version);
}

export function writeSetACLRequest(w: JuteWriter, path: string, acl: readonly ACL[], version: number): void {
  w.ustring(path).vector(acl, writeACL).int(version);
}

export function writeAuthPacket(w: JuteWriter, scheme: string, auth: Uint8Array): void {
  w.int(0).ustring(scheme).buffer(auth);
}

export interface SetWatches {
  relativeZxid: bigint;
  dataWatches: readonly string[];
  existWatches: readonly string[];
  childWatches: readonly string[];
}

export function writeSetWatches(w: JuteWriter, s: SetWatches): void {
  const str = (x: JuteWriter, p: string): void => { x.ustring(p); };
  w.long(s.relativeZxid).vector(s.dataWatches, str).vector(s.existWatches, str).vector(s.childWatches, str);
}

// ---- Response bodies -------------------------------------------------------------------------

export function readStringList(r: JuteReader): string[] {
  return r.vector((x) => x.string('child name'), 4) ?? [];
}

export function readACLList(r: JuteReader): ACL[] {
  return r.vector(readACL, 12) ?? [];
}

// ---- multi -----------------------------------------------------------------------------------

/** One operation of a {@link multi} transaction. */
export type MultiOp =
  | { type: 'create'; path: string; data: Uint8Array; acl: readonly ACL[]; mode: number; /** ms, for a TTL mode only */ ttl?: bigint }
  | { type: 'delete'; path: string; version: number }
  | { type: 'setData'; path: string; data: Uint8Array; version: number }
  | { type: 'check'; path: string; version: number };

/** The result of one operation of a multi, in the order the operations were given. */
export type MultiResult =
  | { type: 'create'; path: string; stat?: Stat }
  | { type: 'delete' }
  | { type: 'setData'; stat: Stat }
  | { type: 'check' }
  | { type: 'error'; err: number };

/** Op codes inside a multi (container and TTL creates have their own, as outside). */
function multiOpCode(op: MultiOp): number {
  switch (op.type) {
    case 'create': return createOpCode(op.mode, false);
    case 'delete': return OpCode.delete;
    case 'setData': return OpCode.setData;
    case 'check': return OpCode.check;
  }
}

export function writeMultiRequest(w: JuteWriter, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    w.int(multiOpCode(op)).bool(false).int(-1);
    switch (op.type) {
      case 'create':
        writeCreateRequest(w, { path: op.path, data: op.data, acl: op.acl, flags: op.mode, ...(isTtlMode(op.mode as never) ? { ttl: op.ttl ?? 0n } : {}) });
        break;
      case 'delete':
      case 'check': writePathVersion(w, op.path, op.version); break;
      case 'setData': writeSetDataRequest(w, op.path, op.data, op.version); break;
    }
  }
  w.int(-1).bool(true).int(-1);
}

export function readMultiResponse(r: JuteReader): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const type = r.int();
    const done = r.bool();
    const err = r.int();
    if (done) break;
    switch (type) {
      case OpCode.create: results.push({ type: 'create', path: r.string('created path') }); break;
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: results.push({ type: 'create', path: r.string('created path'), stat: readStat(r) }); break;
      case OpCode.delete: results.push({ type: 'delete' }); break;
      case OpCode.setData: results.push({ type: 'setData', stat: readStat(r) }); break;
      case OpCode.check: results.push({ type: 'check' }); break;
      case OpCode.error: results.push({ type: 'error', err: r.int() }); break;
      default: throw new JuteDecodeError(`unknown multi result type ${type} (err ${err})`);
    }
    if (results.length > 100_000) throw new JuteDecodeError('multi response has no end marker');
  }
  return results;
}

export { STAT_BYTES };
