// The one lock loop every recipe shares (Curator's LockInternals): create our protected
// ephemeral-sequential node, list the children, let the driver decide, watch the one node it
// names, wait, and on any failure delete our node. Recipes differ only in their driver.
import {
  ConnectionLossError, LockLostError, LockNodeDeletedError, LockTimeoutError, NoAuthError, NoChildrenForEphemeralsError, NoNodeError, NodeExistsError,
  SessionExpiredError,
} from '../../errors.js';
import type { LockAcls } from '../../framework/lock-acl.js';
import { reportQueued } from '../../framework/lock-events.js';
import { GUARDED_CREATE_INDEX, guardedCreateOps, refusedRight } from './lock-rights.js';
import { Deadline } from './deadline.js';
import { deleteByPrefixGuaranteed, deleteGuaranteed } from './guaranteed-delete.js';
import type { LockDriver } from './lock-driver.js';
import { newProtectedPrefix, sortChildren } from './lock-node-name.js';
import { CreateMode, type NodeStat, type WatchChange, type ZkClient } from '../../framework/zk-client.js';

/** A node of ours: what release needs to delete it, which session created it, its watch. */
export class HeldNode {
  /** The node's czxid: a fencing token, set once the node's stat has been read. */
  czxid = 0n;
  /** A watch on our own node is set on the server (it fires once). */
  ownWatchArmed = false;
  /**
   * The mzxid of the latest revocation request seen in our node's data (`__REVOKE__`), 0n if
   * none: each request (a setData) has its own, so a re-read never counts one twice.
   */
  revokeZxid = 0n;
  /** Called when our own node changes or is deleted (re-pointed by whoever owns it now). */
  onChange: () => void = () => undefined;
  /**
   * The children listing sent right behind our create, before its reply, and what we knew
   * then that may let that listing tell our fencing token. The first look uses them.
   */
  firstLook: { listing: Promise<Listing>; basis: SoleLook | undefined } | undefined;
  /** Set once a look found that the node must wait (see LockEngineOptions.onWait). */
  queued = false;

  constructor(
    /** Full path of our lock node. */
    readonly path: string,
    /** The session generation that created it (ephemeral: gone if that session expired). */
    readonly generation: number,
    /** The data the node was created with. */
    readonly data: Buffer = EMPTY,
  ) {}
}

const EMPTY = Buffer.alloc(0);

/**
 * A lock node's data: fixed, or made for each node when it is created (the HTTP gateway writes
 * the time of the create into it). A made one is made once per node: a create retried after a
 * lost reply sends the same data, so a node found by its prefix has it.
 */
export type NodeData = Buffer | (() => Buffer);

/** What a caller building directly on the engine may add to the loop (all optional). */
export interface LockEngineOptions {
  /**
   * Sees the first listing of each node we create: the one sent right behind its create, so
   * it shows every child there when our node appeared, ours included (`ourName`). For a check
   * that depends on the other children (the HTTP gateway refuses a lock of another kind on the
   * same path). Throwing or rejecting ends the acquire with that error; our node is deleted.
   */
  readonly checkFirstListing?: (children: readonly string[], ourName: string) => void | Promise<void>;
  /**
   * Told in the turn a look finds our node must wait (`node.queued` is set from then on),
   * before its watches are set: a request sent from here leaves ahead of the watches, so a
   * write to our own node (the HTTP gateway marks its record waiting) does not wake us.
   */
  readonly onWait?: (node: HeldNode) => void;
  /**
   * Told in the turn a waiting node looks at the queue again because the node it waited on
   * was deleted, just before that listing leaves: the look that most often grants it. A
   * request sent from here leaves with the listing and is answered with it (the HTTP gateway
   * writes its grant there, and takes it back in onWait if the look says wait).
   */
  readonly onRelook?: (node: HeldNode) => void;
}

/** The children of the lock path and the lock path's own stat, read at the same moment. */
interface Listing {
  children: string[];
  stat: NodeStat;
}

/**
 * A look at the children that found our node alone there, and whether its delete has been
 * confirmed by the server since. Enough to read the next node's token off the next listing.
 */
