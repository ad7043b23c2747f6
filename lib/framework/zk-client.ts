// The client the lock recipes use: one ZooKeeper session at a time (lib/zookeeper/), seen
// through Curator's connection states. A session that expires (or that no server has
// answered for a whole session timeout) is reported LOST and replaced by a new one, so the
// lock code sees one long-lived client. Watches are dispatched by path here: a waiter's watch
// is woken by any connection trouble (it must re-check), a holder's own-node watch survives
// a reconnect (the session re-registers it with the server).
import { EventEmitter } from 'node:events';
import {
  ChrootNotFoundError, ClientClosedError, ConnectTimeoutError, ConnectionLossError, HostNotFoundError, NoNodeError, NodeExistsError,
  SessionExpiredError, ValidationError,
} from '../errors.js';
import { zooKeeperError } from '../zookeeper/zookeeper-error.js';
import { ErrorCode, EventType } from '../zookeeper/protocol.js';
import { parseConnectString, type ParsedConnectString } from '../zookeeper/connect-string.js';
import { OPEN_ACL_UNSAFE } from '../zookeeper/acl.js';
import type { ACL, MultiOp, MultiResult } from '../zookeeper/records.js';
import { validateAcl, type LockAcls } from './lock-acl.js';
import { ZooKeeperSession, type SessionState } from '../zookeeper/session.js';
import type { WatchedEvent } from '../zookeeper/watch-registry.js';
import { MAX_TIMER_MS, setLongTimeout, type LongTimer } from '../util/timer.js';

/** How a node is created. Values are ZooKeeper's create flags. */
export { CreateMode } from '../zookeeper/protocol.js';
import { CreateMode } from '../zookeeper/protocol.js';
import { describeValue } from '../util/describe-value.js';
import { RecentSet } from '../util/recent-set.js';
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ConnectOptions } from './connect-options.js';
import type { ConnectionState, LossPolicy } from './connection-state.js';
import { toStat, type NodeStat } from './node-stat.js';
import { checkOptions } from './check-options.js';

export type { ConnectOptions } from './connect-options.js';
export type { ConnectionState, LossPolicy } from './connection-state.js';
export type { NodeStat } from './node-stat.js';

/** The diagnostics channel of connection state changes (`LockChannels.connection`). */
export const CONNECTION_STATE_CHANNEL = 'zkurator:connection:state';

/** `zkurator:connection:state`. */
export interface ConnectionStateMessage {
  /** The client whose state changed. */
  readonly client: ZkClient;
  /** The new state. */
  readonly state: ConnectionState;
  /** The session id (hex) at the time. */
  readonly sessionId: string;
}

const connectionChannel = diagnosticsChannel.channel(CONNECTION_STATE_CHANNEL);
import { LockMetrics, type LockMetricsSnapshot } from './lock-metrics.js';





/**
 * What a watch saw: the node's data `changed`, it was `deleted` or `created`, its `children`
 * changed. A listener called without one must look again itself: the connection was in
 * trouble (or the watch was given up).
 */
export type WatchChange = 'changed' | 'deleted' | 'created' | 'children';

/** A one-shot watch callback: the node changed, was deleted, or the session ended (no `change`). */
export type WatchListener = (change?: WatchChange) => void;

function changeOf(type: number): WatchChange | undefined {
  switch (type) {
    case EventType.NodeDataChanged: return 'changed';
    case EventType.NodeDeleted: return 'deleted';
    case EventType.NodeCreated: return 'created';
    case EventType.NodeChildrenChanged: return 'children';
    default: return undefined;
  }
}

/** The kinds of request counted in {@link ZkClient.operationCounts}. */
export type OperationName = 'create' | 'getChildren' | 'getData' | 'setData' | 'delete';

interface ZkClientEvents {
  state: [state: ConnectionState];
}


interface WatchEntry {
  /** Who is woken when the one server watch on this path fires. */
  listeners: Set<WatchListener>;
}

/**
 * A ZooKeeper client handle. Create it with {@link connect}; share one per process; close it
 * with {@link ZkClient.close}. Emits `state` with each {@link ConnectionState} change.
 */
