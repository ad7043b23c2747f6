// The typed adapter over the npm `zookeeper` client. This is the ONLY file that touches the
// native binding: it turns numeric return codes into typed errors, session events into
// connection states, and keeps the binding's quirks (console noise, watcher callbacks that are
// never freed, a session that dies with its handle) away from the lock code.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import {
  ClientClosedError, ConnectTimeoutError, ConnectionLossError, NoNodeError, NodeExistsError,
  NotEmptyError, SessionExpiredError, ValidationError, ZooKeeperError,
} from './errors.js';

// ---- The slice of the native binding we use, typed here so no `any` escapes. ----------------
interface NativeStat {
  czxid: number; mzxid: number; pzxid: number; dataLength: number; numChildren: number;
  version: number; cversion: number; aversion: number; ctime: Date; mtime: Date;
  ephemeralOwner: string;
}
interface NativeHandle {
  init(config: Record<string, unknown>): unknown;
  close(): unknown;
  emit: (event: string, handle: unknown, arg: unknown) => void;
  readonly client_id: string;
  readonly client_password: string;
  readonly timeout: number;
  readonly state: number;
  a_create(path: string, data: Buffer, flags: number, cb: (rc: number, err: string, path: string) => void): number;
  a_get_children(path: string, watch: boolean, cb: (rc: number, err: string, children: string[] | null) => void): number;
  a_get_children2(path: string, watch: boolean, cb: (rc: number, err: string, children: string[] | null, stat: NativeStat | null) => void): number;
  a_get(path: string, watch: boolean, cb: (rc: number, err: string, stat: NativeStat | null, data: Buffer | null) => void): number;
  a_exists(path: string, watch: boolean, cb: (rc: number, err: string, stat: NativeStat | null) => void): number;
  a_set(path: string, data: Buffer, version: number, cb: (rc: number, err: string, stat: NativeStat | null) => void): number;
  a_delete_(path: string, version: number, cb: (rc: number, err: string) => void): number;
}
interface NativeWrapper { native: NativeHandle }
type NativeWrapperCtor = new (config: Record<string, unknown>) => NativeWrapper;

const require = createRequire(import.meta.url);
const ZooKeeperWrapper = require('zookeeper') as NativeWrapperCtor;

// ZooKeeper return codes (zookeeper.h). Kept numeric: the binding reports numbers.
const ZOK = 0;
const ZRUNTIMEINCONSISTENCY = -2;
const ZCONNECTIONLOSS = -4;
const ZOPERATIONTIMEOUT = -7;
const ZINVALIDSTATE = -9;
const ZNONODE = -101;
const ZNODEEXISTS = -110;
const ZNOTEMPTY = -111;
const ZSESSIONEXPIRED = -112;
const ZAUTHFAILED = -115;
const ZCLOSING = -116;
/** zoo_state() while connected (zookeeper.h ZOO_CONNECTED_STATE). */
const ZOO_CONNECTED_STATE = 3;
const CODE_NAMES: Record<number, string> = {
  [-1]: 'SYSTEMERROR', [-2]: 'RUNTIMEINCONSISTENCY', [-3]: 'DATAINCONSISTENCY',
  [-4]: 'CONNECTIONLOSS', [-5]: 'MARSHALLINGERROR', [-6]: 'UNIMPLEMENTED',
  [-7]: 'OPERATIONTIMEOUT', [-8]: 'BADARGUMENTS', [-9]: 'INVALIDSTATE', [-100]: 'APIERROR',
  [-101]: 'NONODE', [-102]: 'NOAUTH', [-103]: 'BADVERSION', [-108]: 'NOCHILDRENFOREPHEMERALS',
  [-110]: 'NODEEXISTS', [-111]: 'NOTEMPTY', [-112]: 'SESSIONEXPIRED', [-113]: 'INVALIDCALLBACK',
  [-114]: 'INVALIDACL', [-115]: 'AUTHFAILED', [-116]: 'CLOSING', [-117]: 'NOTHING',
  [-118]: 'SESSIONMOVED', [-119]: 'NOTREADONLY', [-120]: 'EPHEMERALONLOCALSESSION',
  [-121]: 'NOWATCHER', [-122]: 'RECONFIGDISABLED', [-123]: 'SESSIONCLOSEDREQUIRESASLAUTH',
};