interface SoleLook {
  readonly node: string;
  /** The lock path's czxid: the same znode, not a reaped and re-created container. */
  readonly parentCzxid: bigint;
  /** The lock path's cversion: every create and delete of a child adds one. */
  readonly cversion: number;
  readonly deleted: boolean;
}

/**
 * Our node is gone, or no longer ours, while we waited: its session was lost (expired or given
 * up on), or someone deleted it. Either way the acquire starts over with a new node.
 */
class OwnNodeGone extends Error {
  constructor(
    /** The session that created the node is gone: not an outside actor, never counted. */
    readonly sessionGone: boolean,
  ) {
    super('own lock node gone');
  }
}

/**
 * What a revoker writes into a holder's node (Curator's LockInternals.REVOKE_MESSAGE): the
 * holder's data watch reads it and tells the application (see revoke.ts).
 */
export const REVOKE_MESSAGE = Buffer.from('__REVOKE__', 'latin1');

/** Deletions of our node in a row (by someone else, within one session) before giving up:
 * a node deleted under us again and again is an outside actor, not bad luck. Session losses
 * do not count: after one, the acquire starts over on the new session within its deadline. */
const MAX_NODE_DELETIONS = 16;

export class LockEngine {
  /** Our last look at the children, if it found our node alone (see tokenFromListing). */
  private soleLook: SoleLook | undefined;
  /** The ACLs our nodes and container parents are created with. */
  readonly acls: LockAcls;
  /**
   * Whether this client has shown it may list, create and delete under the lock path
   * (lock-rights.ts): kept per client and path, not per lock object, so a lock object made per
   * request (the HTTP gateway's) pays the checked create once, not on every acquire. Until then
   * a create goes in one transaction with that check, so a refusal leaves nothing.
   */
  private get rightsChecked(): boolean {
    return this.client.checkedLockPaths.has(this.basePath);
  }

  private set rightsChecked(checked: boolean) {
    if (checked) this.client.checkedLockPaths.add(this.basePath);
    else this.client.checkedLockPaths.delete(this.basePath);
  }

  constructor(
    readonly client: ZkClient,
    /** The lock path: lock nodes are its children. */
    readonly basePath: string,
    readonly driver: LockDriver,
    private readonly nodeData: NodeData,
    acls?: LockAcls,
    private readonly options: LockEngineOptions = {},
  ) {
    this.acls = acls ?? client.lockAcls;
  }

  private dataForNode(): Buffer {
    return typeof this.nodeData === 'function' ? this.nodeData() : this.nodeData;
  }

  /**
   * Acquires a node that the driver says holds the lock, within the deadline. With `existing`
   * (a node of ours from an earlier acquire, e.g. a leader latch's node after a reconnect) it
   * looks at the children first and keeps that node if it is still there and still our
   * session's; only a node that is missing or belongs to an older session is replaced by a new
   * one (CURATOR-504/644/645). On failure the node is deleted, `existing` included.
   */
  async acquire(deadline: Deadline, existing?: HeldNode): Promise<HeldNode> {
    if (!existing) deadline.check(false); // with a node, the first look checks it (and deletes the node if it fails)
    for (let deletions = 0; ;) {
      const node = existing ?? await this.createOurNode(newProtectedPrefix(), deadline);
      existing = undefined;
      try {
        await this.waitUntilHeld(node, deadline);
        return node;
      } catch (err) {
        try {
          await deleteGuaranteed(this.client, node.path, node.generation);
        } catch (cleanupErr) {
          // Refused too (the ACL changed under us): report the first refusal, not the clean-up's.
          if (cleanupErr instanceof NoAuthError) this.rightsChecked = false;
          throw err instanceof OwnNodeGone ? cleanupErr : err;
        }
        if (err instanceof NoAuthError) this.rightsChecked = false;
        if (!(err instanceof OwnNodeGone)) throw err;
        if (err.sessionGone) deletions = 0;
        else if (++deletions > MAX_NODE_DELETIONS) throw new LockNodeDeletedError(this.basePath, deletions);
      }
    }
  }