export class ZkClient extends EventEmitter<ZkClientEvents> {
  private session!: ZooKeeperSession;
  private readonly parsed: ParsedConnectString;
  private currentState: ConnectionState | 'CONNECTING' = 'CONNECTING';
  private everConnected = false;
  private generation = 0;
  private closed = false;
  private refed = true;
  private readonly watches = new Map<string, WatchEntry>();
  /** Watches on nodes we own (held locks), kept apart from waiters' watches: a dropped
   * connection must not fire them (the session re-registers them on reconnect). */
  private readonly ownWatches = new Map<string, WatchListener>();
  private suspendedTimer: NodeJS.Timeout | undefined;
  private readonly acl: readonly ACL[];
  /** @internal What this client's locks did (see {@link metrics}). */
  readonly lockMetrics = new LockMetrics();
  /** @internal The ACLs of lock nodes and their parents unless a lock says otherwise. */
  readonly lockAcls: LockAcls;
  /** Every server watch goes to this one function, which wakes our listeners for the path. */
  private readonly dispatchWatch = (event: WatchedEvent): void => {
    const path = event.path;
    const own = this.ownWatches.get(path);
    if (own) {
      this.ownWatches.delete(path);
      own();
    }
    const entry = this.watches.get(path);
    if (!entry) return;
    this.watches.delete(path);
    const change = changeOf(event.type);
    for (const fn of entry.listeners) fn(change);
  };
  private readonly connectedWaiters = new Set<() => void>();
  /** performance.now() when the connection last went down (undefined while connected). */
  private downSince: number | undefined;
  /** Milliseconds without a connection before the current outage, since the first connection. */
  private downBefore = 0;
  /** Why the connection last dropped (see {@link lastDisconnect}). */
  private dropped: ConnectionLossError | undefined;
  /**
   * @internal Lock paths on which this client's identity has shown READ, CREATE and DELETE
   * (the checked create of lock-rights.ts); a path leaves it on any NOAUTH there. The latest
   * 10,000 paths used: a forgotten one only pays the checked create again.
   */
  readonly checkedLockPaths = new RecentSet(10_000);
  /**
   * @internal Lock paths where an acquire of this client is making the first (checked) create,
   * container parents included: concurrent first acquires there wait for it and share its check
   * instead of each paying it (lock-engine.ts). Settles, never rejects, when that create ends.
   */
  readonly firstLockCreates = new Map<string, Promise<void>>();
  /** Waiters on a node's children (child watches, e.g. a semaphore's leases): woken like
   * data waiters, by the event or by any connection trouble. */
  private readonly childWatches = new Map<string, Set<WatchListener>>();
  private readonly dispatchChildWatch = (event: WatchedEvent): void => {
    const listeners = this.childWatches.get(event.path);
    if (!listeners) return;
    this.childWatches.delete(event.path);
    for (const fn of listeners) fn();
  };

  /**
   * Requests sent, by kind, since the client was created. Diagnostics for tests and
   * benchmarks (e.g. how many children listings a hand-off costs).
   */
  readonly operationCounts: Record<OperationName, number> = {
    create: 0, getChildren: 0, getData: 0, setData: 0, delete: 0,
  };

  /** @internal use {@link connect}. */
  constructor(
    /** The connect string the client was made with. */
    readonly connectString: string,
    private readonly options: Required<Pick<ConnectOptions, 'sessionTimeout' | 'connectTimeout'>> & ConnectOptions,
  ) {
    super();
    // Every waiting acquire and every hold listens to `state` (and removes itself): many per
    // client is normal, and Node's leak warning would print to the console.
    this.setMaxListeners(0);
    this.parsed = parseConnectString(connectString);
    const hasAuth = this.hasAuth;
    this.acl = options.defaultAcl === undefined ? OPEN_ACL_UNSAFE : validateAcl(options.defaultAcl, 'defaultAcl', hasAuth);
    const provider = options.aclProvider;
    checkOptions(provider, { call: 'connect aclProvider', known: ['lockNodes', 'parents'] });
    this.lockAcls = {
      node: provider?.lockNodes === undefined ? this.acl : validateAcl(provider.lockNodes, 'aclProvider.lockNodes', hasAuth),
      parent: provider?.parents === undefined ? this.acl : validateAcl(provider.parents, 'aclProvider.parents', hasAuth),
    };
    const resume = options.session
      ? { id: BigInt(`0x${options.session.id}`), password: Buffer.from(options.session.password, 'hex') }
      : undefined;
    this.openSession(resume);
  }