/** How a node is created. Values are ZooKeeper's create flags. */
export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
} as const;
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

/**
 * Connection states, with Curator's meanings:
 * - `CONNECTED`: first connection of the client.
 * - `SUSPENDED`: the connection dropped; the session (and our locks) may still be alive.
 * - `RECONNECTED`: connected again with the same session: ephemeral nodes survived.
 * - `LOST`: the session expired (its ephemeral nodes are gone). The client opens a new session
 *   by itself and reports `CONNECTED` again with a new `sessionId`.
 * - `CLOSED`: `close()` was called. Terminal.
 */
export type ConnectionState = 'CONNECTED' | 'SUSPENDED' | 'RECONNECTED' | 'LOST' | 'CLOSED';

/** A node's metadata. zxids are bigints (64-bit). */
export interface NodeStat {
  czxid: bigint;
  mzxid: bigint;
  /** zxid of the last create or delete of a child. */
  pzxid: bigint;
  version: number;
  /** Changes to the children so far: every create and every delete of a child adds one. */
  cversion: number;
  dataLength: number;
  numChildren: number;
  /** Session id (hex) owning this ephemeral node, `'0'` for persistent nodes. */
  ephemeralOwner: string;
  ctime: Date;
  mtime: Date;
}

/**
 * When a held lock counts as lost: `'suspended'` (default, Curator Tech Note 14): as soon as
 * the connection drops, since the holder can no longer know; `'lost'`: only once the session
 * is known to be gone (expired, or suspended for a whole session timeout).
 */
export type LossPolicy = 'suspended' | 'lost';

/** Options for {@link connect}. */
export interface ConnectOptions {
  /** Default loss policy for locks on this client (each lock may override). Default `'suspended'`. */
  lossPolicy?: LossPolicy;
  /** Requested session timeout in ms (the server clamps it to 2..20 ticks). Default 10 000. */
  sessionTimeout?: number;
  /** How long `connect()` waits for the first connection, in ms. Default 15 000. */
  connectTimeout?: number;
  /**
   * Attach to an existing session (id and password as hex strings from `sessionId` /
   * `sessionPassword`). Used to take over or expire a session; most users never need it.
   */
  session?: { id: string; password: string };
}

/** A one-shot watch callback: the node changed, was deleted, or the session ended. */
export type WatchListener = () => void;

/** The kinds of request counted in {@link ZkClient.operationCounts}. */
export type OperationName = 'create' | 'getChildren' | 'getData' | 'setData' | 'delete';

interface ZkClientEvents {
  state: [state: ConnectionState];
}

function toStat(s: NativeStat): NodeStat {
  return {
    czxid: BigInt(s.czxid), mzxid: BigInt(s.mzxid), pzxid: BigInt(s.pzxid), version: s.version, cversion: s.cversion,
    dataLength: s.dataLength, numChildren: s.numChildren, ephemeralOwner: s.ephemeralOwner,
    ctime: s.ctime, mtime: s.mtime,
  };
}

interface WatchEntry {
  /** Who is woken when the single native data watch on this path fires. */
  listeners: Set<WatchListener>;
}

/**
 * A ZooKeeper client handle. Create it with {@link connect}; share one per process; close it
 * with {@link ZkClient.close}. Emits `state` with each {@link ConnectionState} change.
 */
export class ZkClient extends EventEmitter<ZkClientEvents> {
  private native!: NativeHandle;
  private currentState: ConnectionState | 'CONNECTING' = 'CONNECTING';
  private everConnected = false;
  private generation = 0;
  private closed = false;
  private readonly watches = new Map<string, WatchEntry>();
  /** Watches on nodes we own (held locks), kept apart from waiters' watches: a dropped
   * connection must not fire them (the server restores them on reconnect). */
  private readonly ownWatches = new Map<string, WatchListener>();
  private suspendedTimer: NodeJS.Timeout | undefined;
  /**
   * Every data watch is set with `watch=true`, i.e. on the handle's default watcher, whose
   * events the binding emits on the handle ('deleted', 'changed', ...); we dispatch them by
   * path. The binding never frees the per-call watcher functions of aw_get (native memory on
   * every watch), so a lock cycle must not create one.
   */
  private readonly dispatchWatch = (path: string): void => {
    const own = this.ownWatches.get(path);
    if (own) {
      this.ownWatches.delete(path);
      own();
    }
    const entry = this.watches.get(path);
    if (!entry) return;
    this.watches.delete(path);
    for (const fn of entry.listeners) fn();
  };
  private readonly connectedWaiters = new Set<() => void>();