  /**
   * Creates `<base>/<name>` as a plain EPHEMERAL node that holds at once, without queueing:
   * the write holder's downgrade node (Curator 5.5+, CURATOR-621). Only valid while the
   * caller holds the write lock, which is what makes it safe.
   */
  async createHeldNode(name: string, deadline: Deadline, requiredGeneration: number): Promise<HeldNode> {
    const path = `${this.basePath}/${name}`;
    let data: Buffer | undefined;
    for (;;) {
      deadline.check(false);
      await this.connected(deadline);
      const generation = this.client.sessionGeneration;
      data ??= this.dataForNode();
      // The write node died with an older session: a node made now would jump the queue.
      if (generation !== requiredGeneration) {
        throw new LockLostError(this.basePath, 'the session holding the write lock expired before the downgrade');
      }
      try {
        await this.client.create(path, data, CreateMode.EPHEMERAL, this.acls.node);
        return await this.armHeld(new HeldNode(path, generation, data), deadline);
      } catch (err) {
        try {
          if (err instanceof NoNodeError) {
            await this.read(deadline, () => this.client.createContainers(this.basePath, this.acls.parent));
          } else if (err instanceof NodeExistsError || err instanceof ConnectionLossError) {
            // a retry after a lost reply: the node is ours if our session owns it
            const stat = await this.read(deadline, () => this.client.exists(path));
            if (this.isOurs(stat, generation)) return await this.armHeld(new HeldNode(path, generation, data), deadline);
            if (stat) throw err;
          } else {
            throw err;
          }
        } catch (recoveryErr) {
          // the session was lost meanwhile: the check at the top turns that into LockLostError
          if (!(recoveryErr instanceof SessionExpiredError)) throw recoveryErr;
        }
      }
    }
  }

  /**
   * The node with this stat belongs to our current session, which is still the one of
   * `generation`: the only node we may adopt after a lost reply or a reconnect (CURATOR-498).
   */
  isOurs(stat: NodeStat | undefined, generation: number): boolean {
    return stat !== undefined && stat.ephemeralOwner === this.client.sessionId && this.client.sessionGeneration === generation;
  }

  /**
   * Sets the watch on our own node and reads its stat (czxid). Resolves undefined when the
   * node is gone. The watch tells a holder that its node changed or disappeared. A holder's
   * watch is armed by its Hold once the acquire's caller has had its turn (see Hold), so a
   * lock released at once never sets it and its delete brings no watch event back.
   */
  async armOwnWatch(node: HeldNode): Promise<NodeStat | undefined> {
    return (await this.armOwnWatchRead(node))?.stat;
  }

  /** {@link armOwnWatch}, resolving what it read: our node's data and stat (undefined when gone). */
  async armOwnWatchRead(node: HeldNode): Promise<{ data: Buffer; stat: NodeStat } | undefined> {
    let fired = false;
    const read = await this.client.watchOwnNodeData(node.path, () => {
      fired = true;
      node.ownWatchArmed = false;
      node.onChange();
    });
    if (read && read.data.equals(REVOKE_MESSAGE) && read.stat.mzxid > node.revokeZxid) node.revokeZxid = read.stat.mzxid;
    if (read) {
      // The event can come in the same read as the reply, and so run before this line: then
      // the watch is spent already (and whoever listens was told).
      node.ownWatchArmed = !fired;
      node.czxid = read.stat.czxid;
    }
    return read;
  }

  /** Arms the own-node watch of a node that holds at once (reads its fencing token). */
  private async armHeld(node: HeldNode, deadline: Deadline): Promise<HeldNode> {
    const stat = await this.read(deadline, () => this.armOwnWatch(node));
    if (!stat) throw new LockLostError(this.basePath, `our node ${node.path} vanished right after its creation`);
    return node;
  }

  /** Deletes our node, retrying in the background on connection loss. */
  async release(node: HeldNode): Promise<void> {
    node.onChange = () => undefined;
    this.client.unwatchOwnNode(node.path);
    let confirmed: boolean;
    try {
      confirmed = await deleteGuaranteed(this.client, node.path, node.generation);
    } catch (err) {
      if (err instanceof NoAuthError) this.rightsChecked = false; // the ACL changed: check before the next create
      throw err;
    }
    const look = this.soleLook;
    if (confirmed && look?.node === node.path) this.soleLook = { ...look, deleted: true };
  }

