// One ZooKeeper session, kept alive across connections: the handshake, pings and read
// timeouts, reconnecting through the host list with the same session id and password,
// auth and watches replayed on every new connection, requests pipelined and their replies
// matched in order. Its end is final (expired, auth failed, TLS failed or closed); the
// ZkClient above it opens a new session when it wants one.
//
// Every socket event is handled here and nothing from a socket can throw out of it: a reply
// that cannot be decoded, a reply out of order or a frame length out of range drops the
// connection (every request in flight fails with CONNECTIONLOSS) and the session moves on to
// the next server, as ZooKeeper's Java client does.
import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type ConnectionOptions as TlsConnectionOptions, type SecureContext } from 'node:tls';
import {
  ClientClosedError, ConnectionLossError, HostNotFoundError, SessionExpiredError, TlsError, ValidationError, type ZkuratorError,
  type ConnectAttempt,
} from '../errors.js';
import { zooKeeperError } from './zookeeper-error.js';
import type { HostAddress } from './connect-string.js';
import { FrameDecoder } from './framing.js';
import { HostProvider } from './host-provider.js';
import { JuteDecodeError, JuteReader, type JuteWriter, buildFrame } from './jute.js';
import { validatePath } from './path.js';
import { DEFAULT_MAX_REQUEST_BYTES, ErrorCode, EventType, OpCode, Xid, createOpCode, errorCodeName, isSequential, isTtlMode } from './protocol.js';
import {
  type ACL, type MultiOp, type MultiResult, type Stat, readACLList, readConnectResponse, readMultiResponse, readReplyHeader,
  readStat, readStringList, readWatcherEvent, writeAuthPacket, writeConnectRequest, writeCreateRequest, writeMultiRequest,
  writePathVersion, writePathWatch, writeRequestHeader, writeSetACLRequest, writeSetDataRequest, writeSetWatches,
} from './records.js';
import { WatchRegistry, type WatchKind, type Watcher } from './watch-registry.js';
import { permanentTlsFailure, unusableTlsOptions } from './tls-failure.js';
import { errorText, socketFailureText } from './socket-failure.js';
import { fromServerPath, toServerPath } from './chroot.js';

/** Credentials sent with every connection of the session (ZooKeeper's addAuth). */
export interface AuthInfo {
  scheme: string;
  auth: Uint8Array;
}

export interface SessionOptions {
  hosts: readonly HostAddress[];
  /** Prefix of every path on the server (`''` for none). */
  chroot: string;
  /** Requested session timeout, ms. The server clamps it to its min/max. */
  sessionTimeout: number;
  /** Resume an existing session instead of creating one. */
  resume?: { id: bigint; password: Uint8Array };
  tls?: TlsConnectionOptions;
  /**
   * End the session (state `tlsFailed`) when, before it was ever connected, every server in
   * turn failed TLS for good (certificate not trusted or not for the host, handshake refused
   * by the server). Otherwise such failures are retried like any other: a certificate may be
   * fixed while a connected session waits.
   */
  tlsFailFast?: boolean;
  /**
   * End the session (state `unresolved`) when, before it was ever connected, the last attempt
   * on every server of the connect string found its host name unknown to DNS (ENOTFOUND).
   * A temporary DNS failure (EAI_AGAIN) does not count: the next attempt may resolve.
   */
  resolveFailFast?: boolean;
  auth?: readonly AuthInfo[];
  /** Largest request payload sent (a bigger one is refused before it is sent). */
  maxRequestBytes?: number;
  /** Largest reply frame accepted (a bigger length drops the connection). */
  maxReplyBytes?: number;
}

/**
 * - `connecting`: no connection yet, or the connection dropped; the session may be alive.
 * - `connected`: a server accepted the session, and the credentials sent with it; requests flow.
 * - `expired` / `authFailed` / `tlsFailed` / `unresolved` / `closed`: the end of this session; every request
 *   fails. `failure` says why.
 */
export type SessionState = 'connecting' | 'connected' | 'expired' | 'authFailed' | 'tlsFailed' | 'unresolved' | 'closed';

interface SessionEvents {
  state: [state: SessionState];
}

interface Request<T> {
  xid: number;
  op: number;
  /** For errors: the operation and the caller's path. */
  operation: string;
  path: string;
  frame: Buffer;
  decode: (r: JuteReader) => T;
  /** A value to resolve with when the node does not exist (exists() without a node). */
  onNoNode: (() => T) | undefined;
  watch: { watcher: Watcher; kind: 'data' | 'child' | 'exists' } | undefined;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
  /** `performance.now()` when it was written to a connection. */
  sentAt?: number;
}