  /**
   * Requests sent, by kind, since the client was created. Diagnostics for tests and
   * benchmarks (e.g. how many children listings a hand-off costs).
   */
  readonly operationCounts: Record<OperationName, number> = {
    create: 0, getChildren: 0, getData: 0, setData: 0, delete: 0,
  };

  /** @internal use {@link connect}. */
  constructor(
    readonly connectString: string,
    private readonly options: Required<Pick<ConnectOptions, 'sessionTimeout' | 'connectTimeout'>> & ConnectOptions,
  ) {
    super();
    // Every waiting acquire and every hold listens to `state` (and removes itself): many per
    // client is normal, and Node's leak warning would print to the console.
    this.setMaxListeners(0);
    this.openSession(options.session);
  }

  /** The default loss policy of locks on this client. */
  get lossPolicy(): LossPolicy {
    return this.options.lossPolicy ?? 'suspended';
  }

  /** Current connection state (`CONNECTING` before the first connection). */
  get state(): ConnectionState | 'CONNECTING' {
    return this.currentState;
  }

  /** True while a connection to a server is up. */
  get isConnected(): boolean {
    return this.currentState === 'CONNECTED' || this.currentState === 'RECONNECTED';
  }

  /** True once {@link close} has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The current session id (hex), as ZooKeeper shows it in `ephemeralOwner`. */
  get sessionId(): string {
    return this.native.client_id;
  }

  /** The current session password (hex). Keep it secret: it lets another handle take over. */
  get sessionPassword(): string {
    return this.native.client_password;
  }

  /** The session timeout the server granted, in ms. */
  get negotiatedSessionTimeout(): number {
    return this.native.timeout;
  }

  /** Increments whenever a new session replaces an expired one. */
  get sessionGeneration(): number {
    return this.generation;
  }

  private openSession(session?: { id: string; password: string }): void {
    const wrapper = new ZooKeeperWrapper({});
    const native = wrapper.native;
    // Route binding events to us directly (skips the wrapper's per-call log formatting).
    native.emit = (event, _handle, arg) => this.onNativeEvent(native, event, arg);
    this.native = native;
    this.watches.clear();
    this.ownWatches.clear();
    native.init({
      connect: this.connectString,
      timeout: this.options.sessionTimeout,
      // 0 turns the C client's stdout logging off: the library never prints.
      debug_level: 0,
      host_order_deterministic: false,
      // The binding closes the handle as "expired" after this many empty reads in a row; the
      // default (10) can trip on large partial replies, so only a real busy loop trips it.
      response_counter_limit: 10_000,
      ...(session ? { client_id: session.id, client_password: session.password } : {}),
    });
  }

  private onNativeEvent(native: NativeHandle, event: string, arg: unknown): void {
    if (native !== this.native) return; // an old, replaced session
    switch (event) {
      case 'connect':
        this.clearSuspendedTimer();
        this.setState(this.everConnected ? 'RECONNECTED' : 'CONNECTED');
        this.everConnected = true;
        for (const w of [...this.connectedWaiters]) w();
        break;
      case 'connecting':
        this.suspend();
        break;
      case 'close': {
        if (this.closed) break;
        const code = typeof arg === 'number' ? arg : 0;
        // The binding only closes by itself on session expiry or auth failure: both mean every
        // ephemeral node of that session is gone.
        if (code === ZAUTHFAILED) {
          if (this.everConnected) this.setState('LOST');
          this.finishClose();
          break;
        }
        this.renewSession();
        break;
      }
      case 'created':
      case 'deleted':
      case 'changed':
      case 'child':
      case 'notwatching':
        if (typeof arg === 'string') this.dispatchWatch(arg);
        break;
      default:
        break;
    }
  }