  /** @internal The client sends credentials (so an `auth` scheme ACL can name its creator). */
  get hasAuth(): boolean {
    return (this.options.auth?.length ?? 0) > 0;
  }

  /**
   * A snapshot of this client's locks: held and waiting now, acquires by outcome, releases
   * and losses, wait and hold time percentiles over the latest 1024 of each. Cheap: nothing is
   * sent to ZooKeeper. (Per event, in order: the `zkurator:*` diagnostics channels, lock-events.ts.)
   */
  metrics(): LockMetricsSnapshot {
    return this.lockMetrics.snapshot();
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
    return this.session.sessionId.toString(16);
  }

  /** The current session password (hex). Keep it secret: it lets another handle take over. */
  get sessionPassword(): string {
    return this.session.sessionPassword.toString('hex');
  }

  /** The session timeout the server granted, in ms. */
  get negotiatedSessionTimeout(): number {
    return this.session.negotiatedTimeout;
  }

  /**
   * The `performance.now()` time until which the current session is surely alive on the
   * server (0 before it is established): the send time of the latest request, ping or
   * handshake a server has answered, plus the negotiated session timeout. The server restarts
   * a session's expiry clock on every request it receives, and never expires it sooner than a
   * timeout after that; nothing the client does can push this forward except hearing back.
   * Holds use it for `lease.validFor()`.
   */
  get sessionAliveUntil(): number {
    const confirmed = this.session.lastConfirmedAt;
    const timeout = this.session.negotiatedTimeout;
    return confirmed > 0 && timeout > 0 ? confirmed + timeout : 0;
  }

  /** Increments whenever a new session replaces an expired one. */
  get sessionGeneration(): number {
    return this.generation;
  }

  /**
   * @internal Milliseconds this client has spent without a connection since its first one,
   * the current outage included: an acquire that times out compares it with its start to tell
   * an outage from contention.
   */
  get disconnectedMs(): number {
    return this.downBefore + (this.downSince === undefined ? 0 : performance.now() - this.downSince);
  }

  /** @internal Why the connection last dropped: a ConnectionLossError naming the server and what happened. */
  get lastDisconnect(): ConnectionLossError | undefined {
    return this.dropped;
  }

  /** @internal What the last connection attempt ran into (`host:port: what`), when known. */
  get lastConnectError(): string | undefined {
    return this.session.lastConnectError;
  }

  /** @internal The ConnectTimeoutError a connect waiting `waitedMs` would end with now: every server and what it ran into. */
  connectFailure(waitedMs: number): ConnectTimeoutError {
    return new ConnectTimeoutError(this.connectString, waitedMs, this.session.lastConnectError, this.session.connectAttempts);
  }

  /** The newest zxid this client's current session has seen. */
  get lastZxid(): bigint {
    return this.session.lastZxid;
  }

  private openSession(resume?: { id: bigint; password: Buffer }): void {
    const auth = (this.options.auth ?? []).map((a) => ({
      scheme: a.scheme, auth: typeof a.credentials === 'string' ? Buffer.from(a.credentials, 'utf8') : a.credentials,
    }));
    const session = new ZooKeeperSession({
      hosts: this.parsed.hosts, chroot: this.parsed.chroot, sessionTimeout: this.options.sessionTimeout,
      ...(resume ? { resume } : {}), auth,
      // Only the first session fails fast, so connect() can tell a certificate problem at once;
      // a session opened to replace a lost one keeps trying, as a reconnect does.
      ...(this.options.tls ? { tls: this.options.tls, tlsFailFast: this.generation === 0 } : {}),
      // Likewise a connect string whose every host name is unknown to DNS fails connect() at once.
      resolveFailFast: this.generation === 0,
    });
    if (!this.refed) session.unref();
    session.on('state', (state) => this.onSessionState(session, state));
    this.session = session;
    this.watches.clear();
    this.ownWatches.clear();
    this.childWatches.clear();
  }