interface Connection {
  socket: Socket;
  host: HostAddress;
  decoder: FrameDecoder;
  ready: boolean;
  inflight: Request<unknown>[];
  lastSend: number;
  lastRecv: number;
  timer: NodeJS.Timeout | undefined;
  corked: boolean;
  /** Credentials sent with the handshake the server has not answered yet: `connected` waits for them. */
  authsPending: number;
  /** The socket's own error, if it reported one before closing. */
  error: Error | undefined;
  /** performance.now() when the attempt began. */
  openedAt: number;
  /** When the handshake was written. */
  handshakeSentAt: number;
  /** When each unanswered ping was written, oldest first (answered in order). */
  pingsSentAt: number[];
}

const EMPTY_PASSWORD = Buffer.alloc(16);
/** Java client's cap on the ping interval. */
const MAX_PING_INTERVAL_MS = 10_000;
/** setWatches packets stay well below the server's packet limit (ZOOKEEPER-706). */
const SET_WATCHES_MAX_BYTES = 128 * 1024;
/** Largest reply frame accepted by default (a long children listing can pass 1 MB). */
const DEFAULT_MAX_REPLY_BYTES = 16 * 1024 * 1024;
/** Size of the one buffer each connection reads into. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Floor of the time one connection attempt (TCP, TLS, handshake) may take. */
const MIN_CONNECT_ATTEMPT_MS = 1_000;
/** Longest wait for the server's answer to closeSession. */
const CLOSE_WAIT_MS = 2_000;

export class ZooKeeperSession extends EventEmitter<SessionEvents> {
  private currentState: SessionState = 'connecting';
  private readonly hosts: HostProvider;
  private readonly chroot: string;
  private readonly maxRequestBytes: number;
  private readonly maxReplyBytes: number;
  private readonly auths: AuthInfo[];
  private readonly watches = new WatchRegistry();
  private conn: Connection | undefined;
  /** Requests made while no connection is ready; sent in order once one is. */
  private outgoing: Request<unknown>[] = [];
  private xid = 0;
  private id = 0n;
  private password: Buffer = EMPTY_PASSWORD;
  private negotiated = 0;
  private zxid = 0n;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private refed = true;
  private lastHeard = performance.now();
  /** See lastConfirmedAt. */
  private confirmed = 0;
  private lastError: string | undefined;
  /** What the last attempt on each server ran into, since the last successful handshake. */
  private readonly attemptErrors = new Map<string, string>();
  /** Built once from the TLS options (so bad options fail here, not on every attempt). */
  private readonly secureContext: SecureContext | undefined;
  /** Connection attempts in a row that failed TLS for good. */
  private tlsFailures = 0;
  /** Servers whose last attempt found the host name unknown to DNS (ENOTFOUND). */
  private readonly unresolved = new Set<string>();
  private endError: ZkuratorError | undefined;

