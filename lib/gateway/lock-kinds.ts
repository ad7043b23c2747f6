// One kind of lock per resource. A mutex and a read-write lock on one path would not exclude
// each other (their nodes sort by different names), nor would a mutex and a V2 semaphore, nor
// mutex users that disagree on maxLeases. A request that does not match the nodes already
// there is refused with 409. The check reads the listing that comes back with our own create
// (our node is in it, so a conflicting request made at the same moment sees ours too and one
// of the two refuses), which costs no round trip; only nodes whose maxLeases this process does
// not know yet are read, a few at most, and remembered.
//
// A leader election's path (LeaderLatch nodes, `latch-`) is no lock: a lock there would not
// exclude its leader (each of Curator's recipes sorts the other's nodes last), so it is refused
// with 409 as well. There the create itself would do harm: a zkurator LeaderLatch leader watches
// its path and steps down (withdrawing its node) as soon as a `lock-` node appears, even one
// deleted a moment later. So a resource this process has not yet seen free of election nodes
// is listed before the create (one round trip, once per resource while remembered), and an
// election's path is refused without a node of ours ever appearing there.
import { NoNodeError, NotEmptyError } from '../errors.js';
import { LATCH_NODE_NAME } from '../leader/election-nodes.js';
import { MUTEX_LOCK_NAME } from '../locks/engine/lock-driver.js';
import { READ_LOCK_NAME, WRITE_LOCK_NAME } from '../locks/engine/read-lock-driver.js';
import { SEMAPHORE_LEASES, SEMAPHORE_LOCKS } from '../locks/semaphore.js';
import { RecentSet } from '../util/recent-set.js';
import type { ZkClient } from '../framework/zk-client.js';
import { decodeRecord, type LockMode } from './lock-record.js';
import { Problem } from './problem.js';

/** Others' nodes read at most per check to learn the maxLeases a busy lock is used with. */
const MAX_READS = 8;
/** Others' nodes whose maxLeases (or lack of a record) is remembered, oldest forgotten first. */
const MAX_REMEMBERED = 10_000;
const isLatchNode = (name: string): boolean => name.includes(LATCH_NODE_NAME);

/** Resource paths remembered as free of election nodes, the least recently used forgotten first. */
const MAX_ELECTION_FREE = 10_000;

/** What a request asks for, as far as the kind of lock goes. */
export interface KindRequest {
  readonly mode: LockMode;
  readonly maxLeases: number;
}

function conflict(detail: string, title = 'Lock kind conflict'): Problem {
  return new Problem(409, 'recipe-conflict', title, detail);
}

export function semaphoreConflict(resource: string): Problem {
  return conflict(`${resource} is a semaphore (V2) now; ask for mode "semaphore"`);
}

export class LockKindCheck {
  /**
   * maxLeases by node path: this process's own mutex and semaphore nodes while they exist, and
   * others' nodes once read (null: no gateway record, so it tells nothing). A node's maxLeases
   * never changes, and a path is never reused (its name has a random UUID).
   */
  private readonly maxLeasesOf = new Map<string, number | null>();
  /**
   * Resource paths whose last listing seen here held no LeaderLatch node: a lock's create may go
   * there without a listing first. (An election that starts on such a path later is still
   * refused, by the check of the create's own listing; only then may our node have been seen.)
   */
  private readonly electionFree = new RecentSet(MAX_ELECTION_FREE);

  constructor(private readonly client: ZkClient) {}

  /** Our own node, told to concurrent checks of this process without a read. */
  remember(path: string, maxLeases: number): void {
    this.maxLeasesOf.set(path, maxLeases);
  }

  forget(path: string): void {
    this.maxLeasesOf.delete(path);
  }

  /** Whether a lock's create on `base` must be preceded by a listing ({@link check}): not yet seen free of election nodes. */
  mustLookFirst(base: string): boolean {
    return !this.electionFree.has(base);
  }

