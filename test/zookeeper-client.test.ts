// zkurator's own ZooKeeper client (lib/zookeeper/, and the ZkClient on top of it) on its own,
// against a real ZooKeeper 3.8 server: every request, watches (and their re-registration
// after a reconnect), expiry, host lists, chroot, auth, limits, close and unref. TTL and
// container reaping run on a second server started with extended types.
// Nothing here polls: every wait is on an event (a state, a watch, a child's output), each
// with a deadline; the one fixed wait is the observation window of the idle-session test.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  AuthFailedError, BadVersionError, ClientClosedError, ConnectionLossError, NoAuthError, NoNodeError, NodeExistsError, NotEmptyError, SessionExpiredError,
  ValidationError, ZooKeeperError, connect, type ConnectionState, type ZkClient,
} from '../lib/index.js';
import {
  CREATOR_ALL_ACL, CreateMode, EventType, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE, ZooKeeperSession, digestId,
  parseConnectString, type ACL, type SessionOptions, type SessionState, type WatchedEvent, type Watcher,
} from '../lib/zookeeper/index.js';
import { expireSession } from './support/expire-session.js';
import { newClient, sharedConnectString, sharedServerPort, uniquePath } from './support/harness.js';
import { freePort } from './support/ports.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { ZkCluster } from './support/zk-server.js';

const EMPTY = Buffer.alloc(0);
const DIGEST = { user: 'zkc-user', password: 'zkc-secret' };

const sessions: ZooKeeperSession[] = [];
const proxies: TcpProxy[] = [];
const children: ChildProcess[] = [];

/** A low-level session, closed after the test. */
function openSession(connectString: string, options: Partial<Omit<SessionOptions, 'hosts' | 'chroot'>> = {}): ZooKeeperSession {
  const { hosts, chroot } = parseConnectString(connectString);
  const session = new ZooKeeperSession({ hosts, chroot, sessionTimeout: 6_000, ...options });
  sessions.push(session);
  return session;
}

/** Resolves once the session is in `want` (at once if it is); fails on a deadline or a different end. */
function untilState(session: ZooKeeperSession, want: SessionState, timeoutMs = 10_000): Promise<void> {
  if (session.state === want) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.off('state', on);
      reject(new Error(`session still ${session.state} after ${timeoutMs} ms, wanted ${want} (last error: ${session.lastConnectError ?? 'none'})`));
    }, timeoutMs);
    const on = (state: SessionState): void => {
      const terminal = state === 'expired' || state === 'closed' || state === 'authFailed';
      if (state !== want && !terminal) return;
      clearTimeout(timer);
      session.off('state', on);
      if (state === want) resolve();
      else reject(new Error(`session ended (${state}) while waiting for ${want}`));
    };
    session.on('state', on);
  });
}

async function connectedSession(connectString: string, options: Partial<Omit<SessionOptions, 'hosts' | 'chroot'>> = {}): Promise<ZooKeeperSession> {
  const session = openSession(connectString, options);
  await untilState(session, 'connected');
  return session;
}

async function proxy(): Promise<TcpProxy> {
  const p = await TcpProxy.start(sharedServerPort());
  proxies.push(p);
  return p;
}

/** Every state a session reports from now on. */
function sessionStates(session: ZooKeeperSession): SessionState[] {
  const seen: SessionState[] = [];
  session.on('state', (s) => seen.push(s));
  return seen;
}

/** Every state a client reports from now on. */
function clientStates(client: ZkClient): ConnectionState[] {
  const seen: ConnectionState[] = [];
  client.on('state', (s) => seen.push(s));
  return seen;
}

function untilClientState(client: ZkClient, want: ConnectionState, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('state', on);
      reject(new Error(`client still ${client.state} after ${timeoutMs} ms, wanted ${want}`));
    }, timeoutMs);
    const on = (s: ConnectionState): void => {
      if (s !== want) return;
      clearTimeout(timer);
      client.off('state', on);
      resolve();
    };
    client.on('state', on);
  });
}

/** Watch events of many watchers in one list, in arrival order, each tagged by its watcher. */
class EventLog {
  readonly events: (WatchedEvent & { tag: string })[] = [];
  private readonly wake = new Set<() => void>();

  watcher(tag: string): Watcher {
    return (event) => {
      this.events.push({ ...event, tag });
      for (const w of [...this.wake]) w();
    };
  }

  /** Resolves once `n` events in all have arrived; rejects after `timeoutMs`. */
  until(n: number, timeoutMs = 5_000): Promise<void> {
    if (this.events.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.events.length < n) return;
        clearTimeout(timer);
        this.wake.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.wake.delete(check);
        reject(new Error(`only ${this.events.length} of ${n} watch events within ${timeoutMs} ms: ${JSON.stringify(this.summary())}`));
      }, timeoutMs);
      this.wake.add(check);
    });
  }

  summary(): string[] {
    return this.events.map((e) => `${e.tag} ${eventName(e.type)} ${e.path}`);
  }
}

function eventName(type: number): string {
  return Object.entries(EventType).find(([, v]) => v === type)?.[0] ?? String(type);
}

/** A round trip on `session`: any notification the server queued for it before now has arrived. */
async function roundTrip(session: ZooKeeperSession): Promise<void> {
  await session.exists('/');
}

async function ensure(session: ZooKeeperSession, path: string): Promise<void> {
  try {
    await session.create(path, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
  } catch (err) {
    if (!(err instanceof NodeExistsError)) throw err;
  }
}

/** A fresh persistent node of this test, under /zkurator-test. */
async function freshBase(session: ZooKeeperSession, name: string): Promise<string> {
  await ensure(session, '/zkurator-test');
  const path = uniquePath(name);
  await session.create(path, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
  return path;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject, it resolved');
}

/** Output and exit of a child process. */
function watchChild(child: ChildProcess): { output: () => string; exited: Promise<number | null>; until: (text: string, timeoutMs: number) => Promise<void> } {
  let out = '';
  const wake = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const w of [...wake]) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); for (const w of [...wake]) w(); }));
  return {
    output: () => out,
    exited,
    until: (text, timeoutMs) => new Promise((resolve, reject) => {
      const check = (): void => {
        if (out.includes(text)) {
          clearTimeout(timer);
          wake.delete(check);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          wake.delete(check);
          reject(new Error(`child exited (${child.exitCode ?? child.signalCode}) before printing "${text}": ${out}`));
        }
      };
      const timer = setTimeout(() => { wake.delete(check); reject(new Error(`no "${text}" from the child within ${timeoutMs} ms: ${out}`)); }, timeoutMs);
      wake.add(check);
      check();
    }),
  };
}