  /** @throws TlsError when the TLS options cannot be used (a key or certificate that does not parse). */
  constructor(private readonly options: SessionOptions) {
    super();
    this.setMaxListeners(0);
    this.hosts = new HostProvider(options.hosts);
    this.chroot = options.chroot;
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    this.auths = [...(options.auth ?? [])];
    if (options.tls) {
      try {
        this.secureContext = options.tls.secureContext ?? createSecureContext(options.tls);
      } catch (err) {
        throw unusableTlsOptions(err);
      }
    }
    if (options.resume) {
      this.id = options.resume.id;
      this.password = Buffer.from(options.resume.password);
    }
    this.nextAttempt();
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** The session id (0n until a server has granted one). */
  get sessionId(): bigint {
    return this.id;
  }

  get sessionPassword(): Buffer {
    return Buffer.from(this.password);
  }

  /** The session timeout the server granted, ms (0 before the first connection). */
  get negotiatedTimeout(): number {
    return this.negotiated;
  }

  /** The newest zxid this session has seen in a reply. */
  get lastZxid(): bigint {
    return this.zxid;
  }

  /** `performance.now()` when a server was last heard from (any bytes, pings included). */
  get lastHeardAt(): number {
    return this.lastHeard;
  }

  /**
   * `performance.now()` when we sent the latest request (or ping, or handshake) that a server
   * has answered for this session, 0 before any. The server restarted its expiry clock for the
   * session when it received that request, which was no earlier than this: so the session
   * lives at least until this time plus the negotiated timeout. (A reply's arrival time would
   * overstate it by the round trip, and after a pause, by the whole time the reply sat unread.)
   */
  get lastConfirmedAt(): number {
    return this.confirmed;
  }

  private confirm(sentAt: number | undefined): void {
    if (sentAt !== undefined && sentAt > this.confirmed) this.confirmed = sentAt;
  }

  /** What the last failed connection attempt ran into (for error messages). */
  get lastConnectError(): string | undefined {
    return this.lastError;
  }

  /**
   * Every server of the connect string, in its order, with what its last connection attempt
   * since the last successful handshake ran into (for error messages).
   */
  get connectAttempts(): ConnectAttempt[] {
    const current = this.conn && !this.conn.ready ? this.conn : undefined;
    return this.options.hosts.map(({ host, port }) => {
      const server = `${host}:${port}`;
      if (current && current.host.host === host && current.host.port === port) {
        // An attempt under way when the connect timeout fires: say so, and what the one before
        // it ran into (that is usually the real problem, e.g. the server closing on us).
        const ms = Math.round(performance.now() - current.openedAt);
        const before = this.attemptErrors.get(server);
        return { server, error: (current.socket.connecting
          ? `no answer yet (TCP connection not established after ${ms} ms)`
          : `connected, but no answer to the session handshake yet (after ${ms} ms)`)
          + (before === undefined ? '' : `; the attempt before: ${before}`) };
      }
      return { server, error: this.attemptErrors.get(server) };
    });
  }

  /** Why the session ended (expired, auth or TLS failure, closed); undefined while it lives. */
  get failure(): ZkuratorError | undefined {
    return this.endError;
  }

  /** The server this session is connected to, while it is. */
  get server(): HostAddress | undefined {
    return this.conn?.ready ? this.conn.host : undefined;
  }

  /** Number of watch registrations kept for re-registration (diagnostics). */
  get watchCount(): number {
    return this.watches.size;
  }

  private get terminal(): boolean {
    return this.currentState === 'expired' || this.currentState === 'authFailed' || this.currentState === 'tlsFailed'
      || this.currentState === 'unresolved' || this.currentState === 'closed';
  }

  // ---- connecting ----------------------------------------------------------------------------

  private nextAttempt(): void {
    if (this.terminal || this.closing) return;
    const { host, delayMs } = this.hosts.next();
    if (delayMs === 0) {
      this.attempt(host);
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.attempt(host);
    }, delayMs);
    if (!this.refed) this.retryTimer.unref();
  }