  /**
   * Throws a 409 Problem when the children of the resource's path `base` hold a lock of
   * another kind, or a mutex or semaphore with another maxLeases. `ourName`: our own node among
   * them, not counted. Deletes an earlier semaphore's empty `locks` and `leases` containers
   * when the request is not a semaphore (one no longer empty is a semaphore in use again: 409).
   * A path holding LeaderLatch nodes is a leader election's: 409 whatever the request.
   */
  async check(resource: string, base: string, request: KindRequest, children: readonly string[], ourName?: string): Promise<void> {
    let dirs: string[] | undefined;
    const others: string[] = [];
    for (const c of children) {
      if (c === SEMAPHORE_LOCKS || c === SEMAPHORE_LEASES) (dirs ??= []).push(c);
      else if (c !== ourName) others.push(c);
    }
    this.checkNotElection(resource, base, others);
    const semaphore = dirs ? await this.semaphoreNodes(base, dirs) : [];
    if (request.mode !== 'semaphore') {
      if (semaphore.length > 0) throw semaphoreConflict(resource);
      if (dirs) await this.deleteEmptySemaphore(base, resource, dirs);
    }
    const readWrite = others.some((c) => c.includes(READ_LOCK_NAME) || c.includes(WRITE_LOCK_NAME));
    const mutex = others.filter((c) => c.includes(MUTEX_LOCK_NAME));
    if ((request.mode === 'mutex' || request.mode === 'semaphore') && readWrite) throw conflict(`${resource} is a read-write lock now; ask for mode "read" or "write"`);
    if (request.mode !== 'mutex' && mutex.length > 0) throw conflict(`${resource} is a mutex now; ask for mode "mutex"`);
    const counted = request.mode === 'semaphore' ? semaphore : request.mode === 'mutex' ? mutex.map((name) => `${base}/${name}`) : [];
    await this.checkMaxLeases(resource, counted, request.maxLeases);
  }

  /** 409 when `children` hold LeaderLatch nodes; remembers whether they did. */
  private checkNotElection(resource: string, base: string, children: readonly string[]): void {
    // every POST passes here: the common case (no latch node) allocates nothing
    if (!children.some(isLatchNode)) {
      this.electionFree.add(base);
      return;
    }
    this.electionFree.delete(base);
    const latch = children.filter(isLatchNode);
    throw conflict(`${resource} is a leader election's path (${latch.length} LeaderLatch node${latch.length === 1 ? '' : 's'}, e.g. ${latch[0]}): `
      + 'a lock there would not exclude its leader (Curator\'s LeaderLatch and a lock each sort the other\'s nodes last); '
      + 'GET /locks/' + resource + ' shows the election; lock another resource', 'Election conflict');
  }

  /** Every counted node must be used with `maxLeases`: the ones we know, then a few read. */
  private async checkMaxLeases(resource: string, paths: readonly string[], maxLeases: number): Promise<void> {
    const unknown: string[] = [];
    for (const path of paths) {
      const known = this.maxLeasesOf.get(path);
      if (known === undefined) unknown.push(path);
      else if (known !== null && known !== maxLeases) throw maxLeasesConflict(resource, known, maxLeases);
    }
    if (unknown.length === 0) return;
    const read = await Promise.all(unknown.slice(0, MAX_READS).map(async (path) => {
      try {
        return { path, record: decodeRecord((await this.client.getData(path)).data) };
      } catch (err) {
        if (err instanceof NoNodeError) return undefined;
        throw err;
      }
    }));
    for (const node of read) {
      if (!node) continue;
      this.rememberOther(node.path, node.record?.maxLeases ?? null);
      if (node.record && node.record.maxLeases !== maxLeases) throw maxLeasesConflict(resource, node.record.maxLeases, maxLeases);
    }
  }

  private rememberOther(path: string, maxLeases: number | null): void {
    if (this.maxLeasesOf.size >= MAX_REMEMBERED) {
      const oldest = this.maxLeasesOf.keys().next();
      if (!oldest.done) this.maxLeasesOf.delete(oldest.value);
    }
    this.maxLeasesOf.set(path, maxLeases);
  }

  /**
   * The nodes of a V2 semaphore under `base` (lease nodes first, then acquirers queued on its
   * internal mutex), as full paths. Empty `leases` and `locks` containers left by an earlier
   * semaphore do not make it one.
   */
  private async semaphoreNodes(base: string, dirs: readonly string[]): Promise<string[]> {
    const listed = await Promise.all([SEMAPHORE_LEASES, SEMAPHORE_LOCKS].filter((d) => dirs.includes(d)).map(async (dir) =>
      (await this.client.getChildrenOrEmpty(`${base}/${dir}`)).map((name) => `${base}/${dir}/${name}`)));
    return listed.flat();
  }

  /**
   * An earlier semaphore's empty `locks` and `leases` containers would sit among the nodes of
   * a mutex or read-write lock (shown as foreign nodes) until the server removes them: delete
   * them. One that is no longer empty is a semaphore in use again: 409.
   */
  private async deleteEmptySemaphore(base: string, resource: string, dirs: readonly string[]): Promise<void> {
    for (const dir of dirs) {
      try {
        await this.client.delete(`${base}/${dir}`);
      } catch (err) {
        if (err instanceof NotEmptyError) throw semaphoreConflict(resource);
        if (!(err instanceof NoNodeError)) throw err;
      }
    }
  }
}

function maxLeasesConflict(resource: string, inUse: number, asked: number): Problem {
  return conflict(`${resource} is in use with maxLeases ${inUse}; ask for the same (got ${asked})`, 'maxLeases conflict');
}