  /**
   * Deletes our node only while its data is still at `version`: one try, every error to the
   * caller (BadVersionError when someone rewrote the data, NoNodeError when it is gone,
   * ConnectionLossError when the answer was lost: the node may or may not be gone). For a
   * holder that keeps facts in its node which others may change (the HTTP gateway's lock
   * record, refreshed by any instance) and must not release on stale ones.
   */
  async deleteAtVersion(node: HeldNode, version: number): Promise<void> {
    node.onChange = () => undefined;
    try {
      await this.client.delete(node.path, version);
    } catch (err) {
      if (err instanceof NoAuthError) this.rightsChecked = false;
      throw err;
    }
    this.client.unwatchOwnNode(node.path);
  }

  /** Sorted full paths of every child (Curator's getParticipantNodes). */
  async participants(): Promise<string[]> {
    const children = await this.client.getChildrenOrEmpty(this.basePath);
    return sortChildren(children, this.driver.sortNames).map((c) => `${this.basePath}/${c}`);
  }

  /**
   * True when at least one node of this recipe's kind (its lock name) holds the lock, judged
   * by the driver from one children listing exactly as the participants (and Curator) judge
   * themselves. Foreign nodes never count as holders. False when the lock path is missing.
   */
  async hasHolder(): Promise<boolean> {
    let children: string[];
    try {
      children = await this.client.getChildren(this.basePath);
    } catch (err) {
      if (err instanceof NoNodeError) return false;
      throw err;
    }
    const sorted = sortChildren(children, this.driver.sortNames);
    return sorted.some((name, index) => name.includes(this.driver.lockName) && this.driver.decide(sorted, index).held);
  }

  private async connected(deadline: Deadline): Promise<void> {
    if (!this.client.isConnected) await deadline.wait(this.client.waitConnected());
  }