  private attempt(host: HostAddress): void {
    if (this.terminal || this.closing) return;
    const tls = this.options.tls;
    // Reads land in one buffer per connection (no allocation per read): the decoder copies
    // out what it keeps, and replies copy out the strings and data they hand over.
    const onread = { buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES), callback: (n: number, buf: Uint8Array): boolean => {
      this.onData(conn, Buffer.from(buf.buffer, buf.byteOffset, n));
      return true;
    } };
    // (TLS sockets decrypt into buffers of their own: they deliver 'data' events.)
    const socket = tls
      ? tlsConnect({
        ...tls, secureContext: this.secureContext, host: host.host, port: host.port,
        servername: tls.servername ?? (/^[\d.:]+$/.test(host.host) ? undefined : host.host),
      })
      : netConnect({ host: host.host, port: host.port, onread });
    if (tls) socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    const conn: Connection = {
      socket, host, decoder: new FrameDecoder(this.maxReplyBytes), ready: false, inflight: [],
      lastSend: performance.now(), lastRecv: performance.now(), timer: undefined, corked: false, authsPending: 0, error: undefined,
      openedAt: performance.now(),
      handshakeSentAt: 0, pingsSentAt: [],
    };
    this.conn = conn;
    if (!this.refed) socket.unref();
    socket.setNoDelay(true);
    const base = this.negotiated > 0 ? this.negotiated : this.options.sessionTimeout;
    // At most a third of the session timeout per attempt, so a connection the server accepts
    // and never answers cannot use up the session: ZooKeeper 3.8 does that to a connection that
    // arrives while it starts up ("ZooKeeperServer not running", then a NullPointerException in
    // its close leaves the socket open), and a lone server would otherwise cost us the session.
    const attemptMs = Math.max(MIN_CONNECT_ATTEMPT_MS, Math.floor(Math.min(base / this.hosts.size, base / 3)));
    conn.timer = setTimeout(() => this.drop(conn, socket.connecting
      ? `no answer within ${attemptMs} ms (TCP connection not established)`
      : `connected, but no answer to the session handshake within ${attemptMs} ms`), attemptMs);
    if (!this.refed) conn.timer.unref();
    socket.once(tls ? 'secureConnect' : 'connect', () => this.sendHandshake(conn));
    socket.on('error', (err) => { conn.error ??= err; });
    socket.on('close', () => {
      const why = conn.error ? socketFailureText(conn.error)
        : `connection closed by the server${conn.ready ? '' : ' before the session handshake'}`;
      this.drop(conn, why);
    });
  }

  private sendHandshake(conn: Connection): void {
    if (conn !== this.conn) return;
    conn.handshakeSentAt = performance.now();
    this.write(conn, buildFrame((w) => writeConnectRequest(w, {
      protocolVersion: 0, lastZxidSeen: this.zxid, timeOut: this.options.sessionTimeout,
      sessionId: this.id, passwd: this.password, readOnly: false,
    })));
  }

  private onData(conn: Connection, chunk: Buffer): void {
    if (conn !== this.conn) return;
    conn.lastRecv = this.lastHeard = performance.now();
    try {
      conn.decoder.push(chunk, (frame) => {
        if (conn.ready) this.onReply(conn, frame);
        else this.onHandshake(conn, frame);
        return conn === this.conn; // the frame may have ended the connection (or the session)
      });
    } catch (err) {
      // Only decoding can throw here (listeners are isolated): the stream cannot be trusted.
      this.drop(conn, `bad data from the server: ${errorText(err)}`);
    }
  }

  private onHandshake(conn: Connection, frame: Buffer): void {
    const resp = readConnectResponse(new JuteReader(frame));
    if (resp.timeOut <= 0) {
      this.end('expired', new SessionExpiredError());
      return;
    }
    if (conn.timer) clearTimeout(conn.timer);
    this.id = resp.sessionId;
    this.password = resp.passwd;
    this.negotiated = resp.timeOut;
    this.confirm(conn.handshakeSentAt);
    this.lastError = undefined;
    this.attemptErrors.clear();
    this.tlsFailures = 0;
    conn.ready = true;
    this.hosts.connected();
    // Credentials, then watches, then the queued requests: the server applies them in order,
    // so no request runs before the session is authenticated and its watches are back.
    for (const a of this.auths) this.write(conn, this.authFrame(a));
    conn.authsPending = this.auths.length;
    this.sendSetWatches(conn);
    const queued = this.outgoing;
    this.outgoing = [];
    for (const req of queued) this.transmit(conn, req);
    this.schedulePing(conn);
    // With credentials, `connected` waits for the server to accept them (it answers an auth
    // packet at once, in order): refused credentials end the session without it ever having
    // looked usable, so connect() can fail with AuthFailedError instead of resolving.
    if (conn.authsPending === 0) this.setState('connected');
  }

  private authFrame(a: AuthInfo): Buffer {
    return buildFrame((w) => {
      writeRequestHeader(w, Xid.auth, OpCode.auth);
      writeAuthPacket(w, a.scheme, a.auth);
    });
  }

  private sendSetWatches(conn: Connection): void {
    if (this.watches.size === 0) return;
    const paths = this.watches.paths();
    const lists: Record<WatchKind, string[]> = { data: [], exist: [], child: [] };
    let bytes = 0;
    const flush = (): void => {
      this.write(conn, buildFrame((w) => {
        writeRequestHeader(w, Xid.setWatches, OpCode.setWatches);
        writeSetWatches(w, { relativeZxid: this.zxid, dataWatches: lists.data, existWatches: lists.exist, childWatches: lists.child });
      }));
      lists.data = []; lists.exist = []; lists.child = [];
      bytes = 0;
    };
    for (const kind of ['data', 'exist', 'child'] as const) {
      for (const p of paths[kind]) {
        const server = this.toServerPath(p);
        const size = Buffer.byteLength(server) + 4;
        if (bytes + size > SET_WATCHES_MAX_BYTES) flush();
        lists[kind].push(server);
        bytes += size;
      }
    }
    if (bytes > 0) flush();
  }

  private onReply(conn: Connection, frame: Buffer): void {
    const r = new JuteReader(frame);
    const h = readReplyHeader(r);
    switch (h.xid) {
      case Xid.ping:
        this.confirm(conn.pingsSentAt.shift());
        return;
      case Xid.setWatches:
        return;
      case Xid.notification: {
        const event = readWatcherEvent(r);
        if (event.type === EventType.None) return; // session events come from the connection itself
        const path = this.fromServerPath(event.path);
        for (const watcher of this.watches.take(event.type, path)) {
          this.isolate(() => watcher({ type: event.type as EventType, path }));
        }
        return;
      }
      case Xid.auth:
        if (h.err !== ErrorCode.OK) {
          this.end('authFailed', zooKeeperError(h.err, 'auth', this.auths.map((a) => a.scheme).join(',')));
          return;
        }
        // Replies come in order: the handshake's credentials are answered first.
        if (conn.authsPending > 0 && --conn.authsPending === 0) this.setState('connected');
        return;
      default:
        break;
    }
    const req = conn.inflight.shift();
    if (!req || req.xid !== h.xid) {
      if (req) conn.inflight.unshift(req);
      throw new JuteDecodeError(`reply xid ${h.xid} does not match the oldest request (${req ? req.xid : 'none'})`);
    }
    if (h.zxid > 0n) this.zxid = h.zxid;
    if (h.err !== ErrorCode.SESSIONEXPIRED) this.confirm(req.sentAt);
    try {
      this.complete(req, h.err, r);
    } catch (decodeError) {
      // The server may well have applied the request: its outcome is unknown, like that of
      // every other request on the connection we now drop (CONNECTIONLOSS, not a hard error).
      conn.inflight.unshift(req);
      throw decodeError;
    }
  }

  private complete<T>(req: Request<T>, err: number, r: JuteReader): void {
    if (err === ErrorCode.OK || (req.op === OpCode.multi && r.remaining > 0)) {
      const value = req.decode(r);
      if (req.watch) this.watches.add(req.watch.kind === 'child' ? 'child' : 'data', req.path, req.watch.watcher);
      req.resolve(value);
      return;
    }
    if (err === ErrorCode.NONODE && req.onNoNode) {
      if (req.watch?.kind === 'exists') this.watches.add('exist', req.path, req.watch.watcher);
      req.resolve(req.onNoNode());
      return;
    }
    req.reject(zooKeeperError(err, req.operation, req.path));
  }

  // ---- connection upkeep --------------------------------------------------------------------

  /** One timer per connection: ping when idle, drop the connection when the server is silent. */
  private schedulePing(conn: Connection): void {
    const readTimeout = Math.floor((this.negotiated * 2) / 3);
    const pingInterval = Math.min(Math.floor(readTimeout / 2), MAX_PING_INTERVAL_MS);
    const tick = (): void => {
      if (conn !== this.conn) return;
      const now = performance.now();
      const silent = now - conn.lastRecv;
      if (silent >= readTimeout) {
        this.drop(conn, `no reply for ${Math.round(silent)} ms`);
        return;
      }
      if (now - conn.lastSend >= pingInterval) {
        this.write(conn, buildFrame((w) => writeRequestHeader(w, Xid.ping, OpCode.ping)));
        conn.pingsSentAt.push(conn.lastSend);
      }
      const next = Math.min(conn.lastSend + pingInterval, conn.lastRecv + readTimeout) - performance.now();
      conn.timer = setTimeout(tick, Math.max(1, Math.ceil(next)));
      if (!this.refed) conn.timer.unref();
    };
    conn.timer = setTimeout(tick, pingInterval);
    if (!this.refed) conn.timer.unref();
  }

  /**
   * Writes one frame. Writes of one iteration of the event loop are corked together (until its
   * check phase, setImmediate), so a burst of pipelined requests leaves in one system call: also
   * the requests of every socket event handled in that iteration (an HTTP gateway answering many
   * clients at once), not only those of one callback and its microtasks (process.nextTick).
   */
  private write(conn: Connection, frame: Buffer): void {
    if (!conn.corked) {
      conn.corked = true;
      conn.socket.cork();
      setImmediate(() => {
        conn.corked = false;
        conn.socket.uncork();
      });
    }
    conn.socket.write(frame);
    conn.lastSend = performance.now();
  }

  private transmit(conn: Connection, req: Request<unknown>): void {
    conn.inflight.push(req);
    this.write(conn, req.frame);
    req.sentAt = conn.lastSend;
  }

  /**
   * The connection is over (closed, timed out, or untrustworthy). Every request on it fails
   * with CONNECTIONLOSS (it may or may not have been applied); nothing is re-sent.
   */
  private drop(conn: Connection, what: string): void {
    if (conn !== this.conn) return;
    this.conn = undefined;
    if (conn.timer) clearTimeout(conn.timer);
    conn.socket.destroy();
    const server = `${conn.host.host}:${conn.host.port}`;
    this.lastError = `${server}: ${what}`;
    this.attemptErrors.set(server, what);
    const failed = [...conn.inflight, ...this.outgoing];
    conn.inflight = [];
    this.outgoing = [];
    for (const req of failed) req.reject(zooKeeperError(ErrorCode.CONNECTIONLOSS, req.operation, req.path));
    if (this.terminal || this.closing) return;
    const tlsFailure = this.options.tls && conn.error ? permanentTlsFailure(conn.error, `${conn.host.host}:${conn.host.port}`) : undefined;
    this.tlsFailures = tlsFailure ? this.tlsFailures + 1 : 0;
    if (tlsFailure && this.options.tlsFailFast && this.negotiated === 0 && this.tlsFailures >= this.hosts.size) {
      this.end('tlsFailed', this.hosts.size > 1 ? this.everyServer(tlsFailure) : tlsFailure);
      return;
    }
    // A name DNS says does not exist will not exist on the next attempt either (as far as a
    // connect() can wait): once every server's name is unknown, fail rather than wait out the
    // connect timeout. EAI_AGAIN (the resolver did not answer) is temporary and retried.
    if ((conn.error as NodeJS.ErrnoException | undefined)?.code === 'ENOTFOUND') this.unresolved.add(server);
    else this.unresolved.delete(server);
    if (this.options.resolveFailFast && this.negotiated === 0 && this.everyServerUnresolved()) {
      this.end('unresolved', new HostNotFoundError(this.options.hosts.map(({ host, port }) => `${host}:${port}`).join(','), this.connectAttempts));
      return;
    }
    if (conn.ready) this.setState('connecting');
    this.nextAttempt();
  }

  /** True when the last attempt on every server of the connect string found its name unknown. */
  private everyServerUnresolved(): boolean {
    return this.options.hosts.every(({ host, port }) => this.unresolved.has(`${host}:${port}`));
  }

  /** The last of a round of TLS failures, said to be one of every server's. */
  private everyServer(last: TlsError): TlsError {
    return new TlsError(last.server, last.tlsCode, `${last.message} (each of the ${this.hosts.size} servers failed TLS in turn; this was the last)`, { cause: last.cause });
  }

  /** The session is over for good: fail everything, forget watches, report why. */
  private end(state: 'expired' | 'authFailed' | 'tlsFailed' | 'unresolved' | 'closed', error: ZkuratorError): void {
    if (this.terminal) return;
    this.currentState = state;
    this.endError = error;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      if (conn.timer) clearTimeout(conn.timer);
      conn.socket.destroy();
    }
    const failed = [...(conn?.inflight ?? []), ...this.outgoing];
    this.outgoing = [];
    for (const req of failed) req.reject(error);
    this.watches.clear();
    this.emitState(state);
  }

  private setState(state: SessionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emitState(state);
  }

  private emitState(state: SessionState): void {
    this.isolate(() => this.emit('state', state));
  }

  /**
   * Runs listener code. A listener that throws must not break the protocol state in the
   * middle of a reply; its error is re-thrown on its own, as an EventEmitter listener's would be.
   */
  private isolate(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      queueMicrotask(() => { throw err; });
    }
  }

  // ---- paths ---------------------------------------------------------------------------------

  /**
   * A caller's path, checked (a bad one throws ValidationError, before anything is sent) and
   * prefixed with the chroot.
   */
  private serverPath(path: string, operation: string, sequential = false): string {
    validatePath(path, operation, sequential);
    return this.toServerPath(path);
  }

  private toServerPath(path: string): string {
    return toServerPath(this.chroot, path);
  }

  private fromServerPath(path: string): string {
    return fromServerPath(this.chroot, path);
  }

  // ---- requests ------------------------------------------------------------------------------

  private submit<T>(
    op: number, operation: string, path: string, body: ((w: JuteWriter) => void) | undefined,
    decode: (r: JuteReader) => T, extra?: { onNoNode?: () => T; watch?: Request<T>['watch'] },
  ): Promise<T> {
    if (this.closing || this.currentState === 'closed') return Promise.reject(new ClientClosedError());
    if (this.currentState === 'expired') return Promise.reject(new SessionExpiredError(`the ZooKeeper session has expired (${operation} ${path})`));
    if (this.currentState === 'authFailed') return Promise.reject(zooKeeperError(ErrorCode.AUTHFAILED, operation, path));
    const xid = this.nextXid();
    let frame: Buffer;
    try {
      frame = buildFrame((w) => {
        writeRequestHeader(w, xid, op);
        body?.(w); // checks the paths: a bad one is refused here, before anything is sent
      });
    } catch (err) {
      return Promise.reject(err);
    }
    if (frame.length - 4 > this.maxRequestBytes) {
      return Promise.reject(new ValidationError(
        `${operation} ${path}: the request is ${frame.length - 4} bytes, more than the ${this.maxRequestBytes} bytes a server accepts (jute.maxbuffer)`));
    }
    return new Promise<T>((resolve, reject) => {
      const req: Request<T> = {
        xid, op, operation, path, frame, decode, onNoNode: extra?.onNoNode, watch: extra?.watch, resolve, reject,
      };
      const conn = this.conn;
      if (conn?.ready) this.transmit(conn, req as Request<unknown>);
      else this.outgoing.push(req as Request<unknown>);
    });
  }

  private nextXid(): number {
    this.xid = this.xid >= 0x7fffffff ? 1 : this.xid + 1;
    return this.xid;
  }

  /** Creates a node; resolves its path (with the sequence number for sequential modes). */
  create(path: string, data: Uint8Array, acl: readonly ACL[], mode: number, ttl?: bigint): Promise<string> {
    // Containers and TTL nodes are made by requests that always answer with the stat.
    if (createOpCode(mode, false) !== OpCode.create) return this.create2(path, data, acl, mode, ttl).then((r) => r.path);
    return this.submit(OpCode.create, 'create', path,
      (w) => writeCreateRequest(w, { path: this.serverPath(path, 'create', isSequential(mode)), data, acl, flags: mode }),
      (r) => this.fromServerPath(r.string('created path')));
  }

  /** Creates a node and returns its path and stat (create2 / createContainer / createTTL). */
  create2(path: string, data: Uint8Array, acl: readonly ACL[], mode: number, ttl?: bigint): Promise<{ path: string; stat: Stat }> {
    const op = createOpCode(mode, true);
    if (op === OpCode.createTTL && (ttl === undefined || ttl <= 0n)) {
      return Promise.reject(new ValidationError(`create ${path}: a TTL create mode needs a positive ttl`));
    }
    return this.submit(op, 'create', path,
      (w) => writeCreateRequest(w, { path: this.serverPath(path, 'create', isSequential(mode)), data, acl, flags: mode, ...(op === OpCode.createTTL ? { ttl } : {}) }),
      (r) => ({ path: this.fromServerPath(r.string('created path')), stat: readStat(r) }));
  }

  delete(path: string, version = -1): Promise<void> {
    return this.submit(OpCode.delete, 'delete', path, (w) => writePathVersion(w, this.serverPath(path, 'delete'), version), () => undefined);
  }

  /** The node's stat, or `null` when it does not exist. A watcher then waits for its creation. */
  exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    return this.submit<Stat | null>(OpCode.exists, 'exists', path, (w) => writePathWatch(w, this.serverPath(path, 'exists'), !!watcher), readStat,
      { onNoNode: () => null, ...(watcher ? { watch: { watcher, kind: 'exists' as const } } : {}) });
  }

  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: Stat }> {
    return this.submit(OpCode.getData, 'getData', path, (w) => writePathWatch(w, this.serverPath(path, 'getData'), !!watcher),
      (r) => ({ data: r.buffer() ?? Buffer.alloc(0), stat: readStat(r) }),
      watcher ? { watch: { watcher, kind: 'data' } } : {});
  }

  setData(path: string, data: Uint8Array, version = -1): Promise<Stat> {
    return this.submit(OpCode.setData, 'setData', path, (w) => writeSetDataRequest(w, this.serverPath(path, 'setData'), data, version), readStat);
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.submit(OpCode.getChildren, 'getChildren', path, (w) => writePathWatch(w, this.serverPath(path, 'getChildren'), !!watcher),
      readStringList, watcher ? { watch: { watcher, kind: 'child' } } : {});
  }

  /** Children and the parent's stat, read at one moment. */
  getChildren2(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: Stat }> {
    return this.submit(OpCode.getChildren2, 'getChildren', path, (w) => writePathWatch(w, this.serverPath(path, 'getChildren'), !!watcher),
      (r) => ({ children: readStringList(r), stat: readStat(r) }), watcher ? { watch: { watcher, kind: 'child' } } : {});
  }

  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.submit(OpCode.getACL, 'getACL', path, (w) => w.ustring(this.serverPath(path, 'getACL')),
      (r) => ({ acl: readACLList(r), stat: readStat(r) }));
  }

  setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    return this.submit(OpCode.setACL, 'setACL', path, (w) => writeSetACLRequest(w, this.serverPath(path, 'setACL'), acl, version), readStat);
  }

  /** Waits until the server this session talks to has caught up with the leader on `path`. */
  sync(path: string): Promise<string> {
    return this.submit(OpCode.sync, 'sync', path, (w) => w.ustring(this.serverPath(path, 'sync')),
      (r) => this.fromServerPath(r.string('synced path')));
  }

  /**
   * Runs the operations as one transaction: all are applied or none. Resolves each result;
   * if any failed, rejects with the typed error of the first failure, whose `results` holds
   * every operation's outcome.
   */
  async multi(ops: readonly MultiOp[]): Promise<MultiResult[]> {
    ops.forEach((op, i) => {
      if (op.type === 'create' && isTtlMode(op.mode as never) && (op.ttl === undefined || op.ttl <= 0n)) {
        throw new ValidationError(`multi (op ${i + 1} of ${ops.length}: create) ${op.path}: a TTL create mode needs a positive ttl`);
      }
    });
    const serverOps = (): MultiOp[] => ops.map((op, i) => ({
      ...op, path: this.serverPath(op.path, `multi (op ${i + 1} of ${ops.length}: ${op.type})`, op.type === 'create' && isSequential(op.mode)),
    }));
    const results = await this.submit(OpCode.multi, 'multi', ops[0]?.path ?? '/', (w) => writeMultiRequest(w, serverOps()),
      (r) => readMultiResponse(r).map((res) => (res.type === 'create' ? { ...res, path: this.fromServerPath(res.path) } : res)));
    const failed = results.findIndex((res) => res.type === 'error' && res.err !== ErrorCode.OK && res.err !== ErrorCode.RUNTIMEINCONSISTENCY);
    const firstError = failed >= 0 ? failed : results.findIndex((res) => res.type === 'error' && res.err !== ErrorCode.OK);
    if (firstError >= 0) {
      const res = results[firstError] as { type: 'error'; err: number };
      const error = zooKeeperError(res.err, `multi (op ${firstError + 1} of ${ops.length}: ${ops[firstError]?.type})`, ops[firstError]?.path ?? '/');
      throw Object.assign(error, { results });
    }
    return results;
  }

  /** Adds credentials: sent now if connected, and again on every reconnect. */
  addAuth(scheme: string, auth: Uint8Array): void {
    const info = { scheme, auth: Buffer.from(auth) };
    this.auths.push(info);
    const conn = this.conn;
    if (conn?.ready) this.write(conn, this.authFrame(info));
  }

  /** Forgets a watcher set by exists, getData or getChildren (its event will be ignored). */
  removeWatcher(kind: WatchKind, path: string, watcher: Watcher): void {
    this.watches.remove(kind, path, watcher);
  }

  /** Lets the process exit while this session is the only thing left (like `socket.unref()`). */
  unref(): void {
    this.refed = false;
    this.conn?.socket.unref();
    this.conn?.timer?.unref();
    this.retryTimer?.unref();
  }

  ref(): void {
    this.refed = true;
    this.conn?.socket.ref();
    this.conn?.timer?.ref();
    this.retryTimer?.ref();
  }

  /**
   * Ends the session on the server (its ephemeral nodes go at once) and closes the socket.
   * Requests already sent get their replies first; later ones fail with ClientClosedError.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      const conn = this.conn;
      if (conn?.ready && !this.terminal) {
        const xid = this.nextXid();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(CLOSE_WAIT_MS, Math.max(1, Math.floor(this.negotiated / 2))));
          const done = (): void => { clearTimeout(timer); resolve(); };
          const req: Request<void> = {
            xid, op: OpCode.closeSession, operation: 'closeSession', path: '/', decode: () => undefined,
            frame: buildFrame((w) => writeRequestHeader(w, xid, OpCode.closeSession)),
            onNoNode: undefined, watch: undefined, resolve: done, reject: done,
          };
          this.transmit(conn, req as Request<unknown>);
        });
      }
      this.end('closed', new ClientClosedError());
    })();
    return this.closing;
  }
}

export { errorCodeName };