  /** The connection dropped: SUSPENDED until the session is back or known to be gone. */
  private suspend(): void {
    if (!this.isConnected) return;
    this.setState('SUSPENDED');
    // Like Curator: suspended for a whole session timeout means the server has expired
    // the session by now (or will before we can tell). Call it LOST and start afresh.
    const timeout = this.native.timeout > 0 ? this.native.timeout : this.options.sessionTimeout;
    this.suspendedTimer = setTimeout(() => this.renewSession(), timeout);
  }

  /**
   * A request whose send fails (the peer reset the connection, and the C client had not read
   * that yet) makes the C client close its socket and reconnect without a session event
   * (nonblocking_send in zookeeper.c): no SUSPENDED would ever be reported for that outage.
   * We notice it from zoo_state() right after the call and report it ourselves, once the
   * caller's synchronous code is done (listeners must not run in the middle of a request).
   */
  private checkSilentDisconnect(native: NativeHandle): void {
    if (!this.isConnected || native.state === ZOO_CONNECTED_STATE) return;
    queueMicrotask(() => {
      if (native === this.native && native.state !== ZOO_CONNECTED_STATE) this.suspend();
    });
  }

  /** The session is gone (or given up on): report LOST, drop the handle, open a new session. */
  private renewSession(): void {
    this.clearSuspendedTimer();
    const old = this.native;
    this.generation++;
    const wasConnected = this.everConnected;
    this.everConnected = false;
    this.currentState = 'CONNECTING';
    this.openSession(); // this.native is the new handle from here on: old events are ignored
    old.close();
    if (wasConnected) this.setState('LOST'); // state stays LOST until the new session connects
  }

  private clearSuspendedTimer(): void {
    if (this.suspendedTimer) clearTimeout(this.suspendedTimer);
    this.suspendedTimer = undefined;
  }

  private setState(state: ConnectionState): void {
    this.currentState = state;
    if (state === 'SUSPENDED' || state === 'LOST' || state === 'CLOSED') this.wakeAllWatches();
    if (state === 'LOST' || state === 'CLOSED') this.ownWatches.clear();
    this.emit('state', state);
  }

  /** Session trouble: every waiter must re-check, since its watch may never fire now. */
  private wakeAllWatches(): void {
    const entries = [...this.watches.values()];
    this.watches.clear();
    for (const e of entries) for (const fn of e.listeners) fn();
  }