  private onSessionState(session: ZooKeeperSession, state: SessionState): void {
    if (session !== this.session || this.closed) return; // an old, replaced session
    switch (state) {
      case 'connected':
        this.clearSuspendedTimer();
        this.setState(this.everConnected ? 'RECONNECTED' : 'CONNECTED');
        this.everConnected = true;
        for (const w of [...this.connectedWaiters]) w();
        break;
      case 'connecting':
        this.suspend();
        break;
      case 'expired':
        this.renewSession();
        break;
      case 'authFailed':
      case 'tlsFailed':
      case 'unresolved':
        // Credentials the server refuses will be refused again, and a certificate that did not
        // verify will not verify next time: stop rather than loop.
        if (this.everConnected) this.setState('LOST');
        this.finishClose();
        break;
      case 'closed':
        break;
    }
  }

  /** The connection dropped: SUSPENDED until the session is back or known to be gone. */
  private suspend(): void {
    if (!this.isConnected) return;
    this.setState('SUSPENDED');
    // Like Curator: no server has answered for a whole session timeout, so the server has
    // expired the session by now (or will before we can tell). Call it LOST and start afresh.
    // Counted from the latest answered request's send time (sessionAliveUntil), the same clock
    // the leases use (checkSessionClock), so whichever looks first reaches the same verdict.
    // (A connection was up, so a handshake was answered: sessionAliveUntil is set.)
    const left = this.sessionAliveUntil - performance.now();
    this.suspendedTimer = setTimeout(() => this.renewSession(), Math.max(0, Math.ceil(left)));
    if (!this.refed) this.suspendedTimer.unref();
  }

  /**
   * @internal Does now what the suspended timer will do when its turn comes: gives the session
   * up (LOST) if the connection is down and a whole session timeout has passed since a server
   * last answered for it. Leases call it when they consult the clock, so that after a pause a
   * lease is lost for the reason the client will give (SESSION_LOST), whichever timer runs first.
   */
  checkSessionClock(): void {
    if (this.closed || this.currentState !== 'SUSPENDED' || !this.suspendedTimer) return;
    if (this.sessionAliveUntil > performance.now()) return;
    this.renewSession();
  }

  /** The session is gone (or given up on): report LOST, drop it, open a new session. */
  private renewSession(): void {
    this.clearSuspendedTimer();
    const old = this.session;
    this.generation++;
    const wasConnected = this.everConnected;
    this.everConnected = false;
    this.currentState = 'CONNECTING';
    this.openSession(); // this.session is the new one from here on: old events are ignored
    void old.close();
    if (wasConnected) this.setState('LOST'); // state stays LOST until the new session connects
  }

  private clearSuspendedTimer(): void {
    if (this.suspendedTimer) clearTimeout(this.suspendedTimer);
    this.suspendedTimer = undefined;
  }

  private setState(state: ConnectionState): void {
    this.trackOutage(state);
    this.currentState = state;
    if (state === 'SUSPENDED' || state === 'LOST' || state === 'CLOSED') this.wakeAllWatches();
    if (state === 'LOST' || state === 'CLOSED') this.ownWatches.clear();
    if (connectionChannel.hasSubscribers) {
      connectionChannel.publish({ client: this, state, sessionId: this.sessionId } satisfies ConnectionStateMessage);
    }
    this.emit('state', state);
  }

  /** Counts the time without a connection, and remembers why the connection dropped. */
  private trackOutage(state: ConnectionState): void {
    const now = performance.now();
    if (state === 'CONNECTED' || state === 'RECONNECTED') {
      if (this.downSince !== undefined) this.downBefore += now - this.downSince;
      this.downSince = undefined;
      return;
    }
    if (this.downSince !== undefined || !this.isConnected) return; // an outage already counted
    this.downSince = now;
    const why = this.session.lastConnectError;
    this.dropped = new ConnectionLossError(ErrorCode.CONNECTIONLOSS, 'CONNECTIONLOSS', 'connection', this.connectString,
      `the connection to ZooKeeper dropped${why === undefined ? '' : `: ${why}`}`);
  }