describe('own ZooKeeper client against a real ZooKeeper server', function () {
  this.timeout(30_000);

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  describe('requests', () => {
    it('create in each mode: the returned path, the sequence suffix and the stat (ephemeralOwner) match the mode', async () => {
      const s = await connectedSession(sharedConnectString());
      const base = await freshBase(s, 'modes');
      expect(await s.create(`${base}/p`, Buffer.from('p'), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)).to.equal(`${base}/p`);
      expect(await s.create(`${base}/e`, Buffer.from('e'), OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL)).to.equal(`${base}/e`);
      const ps1 = await s.create(`${base}/ps-`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
      const ps2 = await s.create(`${base}/ps-`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
      const es = await s.create(`${base}/es-`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
      expect(await s.create(`${base}/c`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.CONTAINER)).to.equal(`${base}/c`);
      const seq = /-(\d{10})$/;
      expect(ps1).to.match(new RegExp(`^${base}/ps-\\d{10}$`));
      expect(ps2).to.match(new RegExp(`^${base}/ps-\\d{10}$`));
      expect(es).to.match(new RegExp(`^${base}/es-\\d{10}$`));
      // the parent's counter: one per create under it, so the numbers are 2, 3 and 4
      expect([ps1, ps2, es].map((p) => Number(seq.exec(p)![1]))).to.deep.equal([2, 3, 4]);

      const owner = async (p: string): Promise<bigint> => (await s.exists(p))!.ephemeralOwner;
      expect(await owner(`${base}/p`)).to.equal(0n);
      expect(await owner(ps1)).to.equal(0n);
      expect(await owner(`${base}/e`)).to.equal(s.sessionId);
      expect(await owner(es)).to.equal(s.sessionId);
      // the server keeps Long.MIN_VALUE for a container but shows clients 0 (DataTree.getClientEphemeralOwner)
      expect(await owner(`${base}/c`)).to.equal(0n);
      expect((await s.getData(`${base}/e`)).data.toString()).to.equal('e');
      expect((await s.getChildren(base)).sort()).to.deep.equal(
        ['c', 'e', 'p', ps1.split('/').at(-1)!, ps2.split('/').at(-1)!, es.split('/').at(-1)!].sort());

      // an existing node, and a missing parent
      expect(await rejection(s.create(`${base}/p`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))).to.be.instanceOf(NodeExistsError);
      expect(await rejection(s.create(`${base}/none/x`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))).to.be.instanceOf(NoNodeError);
      // TTL modes: refused by a server without extended types, and a TTL is required
      const ttlErr = await rejection(s.create(`${base}/ttl`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 1_000n));
      expect(ttlErr).to.be.instanceOf(ZooKeeperError);
      expect((ttlErr as ZooKeeperError).zkName).to.equal('UNIMPLEMENTED');
      expect(await rejection(s.create(`${base}/ttl`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL))).to.be.instanceOf(ValidationError);
      expect(await s.exists(`${base}/ttl`)).to.equal(null);
    });

    it('create2 returns the new node\'s stat; the ACL argument is honoured (getACL shows it, a missing permission is NoAuthError); setACL with versions', async () => {
      const s = await connectedSession(sharedConnectString());
      const base = await freshBase(s, 'acl');
      const created = await s.create2(`${base}/n`, Buffer.from('hello'), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      expect(created.path).to.equal(`${base}/n`);
      expect(created.stat).to.deep.equal(await s.exists(`${base}/n`));
      expect(created.stat.version).to.equal(0);
      expect(created.stat.dataLength).to.equal(5);
      expect(created.stat.numChildren).to.equal(0);
      expect(created.stat.czxid).to.equal(created.stat.mzxid);
      expect(created.stat.pzxid).to.equal(created.stat.czxid);
      const seq = await s.create2(`${base}/s-`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
      expect(seq.path).to.match(new RegExp(`^${base}/s-\\d{10}$`));
      expect(seq.stat.ephemeralOwner).to.equal(s.sessionId);

      // everyone may read, only the digest identity may do anything else
      const acl: ACL[] = [
        { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } },
        { perms: Perms.ALL, id: digestId(DIGEST.user, DIGEST.password) },
      ];
      await s.create(`${base}/guarded`, Buffer.from('g'), acl, CreateMode.PERSISTENT);
      // without ADMIN the server shows digest ids redacted ("user:x"); with it, as set
      const got = await s.getACL(`${base}/guarded`);
      expect(got.acl).to.deep.equal([acl[0], { perms: Perms.ALL, id: { scheme: 'digest', id: `${DIGEST.user}:x` } }]);
      expect(got.stat.aversion).to.equal(0);
      const admin = await connectedSession(sharedConnectString(), { auth: [{ scheme: 'digest', auth: Buffer.from(`${DIGEST.user}:${DIGEST.password}`) }] });
      expect((await admin.getACL(`${base}/guarded`)).acl).to.deep.equal(acl);
      expect((await s.getData(`${base}/guarded`)).data.toString()).to.equal('g');
      expect(await rejection(s.setData(`${base}/guarded`, Buffer.from('x')))).to.be.instanceOf(NoAuthError);
      expect(await rejection(s.create(`${base}/guarded/child`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))).to.be.instanceOf(NoAuthError);
      expect(await rejection(s.setACL(`${base}/guarded`, OPEN_ACL_UNSAFE))).to.be.instanceOf(NoAuthError); // no ADMIN
      expect((await admin.getACL(`${base}/guarded`)).acl).to.deep.equal(acl);
      expect((await admin.setData(`${base}/guarded`, Buffer.from('by admin'))).version).to.equal(1);

      // setACL: a wrong version is refused, the right one applies and bumps aversion
      expect(await rejection(s.setACL(`${base}/n`, READ_ACL_UNSAFE, 3))).to.be.instanceOf(BadVersionError);
      const aclStat = await s.setACL(`${base}/n`, READ_ACL_UNSAFE, 0);
      expect(aclStat.aversion).to.equal(1);
      expect((await s.getACL(`${base}/n`)).acl).to.deep.equal(READ_ACL_UNSAFE);
      expect(await rejection(s.setData(`${base}/n`, Buffer.from('x')))).to.be.instanceOf(NoAuthError);
      expect(await rejection(s.getACL(`${base}/missing`))).to.be.instanceOf(NoNodeError);
    });

    it('delete and setData with versions (BadVersionError on a wrong one), exists is null for a missing node, getData of empty data', async () => {
      const s = await connectedSession(sharedConnectString());
      const base = await freshBase(s, 'versions');
      const path = `${base}/n`;
      await s.create(path, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      const empty = await s.getData(path);
      expect(empty.data).to.be.instanceOf(Buffer);
      expect(empty.data.length).to.equal(0);
      expect(empty.stat.version).to.equal(0);

      expect(await rejection(s.setData(path, Buffer.from('x'), 4))).to.be.instanceOf(BadVersionError);
      const v1 = await s.setData(path, Buffer.from('one'), 0);
      expect(v1.version).to.equal(1);
      expect(v1.dataLength).to.equal(3);
      expect(v1.mzxid > v1.czxid).to.equal(true);
      expect(await rejection(s.setData(path, Buffer.from('stale'), 0))).to.be.instanceOf(BadVersionError);
      const read = await s.getData(path);
      expect(read.data.toString()).to.equal('one');
      expect(read.stat).to.deep.equal(v1);
      expect((await s.setData(path, Buffer.from('two'))).version).to.equal(2); // -1: any version

      const bad = await rejection(s.delete(path, 1));
      expect(bad).to.be.instanceOf(BadVersionError);
      expect((bad as BadVersionError).zkCode).to.equal(-103);
      expect((bad as BadVersionError).path).to.equal(path);
      expect(await s.exists(path)).to.not.equal(null);
      await s.delete(path, 2);
      expect(await s.exists(path)).to.equal(null);
      expect(await rejection(s.delete(path))).to.be.instanceOf(NoNodeError);
      expect(await rejection(s.getData(path))).to.be.instanceOf(NoNodeError);
      expect(await rejection(s.setData(path, EMPTY))).to.be.instanceOf(NoNodeError);

      await s.create(`${base}/p`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await s.create(`${base}/p/c`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      expect(await rejection(s.delete(`${base}/p`))).to.be.instanceOf(NotEmptyError);
    });

    it('getChildren and getChildren2 list the children; getChildren2 returns the parent\'s stat at that moment', async () => {
      const s = await connectedSession(sharedConnectString());
      const base = await freshBase(s, 'children');
      expect(await s.getChildren(base)).to.deep.equal([]);
      const names = ['b', 'a', 'c'];
      const stats = [];
      for (const n of names) stats.push((await s.create2(`${base}/${n}`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)).stat);
      expect((await s.getChildren(base)).sort()).to.deep.equal(['a', 'b', 'c']);
      const both = await s.getChildren2(base);
      expect(both.children.sort()).to.deep.equal(['a', 'b', 'c']);
      expect(both.stat.numChildren).to.equal(3);
      expect(both.stat.cversion).to.equal(3);
      expect(both.stat.pzxid).to.equal(stats[2]!.czxid); // the last child created
      expect(both.stat).to.deep.equal(await s.exists(base));
      await s.delete(`${base}/a`);
      const after = await s.getChildren2(base);
      expect(after.children.sort()).to.deep.equal(['b', 'c']);
      expect(after.stat.cversion).to.equal(4);
      expect(await rejection(s.getChildren(`${base}/none`))).to.be.instanceOf(NoNodeError);
      expect(await rejection(s.getChildren2(`${base}/none`))).to.be.instanceOf(NoNodeError);
    });

    it('multi applies every operation in one transaction and returns each result; sync resolves with the path', async () => {
      const s = await connectedSession(sharedConnectString());
      const base = await freshBase(s, 'multi');
      await s.create(`${base}/old`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await s.create(`${base}/data`, Buffer.from('before'), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      const results = await s.multi([
        { type: 'check', path: `${base}/data`, version: 0 },
        { type: 'create', path: `${base}/new`, data: Buffer.from('n'), acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT },
        { type: 'create', path: `${base}/seq-`, data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.EPHEMERAL_SEQUENTIAL },
        { type: 'create', path: `${base}/box`, data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.CONTAINER },
        { type: 'setData', path: `${base}/data`, data: Buffer.from('after'), version: 0 },
        { type: 'delete', path: `${base}/old`, version: 0 },
      ]);
      expect(results.map((r) => r.type)).to.deep.equal(['check', 'create', 'create', 'create', 'setData', 'delete']);
      expect(results[1]).to.deep.equal({ type: 'create', path: `${base}/new` });
      const seqPath = (results[2] as { path: string }).path;
      expect(seqPath).to.match(new RegExp(`^${base}/seq-\\d{10}$`));
      const box = results[3] as { type: 'create'; path: string; stat?: { czxid: bigint } };
      expect(box.path).to.equal(`${base}/box`);
      const setStat = (results[4] as { stat: { version: number; mzxid: bigint } }).stat;
      expect(setStat.version).to.equal(1);
      // one transaction: one zxid for every change
      expect(box.stat?.czxid).to.equal(setStat.mzxid);
      expect((await s.exists(`${base}/new`))!.czxid).to.equal(setStat.mzxid);
      expect((await s.exists(seqPath))!.ephemeralOwner).to.equal(s.sessionId);
      expect((await s.getData(`${base}/data`)).data.toString()).to.equal('after');
      expect(await s.exists(`${base}/old`)).to.equal(null);
      expect(await s.sync(base)).to.equal(base);
      expect(await s.sync('/')).to.equal('/');
    });

    it('a multi with a failing operation applies nothing and rejects with the typed error of the first failure, with every result', async () => {
      const s = await connectedSession(sharedConnectString());
      const base = await freshBase(s, 'multi-fail');
      await s.create(`${base}/data`, Buffer.from('kept'), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      const before = await s.exists(`${base}/data`);
      const err = await rejection(s.multi([
        { type: 'create', path: `${base}/a`, data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT },
        { type: 'setData', path: `${base}/data`, data: Buffer.from('lost'), version: 7 },
        { type: 'create', path: `${base}/b`, data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT },
        { type: 'delete', path: `${base}/none`, version: -1 },
      ]));
      expect(err).to.be.instanceOf(BadVersionError);
      expect((err as BadVersionError).path).to.equal(`${base}/data`);
      expect((err as BadVersionError).operation).to.contain('op 2 of 4');
      // before the failure: OK; the failure; after it: RUNTIMEINCONSISTENCY (not even tried)
      expect((err as unknown as { results: unknown }).results).to.deep.equal([
        { type: 'error', err: 0 }, { type: 'error', err: -103 }, { type: 'error', err: -2 }, { type: 'error', err: -2 },
      ]);
      expect(await s.exists(`${base}/a`)).to.equal(null);
      expect(await s.exists(`${base}/b`)).to.equal(null);
      expect(await s.exists(`${base}/data`)).to.deep.equal(before);
      expect((await s.getData(`${base}/data`)).data.toString()).to.equal('kept');

      const exists = await rejection(s.multi([
        { type: 'create', path: `${base}/data`, data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT },
        { type: 'create', path: `${base}/c`, data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT },
      ]));
      expect(exists).to.be.instanceOf(NodeExistsError);
      expect(await s.exists(`${base}/c`)).to.equal(null);
      // the session is fine afterwards
      expect(await s.getChildren(base)).to.deep.equal(['data']);
    });

    it('zxids and session ids are bigints; stat fields are consistent (czxid <= mzxid, pzxid, times, ephemeralOwner)', async () => {
      const s = await connectedSession(sharedConnectString());
      expect(typeof s.sessionId).to.equal('bigint');
      expect(s.sessionId > 0n).to.equal(true);
      expect(s.sessionPassword.length).to.equal(16);
      const base = await freshBase(s, 'stat');
      const zxidBefore = s.lastZxid;
      expect(typeof zxidBefore).to.equal('bigint');
      const t0 = Date.now();
      const { stat: created } = await s.create2(`${base}/e`, Buffer.from('abc'), OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      for (const f of ['czxid', 'mzxid', 'pzxid', 'ctime', 'mtime', 'ephemeralOwner'] as const) expect(typeof created[f]).to.equal('bigint');
      expect(created.czxid > zxidBefore).to.equal(true);
      expect(s.lastZxid).to.equal(created.czxid); // the reply of the create carries its zxid
      expect(created.ephemeralOwner).to.equal(s.sessionId);
      expect(created.ctime).to.equal(created.mtime);
      expect(Math.abs(Number(created.ctime) - t0)).to.be.below(60_000);
      const changed = await s.setData(`${base}/e`, Buffer.from('abcdef'));
      expect(changed.czxid).to.equal(created.czxid);
      expect(changed.mzxid > changed.czxid).to.equal(true);
      expect(changed.mtime >= changed.ctime).to.equal(true);
      expect(changed.dataLength).to.equal(6);
      expect(changed.version).to.equal(1);
      const parent = (await s.exists(base))!;
      expect(parent.pzxid).to.equal(created.czxid); // the last change of its children
      expect(parent.czxid <= parent.mzxid).to.equal(true);
      expect(parent.ephemeralOwner).to.equal(0n);
      expect(s.lastZxid >= changed.mzxid).to.equal(true);

      // the same through ZkClient: hex session id, bigint zxids
      const client = await newClient();
      const path = await client.create(`${base}/ce`, Buffer.from('x'), CreateMode.EPHEMERAL);
      const st = (await client.getData(path)).stat;
      expect(st.ephemeralOwner).to.equal(client.sessionId);
      expect(BigInt(`0x${client.sessionId}`) > 0n).to.equal(true);
      expect(typeof st.czxid).to.equal('bigint');
      expect(st.czxid <= st.mzxid).to.equal(true);
      expect(typeof client.lastZxid).to.equal('bigint');
      expect(client.lastZxid >= st.mzxid).to.equal(true);
    });

    it('bad paths are refused with ValidationError before anything is sent, so no path escapes a chroot', async () => {
      const root = await connectedSession(sharedConnectString());
      const chroot = await freshBase(root, 'paths');
      const s = await connectedSession(`${sharedConnectString()}${chroot}`);
      const states = sessionStates(s);
      const bad = ['', 'foo', '/a/', '//a', '/a//b', '/a/./b', '/a/../b', '/.', '/..', '/a\u0000b', '/a\u0001b', '/a\ud83d\ude00'];
      for (const path of bad) {
        const err = await rejection(s.create(path, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        expect(err, JSON.stringify(path)).to.be.instanceOf(ValidationError);
        expect(err.message).to.contain('bad node path');
      }
      const name = chroot.split('/').at(-1)!;
      for (const op of [
        () => s.getData('foo'), () => s.exists(''), () => s.setData('x', EMPTY), () => s.delete('a/'), () => s.getChildren('child'),
        () => s.getChildren2(''), () => s.getACL('foo'), () => s.setACL('foo', OPEN_ACL_UNSAFE), () => s.sync('foo'),
        () => s.create2('foo', EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
        () => s.multi([{ type: 'create', path: '/ok', data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT },
          { type: 'create', path: 'foo', data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT }]),
      ]) {
        expect(await rejection(op())).to.be.instanceOf(ValidationError);
      }
      // nothing reached the server: no "<chroot>foo" next to the chroot, nothing in it
      expect((await root.getChildren('/zkurator-test')).filter((c) => c.startsWith(name))).to.deep.equal([name]);
      expect(await root.getChildren(chroot)).to.deep.equal([]);
      // a sequential create may end with "/": the server appends the number
      await s.create('/q', EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      expect(await s.create('/q/', EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL)).to.match(/^\/q\/\d{10}$/);
      expect(await s.exists('/')).to.deep.equal(await root.exists(chroot));
      expect(states).to.deep.equal([]);
      expect(s.state).to.equal('connected');
    });

    it('pipelined requests: all leave before any reply, and each reply (or error) goes to its own request', async () => {
      const p = await proxy();
      const s = await connectedSession(p.connectString);
      const base = await freshBase(s, 'pipeline');
      const hold = p.holdReplies();
      const n = 60;
      const creates = Array.from({ length: n }, (_, i) => s.create(`${base}/n${i}`, Buffer.from(`v${i}`), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
      const reads = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? s.getData(`${base}/missing${i}`) : s.getData(`${base}/n${i}`)));
      const sent = await hold.untilRequests(2 * n);
      expect(sent).to.have.length(2 * n);
      hold.release();
      expect(await Promise.all(creates)).to.deep.equal(Array.from({ length: n }, (_, i) => `${base}/n${i}`));
      const settled = await Promise.allSettled(reads);
      settled.forEach((r, i) => {
        if (i % 3 === 0) {
          expect(r.status).to.equal('rejected');
          expect((r as PromiseRejectedResult).reason).to.be.instanceOf(NoNodeError);
          expect(((r as PromiseRejectedResult).reason as NoNodeError).path).to.equal(`${base}/missing${i}`);
        } else {
          expect(r.status).to.equal('fulfilled');
          expect((r as PromiseFulfilledResult<{ data: Buffer }>).value.data.toString()).to.equal(`v${i}`);
        }
      });
    });
  });

  describe('watches', () => {
    it('a data watch fires on change and on delete, an exists watch on create, a child watch on a child change; each once', async () => {
      const s = await connectedSession(sharedConnectString());
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(s, 'watch');
      const log = new EventLog();
      const a = `${base}/a`;
      await s.create(a, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

      await s.getData(a, log.watcher('data'));
      await other.setData(a, Buffer.from('1'));
      await log.until(1);
      expect(log.events[0]).to.deep.equal({ tag: 'data', type: EventType.NodeDataChanged, path: a });

      await s.exists(a, log.watcher('exists-on-existing'));
      await other.setData(a, Buffer.from('2'));
      await log.until(2);
      expect(log.events[1]).to.deep.equal({ tag: 'exists-on-existing', type: EventType.NodeDataChanged, path: a });

      await s.getData(a, log.watcher('data-delete'));
      await other.delete(a);
      await log.until(3);
      expect(log.events[2]).to.deep.equal({ tag: 'data-delete', type: EventType.NodeDeleted, path: a });

      expect(await s.exists(a, log.watcher('exists'))).to.equal(null);
      await other.create(a, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await log.until(4);
      expect(log.events[3]).to.deep.equal({ tag: 'exists', type: EventType.NodeCreated, path: a });

      expect(await s.getChildren(base, log.watcher('child'))).to.deep.equal(['a']);
      await other.create(`${base}/b`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await log.until(5);
      expect(log.events[4]).to.deep.equal({ tag: 'child', type: EventType.NodeChildrenChanged, path: base });

      await s.getChildren2(base, log.watcher('child2'));
      await other.delete(`${base}/b`);
      await log.until(6);
      expect(log.events[5]).to.deep.equal({ tag: 'child2', type: EventType.NodeChildrenChanged, path: base });

      await s.getChildren(a, log.watcher('child-of-deleted'));
      await other.delete(a);
      await log.until(7);
      expect(log.events[6]).to.deep.equal({ tag: 'child-of-deleted', type: EventType.NodeDeleted, path: a });

      // one-shot: later changes fire nothing
      expect(s.watchCount).to.equal(0);
      await other.create(a, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await other.setData(a, Buffer.from('3'));
      await other.create(`${base}/c`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await roundTrip(s);
      expect(log.events).to.have.length(7);

      // a watch on a missing node through getData is not set (the server refuses the read)
      expect(await rejection(s.getData(`${base}/none`, log.watcher('none')))).to.be.instanceOf(NoNodeError);
      expect(s.watchCount).to.equal(0);
    });

    it('events arrive in the order the server applied the changes', async () => {
      const s = await connectedSession(sharedConnectString());
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(s, 'order');
      for (const n of ['a', 'b', 'c']) await s.create(`${base}/${n}`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      const log = new EventLog();
      for (const n of ['a', 'b', 'c']) await s.getData(`${base}/${n}`, log.watcher(n));
      await s.getChildren(base, log.watcher('parent'));
      expect(await s.exists(`${base}/d`, log.watcher('d'))).to.equal(null);
      // pipelined: the server applies them in this order
      await Promise.all([
        other.setData(`${base}/c`, Buffer.from('1')),
        other.delete(`${base}/b`),
        other.setData(`${base}/a`, Buffer.from('1')),
        other.create(`${base}/d`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
      ]);
      await log.until(5);
      expect(log.summary()).to.deep.equal([
        `c NodeDataChanged ${base}/c`,
        `b NodeDeleted ${base}/b`,
        `parent NodeChildrenChanged ${base}`,
        `a NodeDataChanged ${base}/a`,
        `d NodeCreated ${base}/d`,
      ]);
    });

    it('watches set before a connection drop are re-registered after the reconnect (setWatches): each fires exactly once', async () => {
      const p = await proxy();
      const s = await connectedSession(p.connectString);
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(other, 'rewatch');
      for (const n of ['a', 'd', 'e', 'p']) await other.create(`${base}/${n}`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      const log = new EventLog();
      await s.getData(`${base}/a`, log.watcher('a'));   // changed while disconnected
      await s.getData(`${base}/e`, log.watcher('e'));   // deleted while disconnected
      expect(await s.exists(`${base}/b`, log.watcher('b'))).to.equal(null); // created while disconnected
      await s.getChildren(`${base}/p`, log.watcher('p')); // child added while disconnected
      await s.getData(`${base}/d`, log.watcher('d'));   // untouched while disconnected
      expect(await s.exists(`${base}/f`, log.watcher('f'))).to.equal(null); // untouched while disconnected
      expect(s.watchCount).to.equal(6);
      const id = s.sessionId;
      const states = sessionStates(s);

      p.cut();
      await untilState(s, 'connecting');
      await other.setData(`${base}/a`, Buffer.from('1'));
      await other.delete(`${base}/e`);
      await other.create(`${base}/b`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await other.create(`${base}/p/x`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      expect(log.events).to.have.length(0);
      p.restore();
      await untilState(s, 'connected');
      expect(s.sessionId).to.equal(id);
      await log.until(4);
      expect(log.summary().sort()).to.deep.equal([
        `a NodeDataChanged ${base}/a`,
        `b NodeCreated ${base}/b`,
        `e NodeDeleted ${base}/e`,
        `p NodeChildrenChanged ${base}/p`,
      ]);
      expect(s.watchCount).to.equal(2); // d and f are still armed, on the server too
      await other.setData(`${base}/d`, Buffer.from('1'));
      await other.create(`${base}/f`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await log.until(6);
      expect(log.summary().slice(4)).to.deep.equal([`d NodeDataChanged ${base}/d`, `f NodeCreated ${base}/f`]);

      // exactly once: more changes to every watched node fire nothing more
      await other.setData(`${base}/a`, Buffer.from('2'));
      await other.setData(`${base}/b`, Buffer.from('2'));
      await other.setData(`${base}/d`, Buffer.from('2'));
      await other.setData(`${base}/f`, Buffer.from('2'));
      await other.create(`${base}/e`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await other.create(`${base}/p/y`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await roundTrip(s);
      expect(log.events).to.have.length(6);
      expect(s.watchCount).to.equal(0);
      expect(states).to.deep.equal(['connecting', 'connected']);
    });

    it('thousands of watches (more than one setWatches packet) all come back after a reconnect', async () => {
      const p = await proxy();
      const s = await connectedSession(p.connectString);
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(other, 'many-watches');
      const n = 2_500;
      // long names: 2 500 x ~110 bytes is about two 128 KB setWatches packets
      const paths = Array.from({ length: n }, (_, i) => `${base}/${'w'.repeat(60)}-${String(i).padStart(5, '0')}`);
      const log = new EventLog();
      const watcher = log.watcher('w');
      expect(await Promise.all(paths.map((path) => s.exists(path, watcher)))).to.deep.equal(paths.map(() => null));
      expect(s.watchCount).to.equal(n);
      p.cut();
      await untilState(s, 'connecting');
      p.restore();
      await untilState(s, 'connected');
      await roundTrip(s); // the setWatches packets were applied before this reply
      const picked = [0, 1, Math.floor(n / 2), n - 2, n - 1].map((i) => paths[i]!);
      for (const path of picked) await other.create(path, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await log.until(picked.length);
      expect(log.events.map((e) => `${eventName(e.type)} ${e.path}`)).to.deep.equal(picked.map((path) => `NodeCreated ${path}`));
      expect(s.watchCount).to.equal(n - picked.length);
    });
  });

  describe('sessions and connections', () => {
    it('a request in flight when the connection drops fails with ConnectionLossError (it may have been applied); the session carries on', async () => {
      const p = await proxy();
      const s = await connectedSession(p.connectString);
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(other, 'inflight');
      const path = `${base}/n`;
      await other.create(path, Buffer.from('before'), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      const log = new EventLog();
      await other.getData(path, log.watcher('applied'));
      const id = s.sessionId;
      const hold = p.holdReplies();
      const writing = s.setData(path, Buffer.from('after'));
      writing.catch(() => undefined);
      await log.until(1); // the server applied it; its reply is held back
      p.cut();
      const err = await rejection(writing);
      expect(err).to.be.instanceOf(ConnectionLossError);
      expect((err as ConnectionLossError).path).to.equal(path);
      hold.release();
      p.restore();
      await untilState(s, 'connected');
      expect(s.sessionId).to.equal(id);
      expect((await s.getData(path)).data.toString()).to.equal('after');
    });

    it('the server clamps the session timeout; an idle session stays connected for several timeouts (pings)', async () => {
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(other, 'idle');
      const s = await connectedSession(sharedConnectString(), { sessionTimeout: 100 });
      expect(s.negotiatedTimeout).to.equal(1_000); // 2 ticks of 500 ms: the server's minimum
      await s.create(`${base}/e`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      const states = sessionStates(s);
      const heard = s.lastHeardAt;
      // an observation window: without pings the server would expire the session after 1 s
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(states).to.deep.equal([]);
      expect(s.state).to.equal('connected');
      expect(s.lastHeardAt).to.be.above(heard + 1_500); // ping replies kept arriving
      expect((await other.exists(`${base}/e`))!.ephemeralOwner).to.equal(s.sessionId);
    });

    it('a silent server (stalled connection) is detected within the read timeout; the session resumes on a new connection', async () => {
      const p = await proxy();
      const s = await connectedSession(p.connectString, { sessionTimeout: 3_000 });
      expect(s.negotiatedTimeout).to.equal(3_000);
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(other, 'stall');
      await s.create(`${base}/e`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      const id = s.sessionId;
      p.stall();
      const t0 = performance.now();
      const pending = s.getData(`${base}/e`);
      pending.catch(() => undefined);
      await untilState(s, 'connecting', 5_000);
      const detected = performance.now() - t0;
      expect(detected).to.be.below(2_000 + 1_000); // read timeout: 2/3 of 3 s (plus timer slack)
      expect(await rejection(pending)).to.be.instanceOf(ConnectionLossError);
      p.restore();
      await untilState(s, 'connected', 5_000);
      expect(s.sessionId).to.equal(id);
      expect((await other.exists(`${base}/e`))!.ephemeralOwner).to.equal(id);
    });

    it('credentials the server refuses (unknown scheme): the session ends in authFailed without ever being connected; connect() rejects with AuthFailedError', async () => {
      const s = openSession(sharedConnectString(), { auth: [{ scheme: 'no-such-scheme', auth: Buffer.from('x') }] });
      const states = sessionStates(s);
      await untilState(s, 'authFailed');
      expect(states).to.deep.equal(['authFailed']);
      const err = await rejection(s.getData('/'));
      expect(err).to.be.instanceOf(AuthFailedError);
      expect((err as AuthFailedError).zkCode).to.equal(-115);
      const refused = await rejection(connect(sharedConnectString(), { auth: [{ scheme: 'no-such-scheme', credentials: 'x' }] }));
      expect(refused).to.be.instanceOf(AuthFailedError);
      // good credentials next to it: connected (after the server accepted them)
      const ok = openSession(sharedConnectString(), { auth: [{ scheme: 'digest', auth: Buffer.from('a:b') }, { scheme: 'digest', auth: Buffer.from('c:d') }] });
      const okStates = sessionStates(ok);
      await untilState(ok, 'connected');
      expect(okStates).to.deep.equal(['connected']);
    });

    it('a server-side expiry ends a low-level session in state expired: requests fail with SessionExpiredError, its ephemeral node is gone', async () => {
      const p = await proxy();
      const s = await connectedSession(p.connectString);
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(other, 'expire');
      await s.create(`${base}/e`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      const log = new EventLog();
      await s.getData(`${base}/e`, log.watcher('e'));
      const states = sessionStates(s);

      p.cut();
      await untilState(s, 'connecting');
      // a twin attaches to the same session and closes it: the server ends the session
      const twin = openSession(sharedConnectString(), { resume: { id: s.sessionId, password: s.sessionPassword } });
      await untilState(twin, 'connected');
      expect(twin.sessionId).to.equal(s.sessionId);
      await twin.close();
      expect(await other.exists(`${base}/e`)).to.equal(null);
      p.restore();
      await untilState(s, 'expired');
      expect(states).to.deep.equal(['connecting', 'expired']);
      expect(await rejection(s.getData(`${base}/e`))).to.be.instanceOf(SessionExpiredError);
      expect(await rejection(s.create(`${base}/x`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))).to.be.instanceOf(SessionExpiredError);
      expect(s.watchCount).to.equal(0);
      expect(log.events).to.have.length(0);
      expect(await other.exists(`${base}/x`)).to.equal(null);
    });

    it('ZkClient: an expired session is reported LOST, then CONNECTED with a new session id', async () => {
      const p = await proxy();
      const client = await newClient({ connectString: p.connectString });
      const other = await newClient();
      await other.createContainers('/zkurator-test');
      const path = uniquePath('client-expire');
      await client.create(path, EMPTY, CreateMode.EPHEMERAL);
      const oldId = client.sessionId;
      const states = clientStates(client);
      const connectedAgain = untilClientState(client, 'CONNECTED');
      await expireSession(client, p, sharedConnectString());
      await connectedAgain;
      expect(states).to.deep.equal(['SUSPENDED', 'LOST', 'CONNECTED']);
      expect(client.sessionId).to.not.equal(oldId);
      expect(client.sessionGeneration).to.equal(1);
      expect(await other.exists(path)).to.equal(undefined);
      await client.create(path, EMPTY, CreateMode.EPHEMERAL);
      expect((await other.getData(path)).stat.ephemeralOwner).to.equal(client.sessionId);
    });

    it('a connect string with dead hosts first still connects, at once', async () => {
      const dead = [await freePort(), await freePort(), await freePort()];
      const live = parseConnectString(sharedConnectString()).hosts[0]!;
      const cs = `${dead.map((port) => `127.0.0.1:${port}`).join(',')},${live.host}:${live.port}`;
      // Keep the connect string's order (no shuffle) so the dead hosts really come first.
      const random = Math.random;
      let s: ZooKeeperSession;
      let clientPromise: Promise<ZkClient>;
      const t0 = performance.now();
      Math.random = () => 0.999999;
      try {
        s = openSession(cs);
        clientPromise = newClient({ connectString: cs, connectTimeout: 5_000 });
      } finally {
        Math.random = random;
      }
      await untilState(s, 'connected', 5_000);
      const client = await clientPromise;
      // refused at once: far below the 3 s that waiting out a 1 s attempt timeout per dead host takes
      expect(performance.now() - t0).to.be.below(2_000);
      expect(s.server).to.deep.equal(live);
      expect(await s.exists('/')).to.not.equal(null);
      expect(await client.exists('/')).to.not.equal(undefined);
      // and in whatever order a shuffle gives
      for (let i = 0; i < 3; i++) {
        const t1 = performance.now();
        const c = await connect(cs, { connectTimeout: 5_000 });
        try {
          expect(performance.now() - t1).to.be.below(2_000);
          expect(await c.getChildren('/')).to.include('zookeeper');
        } finally {
          await c.close();
        }
      }
    });

    it('chroot: paths in requests, created paths, children and watch events are relative to it; the nodes live under it on the server', async () => {
      const root = await connectedSession(sharedConnectString());
      const chroot = await freshBase(root, 'chroot');
      const p = await proxy();
      const s = await connectedSession(`${p.connectString}${chroot}`);
      expect(await s.create('/a', Buffer.from('x'), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)).to.equal('/a');
      const seq = await s.create('/a/s-', EMPTY, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
      expect(seq).to.match(/^\/a\/s-\d{10}$/);
      expect((await s.create2('/b', EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)).path).to.equal('/b');
      const multi = await s.multi([{ type: 'create', path: '/m', data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT }]);
      expect(multi).to.deep.equal([{ type: 'create', path: '/m' }]);
      // on the server
      expect((await root.getChildren(chroot)).sort()).to.deep.equal(['a', 'b', 'm']);
      expect((await root.getData(`${chroot}/a`)).data.toString()).to.equal('x');
      expect(await root.getChildren(`${chroot}/a`)).to.deep.equal([seq.split('/').at(-1)]);
      expect(await root.exists('/a')).to.equal(null);
      // as the chrooted session sees it
      expect((await s.getChildren('/')).sort()).to.deep.equal(['a', 'b', 'm']);
      expect((await s.getChildren2('/')).stat).to.deep.equal(await root.exists(chroot));
      expect(await s.sync('/a')).to.equal('/a');
      expect(await s.sync('/')).to.equal('/');
      await s.setData('/b', Buffer.from('y'));
      expect((await root.getData(`${chroot}/b`)).data.toString()).to.equal('y');
      await s.delete('/m');
      expect(await root.exists(`${chroot}/m`)).to.equal(null);

      const log = new EventLog();
      await s.getChildren('/', log.watcher('root-children'));
      expect(await s.exists('/new', log.watcher('new'))).to.equal(null);
      await s.getData('/a', log.watcher('a'));
      await root.create(`${chroot}/new`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await root.setData(`${chroot}/a`, Buffer.from('z'));
      await log.until(3);
      expect(log.summary()).to.deep.equal(['new NodeCreated /new', 'root-children NodeChildrenChanged /', 'a NodeDataChanged /a']);
      // a watch re-registered after a reconnect is re-registered under the chroot
      await s.getData('/b', log.watcher('b'));
      p.cut();
      await untilState(s, 'connecting');
      await root.setData(`${chroot}/b`, Buffer.from('while away'));
      p.restore();
      await log.until(4);
      expect(log.summary()[3]).to.equal('b NodeDataChanged /b');

      // ZkClient with a chroot
      const client = await newClient({ connectString: `${sharedConnectString()}${chroot}` });
      expect(await client.create('/z', EMPTY, CreateMode.EPHEMERAL)).to.equal('/z');
      expect((await client.getChildren('/')).sort()).to.deep.equal(['a', 'b', 'new', 'z']);
      expect((await root.getData(`${chroot}/z`)).stat.ephemeralOwner.toString(16)).to.equal(client.sessionId);
      let fired = 0;
      let wake!: () => void;
      const woke = new Promise<void>((r) => { wake = r; });
      expect(await client.watchNode('/z', () => { fired++; wake(); })).to.equal(true);
      await root.delete(`${chroot}/z`);
      await woke;
      expect(fired).to.equal(1);
    });

    it('digest auth: a creator-only node is readable by its creator, NoAuthError for no or wrong credentials; the credentials are replayed after a reconnect', async () => {
      const setup = await connectedSession(sharedConnectString());
      const base = await freshBase(setup, 'auth');
      const path = `${base}/secret`;
      const p = await proxy();
      const credentials = `${DIGEST.user}:${DIGEST.password}`;
      const owner = await newClient({ connectString: p.connectString, auth: [{ scheme: 'digest', credentials }], defaultAcl: CREATOR_ALL_ACL });
      expect(await owner.create(path, Buffer.from('secret'), CreateMode.PERSISTENT)).to.equal(path);
      expect((await owner.getData(path)).data.toString()).to.equal('secret');
      const admin = await connectedSession(sharedConnectString(), { auth: [{ scheme: 'digest', auth: Buffer.from(credentials) }] });
      expect((await admin.getACL(path)).acl).to.deep.equal([{ perms: Perms.ALL, id: digestId(DIGEST.user, DIGEST.password) }]);

      const anonymous = await newClient();
      expect(await rejection(anonymous.getData(path))).to.be.instanceOf(NoAuthError);
      expect(await rejection(anonymous.setData(path, Buffer.from('x')))).to.be.instanceOf(NoAuthError);
      const wrong = await newClient({ auth: [{ scheme: 'digest', credentials: `${DIGEST.user}:not-the-password` }] });
      expect(await rejection(wrong.getData(path))).to.be.instanceOf(NoAuthError);
      const err = await rejection(anonymous.getData(path));
      expect((err as NoAuthError).zkCode).to.equal(-102);
      expect((err as NoAuthError).code).to.equal('ZK_NOAUTH');
      // an unauthenticated session cannot create with CREATOR_ALL_ACL at all
      const plain = await connectedSession(sharedConnectString());
      const invalid = await rejection(plain.create(`${base}/x`, EMPTY, CREATOR_ALL_ACL, CreateMode.PERSISTENT));
      expect((invalid as ZooKeeperError).zkName).to.equal('INVALIDACL');
      // addAuth on a live session takes effect for the next request
      expect(await rejection(plain.getData(path))).to.be.instanceOf(NoAuthError);
      plain.addAuth('digest', Buffer.from(credentials));
      expect((await plain.getData(path)).data.toString()).to.equal('secret');

      // reconnect: the new connection is authenticated again before any request
      const id = owner.sessionId;
      const states = clientStates(owner);
      const reconnected = untilClientState(owner, 'RECONNECTED');
      p.cut();
      const reading = owner.getData(path); // queued (or failed) while disconnected
      reading.catch(() => undefined);
      p.restore();
      await reconnected;
      expect(states).to.deep.equal(['SUSPENDED', 'RECONNECTED']);
      expect(owner.sessionId).to.equal(id);
      await reading.catch(() => undefined);
      expect((await owner.getData(path)).data.toString()).to.equal('secret');
      expect((await owner.setData(path, Buffer.from('still mine'))).version).to.equal(1);
    });

    it('a request over the server\'s 1 MB limit is refused with ValidationError before it is sent; the connection stays up', async () => {
      const client = await newClient();
      await client.createContainers('/zkurator-test');
      const path = uniquePath('big');
      await client.create(path, Buffer.from('small'), CreateMode.PERSISTENT);
      const states = clientStates(client);
      const id = client.sessionId;
      const big = Buffer.alloc(1024 * 1024 + 1, 1);
      expect(await rejection(client.setData(path, big))).to.be.instanceOf(ValidationError);
      expect(await rejection(client.create(`${path}-2`, big, CreateMode.PERSISTENT))).to.be.instanceOf(ValidationError);
      expect((await client.getData(path)).data.toString()).to.equal('small');
      expect(await client.exists(`${path}-2`)).to.equal(undefined);
      expect(states).to.deep.equal([]);
      expect(client.isConnected).to.equal(true);
      expect(client.sessionId).to.equal(id);

      // the limit is the server's own (jute.maxbuffer, 0xfffff bytes of request): right at it passes
      const s = await connectedSession(sharedConnectString());
      const sStates = sessionStates(s);
      const overhead = 8 + (4 + Buffer.byteLength(path)) + 4 + 4; // header, path, data length, version
      const atLimit = Buffer.alloc(0xfffff - overhead, 2);
      const stat = await s.setData(path, atLimit);
      expect(stat.dataLength).to.equal(atLimit.length);
      expect(await rejection(s.setData(path, Buffer.alloc(atLimit.length + 1, 3)))).to.be.instanceOf(ValidationError);
      const read = await s.getData(path);
      expect(read.data.equals(atLimit)).to.equal(true);
      expect(sStates).to.deep.equal([]);
      expect(s.state).to.equal('connected');
    });

    it('close() ends the session on the server at once; requests after it fail with ClientClosedError', async () => {
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(other, 'close');
      // ZkClient
      const client = await connect(sharedConnectString(), { sessionTimeout: 6_000 });
      await client.create(`${base}/client`, EMPTY, CreateMode.EPHEMERAL);
      const closedStates = clientStates(client);
      await client.close();
      expect(await other.exists(`${base}/client`)).to.equal(null);
      expect(closedStates).to.deep.equal(['CLOSED']);
      expect(client.isClosed).to.equal(true);
      expect(await rejection(client.getData(`${base}/client`))).to.be.instanceOf(ClientClosedError);
      expect(await rejection(client.create(`${base}/again`, EMPTY, CreateMode.EPHEMERAL))).to.be.instanceOf(ClientClosedError);
      expect(await other.exists(`${base}/again`)).to.equal(null);

      // low-level: a request sent before close() gets its reply; the session is gone on the server
      const s = await connectedSession(sharedConnectString());
      await s.create(`${base}/session`, Buffer.from('last'), OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      const id = s.sessionId;
      const password = s.sessionPassword;
      const inFlight = s.getData(`${base}/session`);
      const closing = s.close();
      expect(await rejection(s.exists('/'))).to.be.instanceOf(ClientClosedError);
      expect((await inFlight).data.toString()).to.equal('last');
      await closing;
      expect(s.state).to.equal('closed');
      expect(await other.exists(`${base}/session`)).to.equal(null);
      expect(await rejection(s.getData('/'))).to.be.instanceOf(ClientClosedError);
      expect(await rejection(s.create(`${base}/x`, EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))).to.be.instanceOf(ClientClosedError);
      // the server no longer knows the session
      const twin = openSession(sharedConnectString(), { resume: { id, password } });
      await untilState(twin, 'expired');
    });

    it('unref(): a process whose client or session never closes exits by itself; one without unref keeps running; one that closes exits', async () => {
      const other = await connectedSession(sharedConnectString());
      const base = await freshBase(other, 'unref');
      const script = fileURLToPath(new URL('./support/unref-child.js', import.meta.url));
      const start = (api: string, mode: string): ReturnType<typeof watchChild> & { child: ChildProcess; path: string } => {
        const path = `${base}/${api}-${mode}`;
        const child = spawn(process.execPath, [script, sharedConnectString(), api, mode, path], { stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(child);
        return { child, path, ...watchChild(child) };
      };
      const exiting = [start('client', 'unref'), start('session', 'unref'), start('client', 'close'), start('session', 'close')];
      const control = start('client', 'ref');
      await Promise.all([...exiting, control].map((r) => r.until(`created ${r.path}`, 10_000)));
      const exits = await Promise.all(exiting.map((r) => Promise.race([
        r.exited,
        new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 5_000).unref()),
      ])));
      expect(exits).to.deep.equal([0, 0, 0, 0]);
      for (const r of exiting) expect(r.output()).to.match(/^[0-9a-f]+\ncreated \S+\n$/);
      // unref'd sessions were left open (they end on the server at their timeout); closed ones are gone
      expect(await other.exists(exiting[0]!.path)).to.not.equal(null);
      expect(await other.exists(exiting[1]!.path)).to.not.equal(null);
      expect(await other.exists(exiting[2]!.path)).to.equal(null);
      expect(await other.exists(exiting[3]!.path)).to.equal(null);
      // the control, connected as long, is still running with its session
      expect(control.child.exitCode).to.equal(null);
      expect(await other.exists(control.path)).to.not.equal(null);
      control.child.kill('SIGKILL');
      await control.exited;
    });
  });

  describe('TTL and container nodes (a server with extended types)', () => {
    let server: ZkCluster;

    before(async function () {
      this.timeout(60_000);
      server = await ZkCluster.standalone({ jvmProps: ['-Dzookeeper.extendedTypesEnabled=true'], containerCheckIntervalMs: 100 });
    });

    after(async () => {
      await server?.destroy();
    });

    it('TTL nodes (plain and sequential) are created and removed by the server once their TTL has passed', async () => {
      const s = await connectedSession(server.connectString);
      const log = new EventLog();
      expect(await s.create('/ttl', Buffer.from('t'), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 300n)).to.equal('/ttl');
      const seq = await s.create2('/ttl-s-', EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, 300n);
      expect(seq.path).to.match(/^\/ttl-s-\d{10}$/);
      expect(seq.stat.ephemeralOwner).to.equal(0n); // shown as 0 to clients, like a container
      await s.create('/ttl-long', EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 600_000n);
      // in a transaction too (createTTL inside the multi)
      const [inMulti] = await s.multi([{ type: 'create', path: '/ttl-m', data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 300n }]);
      expect(inMulti).to.have.property('path', '/ttl-m');
      expect(await rejection(s.multi([{ type: 'create', path: '/ttl-x', data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT_WITH_TTL }])))
        .to.be.instanceOf(ValidationError);
      expect((await s.getData('/ttl', log.watcher('ttl'))).data.toString()).to.equal('t');
      await s.getData(seq.path, log.watcher('seq'));
      await s.getData('/ttl-m', log.watcher('multi'));
      await log.until(3, 10_000);
      expect(log.summary().sort()).to.deep.equal(['multi NodeDeleted /ttl-m', 'seq NodeDeleted ' + seq.path, 'ttl NodeDeleted /ttl'].sort());
      expect(await s.exists('/ttl')).to.equal(null);
      expect(await s.exists(seq.path)).to.equal(null);
      expect(await s.exists('/ttl-x')).to.equal(null);
      expect(await s.exists('/ttl-long')).to.not.equal(null);
    });

    it('a container node is removed by the server once its last child is gone', async () => {
      const s = await connectedSession(server.connectString);
      expect(await s.create('/box', EMPTY, OPEN_ACL_UNSAFE, CreateMode.CONTAINER)).to.equal('/box');
      await s.create('/box/item', EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await s.create('/plain', EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      await s.create('/plain/item', EMPTY, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      const log = new EventLog();
      await s.getData('/box', log.watcher('box'));
      await s.delete('/box/item');
      await s.delete('/plain/item');
      await log.until(1, 10_000);
      expect(log.summary()).to.deep.equal(['box NodeDeleted /box']);
      expect(await s.exists('/box')).to.equal(null);
      expect(await s.exists('/plain')).to.not.equal(null);
    });
  });
});