  /** Resolves when connected (immediately if so); rejects if closed or after `timeoutMs`. */
  waitConnected(timeoutMs?: number, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (err?: unknown): void => {
        this.connectedWaiters.delete(onConnected);
        this.off('state', onState);
        signal?.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
        if (err) reject(err); else resolve();
      };
      const onConnected = (): void => done();
      const onState = (s: ConnectionState): void => { if (s === 'CLOSED') done(new ClientClosedError()); };
      const onAbort = (): void => done(signal?.reason);
      this.connectedWaiters.add(onConnected);
      this.on('state', onState);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => done(new ConnectTimeoutError(this.connectString, timeoutMs)), timeoutMs);
      }
    });
  }

  private fail(rc: number, operation: string, path: string): Error {
    const name = CODE_NAMES[rc] ?? `UNKNOWN_${rc}`;
    if (this.closed && (rc === ZCLOSING || rc === ZINVALIDSTATE || rc === ZCONNECTIONLOSS)) {
      return new ClientClosedError(`the ZooKeeper client was closed during ${operation} ${path}`);
    }
    switch (rc) {
      case ZNONODE: return new NoNodeError(rc, name, operation, path);
      case ZNODEEXISTS: return new NodeExistsError(rc, name, operation, path);
      case ZNOTEMPTY: return new NotEmptyError(rc, name, operation, path);
      case ZCONNECTIONLOSS:
      case ZOPERATIONTIMEOUT:
      // The C client drops the connection when a reply does not match its oldest request
      // (after the silent reconnect above, the dead request heads the queue): outcome unknown.
      case ZRUNTIMEINCONSISTENCY:
        return new ConnectionLossError(rc, name, operation, path);
      case ZSESSIONEXPIRED:
      case ZCLOSING:
      case ZINVALIDSTATE:
        return new SessionExpiredError(`the ZooKeeper session ended during ${operation} ${path} (${name})`);
      default: return new ZooKeeperError(rc, name, operation, path);
    }
  }

  /** Runs one native call; a non-zero synchronous return means the callback never comes. */
  private call<T>(operation: OperationName, path: string, start: (done: (rc: number, value?: T) => void) => number): Promise<T> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    this.operationCounts[operation]++;
    return new Promise<T>((resolve, reject) => {
      const rc = start((code, value) => {
        if (code === ZOK) resolve(value as T);
        else reject(this.fail(code, operation, path));
      });
      if (rc !== ZOK) reject(this.fail(rc, operation, path));
      this.checkSilentDisconnect(this.native);
    });
  }

  /** Creates a node and returns its actual path (with the sequence for sequential modes). */
  create(path: string, data: Buffer, mode: CreateMode): Promise<string> {
    return this.call('create', path, (done) =>
      this.native.a_create(path, data, mode, (rc, _e, created) => done(rc, created)));
  }

  /** Lists a node's children (names only, in server order). */
  getChildren(path: string): Promise<string[]> {
    return this.call('getChildren', path, (done) =>
      this.native.a_get_children(path, false, (rc, _e, children) => done(rc, children ?? [])));
  }

  /**
   * Lists a node's children together with the node's own stat, read at the same moment
   * (getChildren2). Counted as a getChildren.
   */
  getChildrenWithStat(path: string): Promise<{ children: string[]; stat: NodeStat }> {
    return this.call('getChildren', path, (done) =>
      this.native.a_get_children2(path, false, (rc, _e, children, stat) =>
        done(rc, stat ? { children: children ?? [], stat: toStat(stat) } : undefined)));
  }

  /** Reads a node's data and stat. */
  getData(path: string): Promise<{ data: Buffer; stat: NodeStat }> {
    return this.call('getData', path, (done) =>
      this.native.a_get(path, false, (rc, _e, stat, data) =>
        done(rc, stat ? { data: data ?? Buffer.alloc(0), stat: toStat(stat) } : undefined)));
  }

  /** The node's stat, or `undefined` when it does not exist. */
  async exists(path: string): Promise<NodeStat | undefined> {
    try {
      return (await this.getData(path)).stat;
    } catch (err) {
      if (err instanceof NoNodeError) return undefined;
      throw err;
    }
  }

  /**
   * Sets a one-shot data watch on `path` (getData + watch, never exists: CURATOR-107) and
   * resolves `true` if the node exists (the listener will fire once when it changes, is
   * deleted, or the session is in trouble) or `false` if it is already gone (no watch left).
   * The listener is registered before the request goes out, so no event can slip between
   * (CURATOR-527). Only one native watch per path is kept; extra listeners share it.
   */
  async watchNode(path: string, listener: WatchListener): Promise<boolean> {
    if (this.closed) throw new ClientClosedError();
    const existing = this.watches.get(path);
    const entry: WatchEntry = existing ?? { listeners: new Set() };
    if (!existing) this.watches.set(path, entry);
    entry.listeners.add(listener);
    try {
      const exists = await this.call<boolean>('getData', path, (done) => {
        const cb = (rc: number): void => done(rc === ZNONODE ? ZOK : rc, rc === ZOK);
        // A joiner only needs to know the node exists; the owner's native watch covers it.
        return this.native.a_get(path, !existing, cb);
      });
      if (!exists) this.abandonWatch(path, entry, listener, !existing);
      return exists;
    } catch (err) {
      this.abandonWatch(path, entry, listener, !existing);
      throw err;
    }
  }

  /**
   * Our watch request found no node or failed. If we owned the native watch, nobody can rely
   * on it: drop the entry and wake the joiners so they re-check (a spurious wake is harmless,
   * a missed one is a hang).
   */
  private abandonWatch(path: string, entry: WatchEntry, listener: WatchListener, owner: boolean): void {
    entry.listeners.delete(listener);
    if (!owner) return;
    if (this.watches.get(path) === entry) this.watches.delete(path);
    for (const fn of entry.listeners) fn();
    entry.listeners.clear();
  }

  /**
   * Watches a node we own (a held lock node) and resolves its stat, or `undefined` if it is
   * gone. The listener fires once when the node changes or is deleted; unlike waiters'
   * watches it is not fired by a dropped connection (the server restores it on reconnect).
   */
  async watchOwnNode(path: string, listener: WatchListener): Promise<NodeStat | undefined> {
    if (this.closed) throw new ClientClosedError();
    const already = this.ownWatches.has(path);
    this.ownWatches.set(path, listener);
    try {
      const stat = await this.call<NativeStat | null>('getData', path, (done) => {
        const cb = (rc: number, _e: string, st: NativeStat | null): void => done(rc === ZNONODE ? ZOK : rc, rc === ZOK ? st : null);
        return this.native.a_get(path, !already, cb);
      });
      if (!stat) {
        if (this.ownWatches.get(path) === listener) this.ownWatches.delete(path);
        return undefined;
      }
      return toStat(stat);
    } catch (err) {
      if (this.ownWatches.get(path) === listener) this.ownWatches.delete(path);
      throw err;
    }
  }

  /** Stops listening to a node watched with {@link watchOwnNode}. */
  unwatchOwnNode(path: string): void {
    this.ownWatches.delete(path);
  }

  /** How many watch listeners are waiting for an event (diagnostics: 0 when idle). */
  get pendingWatchListeners(): number {
    let n = 0;
    for (const e of this.watches.values()) n += e.listeners.size;
    return n;
  }

  /** Our own lock nodes this client watches right now (diagnostics). */
  get ownWatchedPaths(): string[] {
    return [...this.ownWatches.keys()];
  }

  /** Paths this client has waiters watching right now (diagnostics: who waits on what). */
  get watchedPaths(): string[] {
    return [...this.watches.entries()].filter(([, e]) => e.listeners.size > 0).map(([p]) => p);
  }

  /** Removes a listener added by {@link watchNode} (the native watch stays until it fires). */
  unwatchNode(path: string, listener: WatchListener): void {
    this.watches.get(path)?.listeners.delete(listener);
  }

  /** Sets a node's data (any version). */
  async setData(path: string, data: Buffer): Promise<NodeStat> {
    const stat = await this.call<NativeStat | null>('setData', path, (done) =>
      this.native.a_set(path, data, -1, (rc, _e, s) => done(rc, s)));
    if (!stat) throw new ZooKeeperError(ZOK, 'OK', 'setData', path, `setData ${path} returned no stat`);
    return toStat(stat);
  }

  /** Deletes a node (any version). */
  delete(path: string): Promise<void> {
    return this.call('delete', path, (done) =>
      this.native.a_delete_(path, -1, (rc) => done(rc, undefined)));
  }

  /**
   * Creates `path` and any missing ancestors as CONTAINER nodes (reaped by the server when
   * empty). An existing node at any level is fine.
   */
  async createContainers(path: string): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      try {
        await this.create(current, Buffer.alloc(0), CreateMode.CONTAINER);
      } catch (err) {
        if (!(err instanceof NodeExistsError)) throw err;
      }
    }
  }

  /** Closes the session: its ephemeral nodes (lock holds) are removed by the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.native.close();
    this.finishClose();
  }

  private finishClose(): void {
    this.closed = true;
    this.clearSuspendedTimer();
    this.ownWatches.clear();
    this.setState('CLOSED');
    this.connectedWaiters.clear();
    this.removeAllListeners('state');
  }
}

/**
 * Connects to ZooKeeper and resolves once the session is established.
 * @param connectString `host:port[,host:port...][/chroot]`
 */
export async function connect(connectString: string, options: ConnectOptions = {}): Promise<ZkClient> {
  if (typeof connectString !== 'string' || connectString.trim() === '' || connectString.includes('\0')) {
    throw new ValidationError(`connectString must be "host:port[,host:port...]", got ${JSON.stringify(connectString)}`);
  }
  const sessionTimeout = options.sessionTimeout ?? 10_000;
  const connectTimeout = options.connectTimeout ?? 15_000;
  for (const [name, value] of [['sessionTimeout', sessionTimeout], ['connectTimeout', connectTimeout]] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new ValidationError(`${name} must be a positive integer number of milliseconds, got ${String(value)}`);
    }
  }
  const client = new ZkClient(connectString, { ...options, sessionTimeout, connectTimeout });
  try {
    await client.waitConnected(connectTimeout);
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}