  /** Session trouble: every waiter must re-check, since its watch may never fire now. */
  private wakeAllWatches(): void {
    const entries = [...this.watches.entries()];
    this.watches.clear();
    for (const [path] of entries) this.forgetServerWatch(path);
    for (const [, e] of entries) for (const fn of e.listeners) fn();
    const children = [...this.childWatches.entries()];
    this.childWatches.clear();
    for (const [path] of children) this.session.removeWatcher('child', path, this.dispatchChildWatch);
    for (const [, listeners] of children) for (const fn of listeners) fn();
  }

  /**
   * Resolves when connected (immediately if so); rejects if closed or after `timeoutMs` (any
   * length; undefined or Infinity waits until connected or closed).
   */
  waitConnected(timeoutMs?: number, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: LongTimer | undefined;
      const done = (err?: unknown): void => {
        this.connectedWaiters.delete(onConnected);
        this.off('state', onState);
        signal?.removeEventListener('abort', onAbort);
        timer?.clear();
        if (err) reject(err); else resolve();
      };
      const onConnected = (): void => done();
      const onState = (s: ConnectionState): void => {
        if (s === 'CLOSED') done(this.failure ?? new ClientClosedError());
      };
      const onAbort = (): void => done(signal?.reason);
      this.connectedWaiters.add(onConnected);
      this.on('state', onState);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined && timeoutMs !== Infinity) {
        timer = setLongTimeout(() => done(new ConnectTimeoutError(this.connectString, timeoutMs, this.session.lastConnectError, this.session.connectAttempts)), timeoutMs);
        if (!this.refed) timer.unref();
      }
    });
  }

  /** Set when the server refused our credentials or TLS failed for good: why the client closed itself. */
  private failure: Error | undefined;

  /** Runs one request of the current session, counted, with errors seen from the client. */
  private async call<T>(operation: OperationName, run: (session: ZooKeeperSession) => Promise<T>): Promise<T> {
    if (this.closed) throw new ClientClosedError();
    this.operationCounts[operation]++;
    const session = this.session;
    try {
      return await run(session);
    } catch (err) {
      if (this.closed && (err instanceof ConnectionLossError || err instanceof SessionExpiredError)) {
        throw new ClientClosedError(`the ZooKeeper client was closed during ${err instanceof ConnectionLossError ? `${err.operation} ${err.path}` : 'a request'}`);
      }
      // A request still queued on a session we gave up on (LOST after a whole session timeout
      // without a server) ends when that session is closed; the client itself is open.
      if (!this.closed && err instanceof ClientClosedError && session !== this.session) {
        throw new SessionExpiredError(`the ZooKeeper session was lost (no server answered for a whole session timeout) during ${operation}`);
      }
      throw err;
    }
  }

  /**
   * Creates a node and returns its actual path (with the sequence for sequential modes), with
   * `acl` (default: the client's `defaultAcl`).
   */
  create(path: string, data: Buffer, mode: CreateMode, acl: readonly ACL[] = this.acl): Promise<string> {
    return this.call('create', (s) => s.create(path, data, acl, mode));
  }

  /**
   * @internal Creates a node like {@link create}; with `withStat`, the reply also carries the
   * new node's stat (create2: its czxid, without a read of its own). Counted as a create.
   */
  createNode(path: string, data: Buffer, mode: CreateMode, acl: readonly ACL[], withStat: boolean): Promise<{ path: string; stat?: NodeStat }> {
    if (!withStat) return this.call('create', async (s) => ({ path: await s.create(path, data, acl, mode) }));
    return this.call('create', async (s) => {
      const r = await s.create2(path, data, acl, mode);
      return { path: r.path, stat: toStat(r.stat) };
    });
  }

  /**
   * @internal Runs operations as one transaction (all or none; counted as a create): the
   * typed error of the first refused operation, with `results`, if any is refused.
   */
  multi(ops: readonly MultiOp[]): Promise<MultiResult[]> {
    return this.call('create', (s) => s.multi(ops));
  }

  /** Lists a node's children (names only, in server order). */
  getChildren(path: string): Promise<string[]> {
    return this.call('getChildren', (s) => s.getChildren(path));
  }

  /**
   * @internal Children of `path`, or none when `path` does not exist (a lock path nobody has
   * used yet, or a container the server reaped): what every lock listing wants.
   */
  async getChildrenOrEmpty(path: string): Promise<string[]> {
    try {
      return await this.getChildren(path);
    } catch (err) {
      if (err instanceof NoNodeError) return [];
      throw err;
    }
  }

  /**
   * Lists a node's children together with the node's own stat, read at the same moment
   * (getChildren2). Counted as a getChildren.
   */
  getChildrenWithStat(path: string): Promise<{
    /** Child names (not paths), in the server's order. */
    children: string[];
    /** The parent's stat when the children were listed. */
    stat: NodeStat;
  }> {
    return this.call('getChildren', async (s) => {
      const r = await s.getChildren2(path);
      return { children: r.children, stat: toStat(r.stat) };
    });
  }

  /** Reads a node's data and stat. */
  getData(path: string): Promise<{
    /** The data, as stored. */
    data: Buffer;
    /** The node's stat when the data was read. */
    stat: NodeStat;
  }> {
    return this.call('getData', async (s) => {
      const r = await s.getData(path);
      return { data: r.data, stat: toStat(r.stat) };
    });
  }

  /** The node's stat, or `undefined` when it does not exist. Counted as a getData. */
  async exists(path: string): Promise<NodeStat | undefined> {
    const stat = await this.call('getData', (s) => s.exists(path));
    return stat ? toStat(stat) : undefined;
  }

  /**
   * Sets a one-shot data watch on `path` (getData + watch, never exists: CURATOR-107) and
   * resolves `true` if the node exists (the listener will fire once when it changes, is
   * deleted, or the session is in trouble) or `false` if it is already gone (no watch left).
   * The listener is registered before the request goes out, so no event can slip between
   * (CURATOR-527). Only one server watch per path is kept; extra listeners share it.
   */
  async watchNode(path: string, listener: WatchListener): Promise<boolean> {
    return (await this.watchData(path, listener)) !== undefined;
  }

  /**
   * {@link watchNode} that also hands back what it read: the node's data and stat, or
   * `undefined` if it is gone (no watch left). Same one-shot listener rules.
   */
  async watchData(path: string, listener: WatchListener): Promise<{
    /** The data, as stored. */
    data: Buffer;
    /** The node's stat when the data was read. */
    stat: NodeStat;
  } | undefined> {
    if (this.closed) throw new ClientClosedError();
    const existing = this.watches.get(path);
    const entry: WatchEntry = existing ?? { listeners: new Set() };
    if (!existing) this.watches.set(path, entry);
    entry.listeners.add(listener);
    try {
      const read = await this.call('getData', async (s) => {
        try {
          // A joiner's read is covered by the first listener's server watch.
          return await s.getData(path, existing ? undefined : this.dispatchWatch);
        } catch (err) {
          if (err instanceof NoNodeError) return undefined;
          throw err;
        }
      });
      if (!read) {
        this.abandonWatch(path, entry, listener, !existing);
        return undefined;
      }
      return { data: read.data, stat: toStat(read.stat) };
    } catch (err) {
      this.abandonWatch(path, entry, listener, !existing);
      throw err;
    }
  }

  /**
   * Lists `path`'s children and sets a one-shot child watch: `listener` fires once when a
   * child is added or removed, `path` is deleted, or the connection is in trouble (then the
   * caller must list again). The listener is registered before the request goes out (no lost
   * wake-up). Rejects with NoNodeError (no watch left) when `path` does not exist.
   */
  async watchChildren(path: string, listener: WatchListener): Promise<string[]> {
    if (this.closed) throw new ClientClosedError();
    let listeners = this.childWatches.get(path);
    if (!listeners) this.childWatches.set(path, (listeners = new Set()));
    listeners.add(listener);
    try {
      return await this.call('getChildren', (s) => s.getChildren(path, this.dispatchChildWatch));
    } catch (err) {
      this.unwatchChildren(path, listener);
      throw err;
    }
  }

  /** Removes a listener added by {@link watchChildren}. */
  unwatchChildren(path: string, listener: WatchListener): void {
    const listeners = this.childWatches.get(path);
    if (!listeners?.delete(listener) || listeners.size > 0) return;
    this.childWatches.delete(path);
    this.session.removeWatcher('child', path, this.dispatchChildWatch);
  }

  /**
   * Our watch request found no node or failed. If we owned the server watch, nobody can rely
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
   * watches it is not fired by a dropped connection (the session restores it on reconnect).
   */
  async watchOwnNode(path: string, listener: WatchListener): Promise<NodeStat | undefined> {
    return (await this.watchOwnNodeData(path, listener))?.stat;
  }

  /** {@link watchOwnNode}, resolving the node's data too (a revocable lock reads `__REVOKE__` there). */
  async watchOwnNodeData(path: string, listener: WatchListener): Promise<{
    /** The data, as stored. */
    data: Buffer;
    /** The node's stat when the data was read. */
    stat: NodeStat;
  } | undefined> {
    if (this.closed) throw new ClientClosedError();
    this.ownWatches.set(path, listener);
    try {
      const read = await this.call('getData', async (s) => {
        try {
          return await s.getData(path, this.dispatchWatch);
        } catch (err) {
          if (err instanceof NoNodeError) return undefined;
          throw err;
        }
      });
      if (!read) {
        if (this.ownWatches.get(path) === listener) this.ownWatches.delete(path);
        return undefined;
      }
      return { data: read.data, stat: toStat(read.stat) };
    } catch (err) {
      if (this.ownWatches.get(path) === listener) this.ownWatches.delete(path);
      throw err;
    }
  }

  /** Stops listening to a node watched with {@link watchOwnNode}. */
  unwatchOwnNode(path: string): void {
    this.ownWatches.delete(path);
    this.forgetServerWatch(path);
  }

  /** Nobody here listens to `path` any more: do not re-register its watch after a reconnect. */
  private forgetServerWatch(path: string): void {
    if (this.ownWatches.has(path) || (this.watches.get(path)?.listeners.size ?? 0) > 0) return;
    this.session.removeWatcher('data', path, this.dispatchWatch);
  }

  /** How many watch listeners are waiting for an event (diagnostics: 0 when idle). */
  get pendingWatchListeners(): number {
    let n = 0;
    for (const e of this.watches.values()) n += e.listeners.size;
    for (const listeners of this.childWatches.values()) n += listeners.size;
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

  /** Removes a listener added by {@link watchNode} (the server watch stays until it fires). */
  unwatchNode(path: string, listener: WatchListener): void {
    const entry = this.watches.get(path);
    if (!entry) return;
    entry.listeners.delete(listener);
    if (entry.listeners.size === 0) {
      this.watches.delete(path);
      this.forgetServerWatch(path);
    }
  }

  /** Sets a node's data: any version (-1, the default), or only if it is at `version` (else BadVersionError). */
  setData(path: string, data: Buffer, version = -1): Promise<NodeStat> {
    return this.call('setData', async (s) => toStat(await s.setData(path, data, version)));
  }

  /** A node's ACL (counted as a getData). Needs READ or ADMIN on it. */
  async getACL(path: string): Promise<ACL[]> {
    return (await this.call('getData', (s) => s.getACL(path))).acl;
  }

  /**
   * Replaces a node's ACL (any version; counted as a setData). Needs ADMIN on it. Locks never
   * call it: their nodes get their ACL with the create. For setting up a lock root by hand.
   */
  async setACL(path: string, acl: readonly ACL[]): Promise<void> {
    const checked = validateAcl(acl, 'acl', this.hasAuth);
    await this.call('setData', (s) => s.setACL(path, checked));
  }

  /** Deletes a node; with `version` only if its data version is still that (else BadVersionError). Default -1: any. */
  delete(path: string, version = -1): Promise<void> {
    return this.call('delete', (s) => s.delete(path, version));
  }

  /**
   * Creates `path` and any missing ancestors as CONTAINER nodes (reaped by the server when
   * empty), with `acl` (default: the client's `defaultAcl`). An existing node at any level is fine.
   * @throws ChrootNotFoundError when the connect string's chroot does not exist on the server
   */
  async createContainers(path: string, acl: readonly ACL[] = this.acl): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      try {
        await this.create(current, Buffer.alloc(0), CreateMode.CONTAINER, acl);
      } catch (err) {
        // The root always exists: a top-level node can lack a parent only under a missing chroot.
        if (err instanceof NoNodeError && current === `/${parts[0]}` && this.parsed.chroot) {
          throw new ChrootNotFoundError(this.parsed.chroot, this.connectString, { cause: err });
        }
        if (!(err instanceof NodeExistsError)) throw err;
      }
    }
  }

  /**
   * Lets the process exit while this client is all that is left running (like
   * `socket.unref()`): for scripts and CLIs that would rather not call {@link close}.
   */
  unref(): this {
    this.refed = false;
    this.session.unref();
    this.suspendedTimer?.unref();
    return this;
  }

  /** Undoes {@link unref}. */
  ref(): this {
    this.refed = true;
    this.session.ref();
    this.suspendedTimer?.ref();
    return this;
  }

  /** Closes the session: its ephemeral nodes (lock holds) are removed by the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const session = this.session;
    this.finishClose();
    await session.close();
  }

  private finishClose(): void {
    if (this.currentState === 'CLOSED') return;
    if (!this.closed && this.session.state === 'authFailed') {
      this.failure = zooKeeperError(ErrorCode.AUTHFAILED, 'connect', this.connectString);
    } else if (!this.closed && this.session.state === 'unresolved') {
      this.failure = new HostNotFoundError(this.connectString, this.session.connectAttempts);
    } else if (!this.closed && this.session.state === 'tlsFailed') {
      this.failure = this.session.failure;
    }
    this.closed = true;
    this.clearSuspendedTimer();
    this.ownWatches.clear();
    this.setState('CLOSED');
    this.connectedWaiters.clear();
    this.removeAllListeners('state');
  }
}

/** What connect() takes (see ConnectOptions). */
const CONNECT_OPTIONS = {
  call: 'connect',
  known: ['lossPolicy', 'sessionTimeout', 'connectTimeout', 'session', 'auth', 'tls', 'defaultAcl', 'aclProvider'],
  elsewhere: { timeout: 'a lock\'s acquire({ timeout }); connect takes connectTimeout' },
} as const;