  /** @internal Idempotent reads: retried after a connection loss, within the deadline. */
  async read<T>(deadline: Deadline, fn: () => Promise<T>): Promise<T> {
    for (;;) {
      deadline.check(false);
      await this.connected(deadline);
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof ConnectionLossError)) throw err;
      }
    }
  }

  /**
   * Creates `<base>/<prefix><lockName><seq>`, creating container parents when missing. A create
   * whose reply was lost may have been applied: we look for our protected prefix, adopt the
   * node only if our session (not a successor) owns it, and otherwise delete whatever the
   * prefix finds in the background (CURATOR-45/-79/-498). @internal (the semaphore's leases use it too)
   */
  async createOurNode(prefix: string, deadline: Deadline): Promise<HeldNode> {
    if (this.rightsChecked) return this.createNode(prefix, deadline);
    // The first create on this client and path checks the rights (and makes the parents, if
    // missing): concurrent first acquires wait for it once and then, checked, create plainly,
    // instead of each paying the checked transaction and the parents' creates.
    const under = this.client.firstLockCreates.get(this.basePath);
    if (under) {
      try {
        await deadline.wait(under);
      } catch (err) {
        // Out of time: create anyway (checked, if still unchecked), as a try-lock tries once.
        if (!(err instanceof LockTimeoutError)) throw err;
      }
      return this.createNode(prefix, deadline);
    }
    let settle!: () => void;
    const first = new Promise<void>((resolve) => { settle = resolve; });
    this.client.firstLockCreates.set(this.basePath, first);
    try {
      return await this.createNode(prefix, deadline);
    } finally {
      if (this.client.firstLockCreates.get(this.basePath) === first) this.client.firstLockCreates.delete(this.basePath);
      settle();
    }
  }

  /** {@link createOurNode}'s create, checked or plain as the client's rights check stands. */
  private async createNode(prefix: string, deadline: Deadline): Promise<HeldNode> {
    const target = `${this.basePath}/${prefix}${this.driver.lockName}`;
    let uncertain = false;
    let data: Buffer | undefined;
    try {
      for (;;) {
        deadline.check(false);
        await this.connected(deadline);
        const generation = this.client.sessionGeneration;
        data ??= this.dataForNode(); // made when the first create can leave, then kept (see NodeData)
        try {
          return await this.createAndLook(target, generation, data);
        } catch (err) {
          try {
            if (err instanceof NoNodeError) {
              await this.read(deadline, () => this.client.createContainers(this.basePath, this.acls.parent));
            } else if (err instanceof ConnectionLossError) {
              uncertain = true;
              const found = await this.findOwnNode(prefix, generation, deadline, data);
              if (found) return found;
            } else {
              throw err;
            }
          } catch (recoveryErr) {
            // The session was lost meanwhile (a node it made is gone with it): try again on
            // the new one, within the deadline.
            if (!(recoveryErr instanceof SessionExpiredError)) throw recoveryErr;
          }
        }
      }
    } catch (err) {
      if (uncertain) void deleteByPrefixGuaranteed(this.client, this.basePath, prefix, this.client.sessionGeneration);
      if (err instanceof NoAuthError) this.rightsChecked = false;
      throw this.explain(refusedRight(err, this.basePath));
    }
  }

  /**
   * A create under an ephemeral node (the lock path, or an ancestor we tried to create it
   * under) says NOCHILDRENFOREPHEMERALS; say which node it is and what a lock needs instead.
   */
  private explain(err: unknown): unknown {
    if (!(err instanceof NoChildrenForEphemeralsError)) return err;
    const slash = err.path.lastIndexOf('/');
    const ephemeral = slash > 0 ? err.path.slice(0, slash) : '/';
    const where = ephemeral === this.basePath ? 'is an ephemeral node' : `is under the ephemeral node ${ephemeral}`;
    return new NoChildrenForEphemeralsError(err.zkCode, err.zkName, err.operation, err.path,
      `lock path ${this.basePath} ${where}; locks need a persistent or container parent`);
  }

  /**
   * Sends the create, then at once (before its reply) the children listing. ZooKeeper handles
   * a session's requests in order, so the listing already includes our node: the first look
   * costs no round trip of its own. `basis` is captured before the create leaves, so a delete
   * it calls confirmed was applied before our create. Without a basis the listing cannot tell
   * our fencing token: the create then asks for our node's stat in its reply (create2), which
   * costs no request either.
   */
  private async createAndLook(target: string, generation: number, data: Buffer): Promise<HeldNode> {
    const basis = this.soleLook?.deleted ? this.soleLook : undefined;
    const withStat = basis === undefined;
    const creating = this.rightsChecked
      ? this.client.createNode(target, data, CreateMode.EPHEMERAL_SEQUENTIAL, this.acls.node, withStat)
      : this.createChecked(target, data);
    const listing = this.client.getChildrenWithStat(this.basePath);
    listing.catch(() => undefined); // used (and its error handled) only if the create succeeds
    const created = await creating;
    const node = new HeldNode(created.path, generation, data);
    if (created.stat) node.czxid = created.stat.czxid;
    node.firstLook = { listing, basis };
    return node;
  }

  /**
   * Our first create on this lock: in one transaction with the check that we may list, create
   * and delete under the lock path (lock-rights.ts). Refused, it creates nothing. (A create in a
   * multi answers with its path only, whatever its type: the first look reads the stat.)
   */
  private async createChecked(target: string, data: Buffer): Promise<{ path: string; stat?: NodeStat }> {
    const results = await this.client.multi(guardedCreateOps(this.basePath, target, data, this.acls.node));
    this.rightsChecked = true;
    const created = results[GUARDED_CREATE_INDEX];
    return { path: created?.type === 'create' ? created.path : target };
  }

  /**
   * Our fencing token read off a listing, without asking for our node: when the last look
   * found only our previous node, the server confirmed its delete before our create left,
   * and the lock path's cversion has grown by exactly two since (that delete and our create),
   * nothing else touched the children, so the last child change, the path's pzxid, is our
   * create: its zxid is our node's czxid. Any other change (or a re-created path) fails the
   * test and we read the stat instead.
   */
  private tokenFromListing(node: HeldNode, basis: SoleLook, parent: NodeStat): void {
    if (parent.czxid === basis.parentCzxid && parent.cversion === basis.cversion + 2) node.czxid = parent.pzxid;
  }

  /** Remembers a look that found our node alone: the basis of the next token from a listing. */
  private rememberLook(node: HeldNode, children: number, parent: NodeStat): void {
    this.soleLook = children === 1 ? { node: node.path, parentCzxid: parent.czxid, cversion: parent.cversion, deleted: false } : undefined;
  }

  /** Reads our node's stat without a watch: the fencing token, or undefined if it is gone. */
  private async readOwnStat(node: HeldNode): Promise<NodeStat | undefined> {
    const stat = await this.client.exists(node.path);
    if (stat) node.czxid = stat.czxid;
    return stat;
  }

  /**
   * Awaits a read of our own node: true once read, false if the connection dropped (look
   * again); throws OwnNodeGone if the node or its session is gone.
   */
  private async ownNodeRead(node: HeldNode, read: Promise<NodeStat | undefined>): Promise<boolean> {
    let stat: NodeStat | undefined;
    try {
      stat = await read;
    } catch (err) {
      if (err instanceof SessionExpiredError) throw new OwnNodeGone(true);
      if (err instanceof ConnectionLossError) return false;
      throw err;
    }
    if (!stat) throw new OwnNodeGone(this.client.sessionGeneration !== node.generation);
    return true;
  }

  private async findOwnNode(prefix: string, generation: number, deadline: Deadline, data: Buffer): Promise<HeldNode | undefined> {
    await this.connected(deadline);
    // A new session means the old one expired: its node, if any, is gone or going.
    if (this.client.sessionGeneration !== generation) return undefined;
    let children: string[];
    try {
      children = await this.read(deadline, () => this.client.getChildren(this.basePath));
    } catch (err) {
      if (err instanceof NoNodeError) return undefined;
      throw err;
    }
    const name = children.find((c) => c.startsWith(prefix));
    if (!name) return undefined;
    const path = `${this.basePath}/${name}`;
    const stat = await this.read(deadline, () => this.client.exists(path));
    if (this.isOurs(stat, generation)) return new HeldNode(path, generation, data);
    if (stat) await deleteGuaranteed(this.client, path, this.client.sessionGeneration);
    return undefined;
  }

  /** Our node is only ours while the session that created it is the client's session. */
  private checkSameSession(node: HeldNode): void {
    if (this.client.sessionGeneration !== node.generation) throw new OwnNodeGone(true);
  }

  /** The decide-watch-wait loop. Returns once held; throws OwnNodeGone to restart. */
  private async waitUntilHeld(node: HeldNode, deadline: Deadline): Promise<void> {
    const ourName = node.path.slice(this.basePath.length + 1);
    let toldQueued = ''; // the position last reported: a wake that changes nothing is not news
    let woke: WatchChange | undefined; // what ended the last wait, if a watch did
    for (;;) {
      this.checkSameSession(node);
      // Our own node's stat (fencing token) and watch ride along with the listing: both
      // requests leave back to back and ZooKeeper answers in order, so it costs no round trip.
      // Skipped on a first look whose listing can tell the token (tokenFromListing): that
      // follows a lone hold, so we most likely hold at once, and the Hold arms the watch only
      // if the lock is kept (a waiter arms it with its predecessor's).
      const first = node.firstLook;
      node.firstLook = undefined;
      const tokenKnown = first !== undefined && (first.basis !== undefined || node.czxid !== 0n); // from the listing, or the create's reply
      const ownRead = tokenKnown || node.ownWatchArmed || !this.client.isConnected ? undefined : this.armOwnWatch(node);
      ownRead?.catch(() => undefined); // awaited below, after the listing
      const list = (): Promise<Listing> => this.read(deadline, () => this.client.getChildrenWithStat(this.basePath));
      if (woke === 'deleted' && this.client.isConnected) this.options.onRelook?.(node);
      woke = undefined;
      let listed: Listing;
      try {
        listed = await (first ? first.listing.catch(list) : list());
      } catch (err) {
        if (err instanceof SessionExpiredError) throw new OwnNodeGone(true);
        if (err instanceof NoNodeError) throw new OwnNodeGone(this.client.sessionGeneration !== node.generation);
        throw err;
      }
      if (ownRead) await this.ownNodeRead(node, ownRead);
      // The listing waited for a connection and may come from a NEW session: our node then
      // belongs to the session we gave up on. A server that was down (or restarted) can keep
      // that session, and its node, alive for a while: still listed, even first in line. It is
      // not a grant: start over on the new session (CURATOR-335).
      this.checkSameSession(node);
      const sorted = sortChildren(listed.children, this.driver.sortNames);
      const ourIndex = sorted.indexOf(ourName);
      if (ourIndex < 0) throw new OwnNodeGone(false); // same session (checked above): deleted
      this.rememberLook(node, sorted.length, listed.stat);
      if (first?.basis) this.tokenFromListing(node, first.basis, listed.stat);
      if (first && this.options.checkFirstListing) await this.options.checkFirstListing(listed.children, ourName);
      const decision = this.driver.decide(sorted, ourIndex);
      // The listing could not tell the token: read it (a rare race with another client).
      if (decision.held && node.czxid === 0n && first?.basis) await this.ownNodeRead(node, this.readOwnStat(node));
      // Held with the token known; the Hold arms the own-node watch (armOwnWatch). The caller
      // builds its Hold from the node in this turn: after the own-node read above the session
      // may have been replaced, so look once more.
      if (decision.held && node.czxid !== 0n) {
        this.checkSameSession(node);
        return;
      }
      if (decision.held) continue; // the own-node read was lost with the connection: again
      if (deadline.remaining() <= 0) throw deadline.timeoutError();
      node.queued = true;
      this.options.onWait?.(node);

      const watched = `${this.basePath}/${decision.watch}`;
      // Wait on `watched` until it goes. A change of its data leaves it where it is (its owner
      // wrote into it: a revocation request, or the HTTP gateway's grant): watch it again,
      // without a new look at the queue.
      for (let rewatch = false; ; rewatch = true) {
        let change: WatchChange | undefined;
        let wake!: (why?: WatchChange) => void;
        const woken = new Promise<void>((resolve) => { wake = (why) => { change = why; resolve(); }; });
        // A waiter must hear of its own node's deletion too (not yet armed after a first look
        // that relied on the listing for the token).
        const ownArm = node.ownWatchArmed ? undefined : this.ownNodeRead(node, this.armOwnWatch(node));
        ownArm?.catch(() => undefined); // awaited below, after the predecessor's watch
        let exists: boolean;
        try {
          exists = await this.read(deadline, () => this.client.watchNode(watched, wake));
        } catch (err) {
          if (err instanceof SessionExpiredError) throw new OwnNodeGone(true);
          throw err;
        }
        let ownArmed: boolean;
        try {
          ownArmed = (await ownArm) ?? true;
        } catch (err) {
          if (exists) this.client.unwatchNode(watched, wake);
          throw err;
        }
        if (!ownArmed) {
          if (exists) this.client.unwatchNode(watched, wake);
          break; // the connection dropped: look again (that look arms it)
        }
        if (!exists) break; // already gone: look again at once
        if (toldQueued !== `${ourIndex} ${watched}` && this.driver.lockEvents !== false) {
          toldQueued = `${ourIndex} ${watched}`;
          reportQueued(this.client, this.basePath, this.driver.lockName, node.path, ourIndex, watched);
        }
        try {
          if (!rewatch) deadline.onQueued?.({ node: node.path, ahead: ourIndex, watching: watched });
        } catch (err) {
          this.client.unwatchNode(watched, wake);
          throw err;
        }
        node.onChange = () => wake(); // our own node changing (deleted?) must wake us too: a new look
        // Its watch may have fired already, while we set up the predecessor's watch, when no
        // one listened: look again rather than wait for an event that has come and gone.
        if (!node.ownWatchArmed) wake();
        try {
          await deadline.wait(woken, () => this.client.unwatchNode(watched, wake));
        } finally {
          node.onChange = () => undefined;
        }
        this.checkSameSession(node);
        woke = change;
        if (change !== 'changed') break;
      }
    }
  }
}