/**
 * Connects to ZooKeeper and resolves once the session is established.
 * @param connectString `host:port[,host:port...][/chroot]`
 */
export async function connect(connectString: string, options?: ConnectOptions): Promise<ZkClient> {
  parseConnectString(connectString); // a bad connect string fails here, before any socket
  options = checkOptions(options, CONNECT_OPTIONS);
  const sessionTimeout = options.sessionTimeout ?? 10_000;
  const connectTimeout = options.connectTimeout ?? 15_000;
  if (!Number.isInteger(sessionTimeout) || sessionTimeout <= 0 || sessionTimeout > MAX_TIMER_MS) {
    throw new ValidationError(`sessionTimeout must be a positive integer number of milliseconds up to ${MAX_TIMER_MS}, got ${describeValue(sessionTimeout)}`);
  }
  if (!(Number.isSafeInteger(connectTimeout) || connectTimeout === Infinity) || connectTimeout <= 0) {
    throw new ValidationError(`connectTimeout must be a positive integer number of milliseconds (or Infinity), got ${describeValue(connectTimeout)}`);
  }
  if (options.session !== undefined) checkSessionToResume(options.session);
  const client = new ZkClient(connectString, { ...options, sessionTimeout, connectTimeout });
  try {
    await client.waitConnected(connectTimeout);
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}

/** `session` as `sessionId` / `sessionPassword` give it: hex, a 64-bit id and a non-empty password. */
function checkSessionToResume(session: unknown): void {
  checkOptions(session as object, { call: 'connect session', known: ['id', 'password'] });
  const { id, password } = (session ?? {}) as { id?: unknown; password?: unknown };
  if (typeof id !== 'string' || !/^[0-9a-f]{1,16}$/i.test(id)) {
    throw new ValidationError(`session.id must be a session id in hex (1 to 16 digits, as client.sessionId gives it), got ${describeValue(id)}`);
  }
  if (typeof password !== 'string' || !/^(?:[0-9a-f]{2})+$/i.test(password)) {
    throw new ValidationError('session.password must be the session password in hex (an even number of digits, as client.sessionPassword gives it); its value is not shown');
  }
}
