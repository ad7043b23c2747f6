// ACLs on lock nodes and their parents (per lock and per client, sent with the create), and
// locks on paths where the session has only some of the rights a lock needs: each refusal is
// a NoAuthError naming the first refused operation and the missing permission, and nothing is
// left behind. Real ZooKeeper, digest credentials.
import { expect } from 'chai';
import {
  CREATOR_ALL_ACL, CREATOR_ALL_ELSE_READ_ACL, CreateMode, Mutex, NoAuthError, OPEN_ACL_UNSAFE, Perms, ReadWriteLock,
  Semaphore, SemaphoreMutex, ValidationError, digestId, type ACL, type ZkClient,
} from '../lib/index.js';
import { rejection } from './support/rejection.js';
import { newClient, sharedServerPort, uniquePath } from './support/harness.js';
import { freePort } from './support/ports.js';
import { nextState } from './support/proxied-client.js';
import { TcpProxy } from './support/tcp-proxy.js';

const ADMIN = { user: 'lock-admin', password: 'admin-secret' };
const ADMIN_AUTH = [{ scheme: 'digest', credentials: `${ADMIN.user}:${ADMIN.password}` }];
const ADMIN_ID = digestId(ADMIN.user, ADMIN.password);

function total(client: ZkClient): number {
  return Object.values(client.operationCounts).reduce((a, b) => a + b, 0);
}

/** A persistent lock path owned by the admin identity, where everyone else has `othersPerms`. */
async function guardedPath(admin: ZkClient, othersPerms: number): Promise<string> {
  const path = uniquePath('acl');
  await admin.createContainers(path.slice(0, path.lastIndexOf('/')));
  const acl: ACL[] = [{ perms: Perms.ALL, id: ADMIN_ID }];
  if (othersPerms !== 0) acl.push({ perms: othersPerms, id: { scheme: 'world', id: 'anyone' } });
  await admin.create(path, Buffer.alloc(0), CreateMode.PERSISTENT, acl);
  return path;
}

describe('ACLs on lock nodes and parents', function () {
  this.timeout(30_000);

  it('the client aclProvider sets lock nodes and created parents apart; a lock\'s own acl/parentAcl override it', async () => {
    const parentAcl: ACL[] = [{ perms: Perms.ALL, id: ADMIN_ID }, { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];
    const client = await newClient({ auth: ADMIN_AUTH, aclProvider: { lockNodes: CREATOR_ALL_ELSE_READ_ACL, parents: parentAcl } });
    // under an open base: the shared /zkurator-test must stay open for the other tests
    const base = uniquePath('acl-provider');
    await (await newClient()).createContainers(base);
    const path = `${base}/deeper/lock`;
    const lease = await new Mutex(client, path).acquire({ timeout: 5_000 });
    // Creator ids are stored as the digest identity the session authenticated with.
    expect(await client.getACL(lease.path)).to.deep.equal([{ perms: Perms.ALL, id: ADMIN_ID }, { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }]);
    expect(await client.getACL(path)).to.deep.equal(parentAcl);
    expect(await client.getACL(path.slice(0, path.lastIndexOf('/')))).to.deep.equal(parentAcl); // every missing ancestor
    await lease.release();

    const own = `${uniquePath('acl-own')}`;
    const rw = new ReadWriteLock(client, own, { acl: CREATOR_ALL_ACL, parentAcl: OPEN_ACL_UNSAFE });
    const w = await rw.writeLock.acquire({ timeout: 5_000 });
    expect(await client.getACL(w.path)).to.deep.equal([{ perms: Perms.ALL, id: ADMIN_ID }]);
    expect(await client.getACL(own)).to.deep.equal(OPEN_ACL_UNSAFE);
    const r = await w.downgrade(); // the downgrade node gets the lock's ACL too
    expect(await client.getACL(r.path)).to.deep.equal([{ perms: Perms.ALL, id: ADMIN_ID }]);
    await r.release();
  });

  it('Semaphore and SemaphoreMutex: lease nodes, internal lock nodes and created parents get the lock\'s ACLs', async () => {
    const client = await newClient({ auth: ADMIN_AUTH });
    const base = uniquePath('acl-semaphore');
    await (await newClient()).createContainers(base);
    const creatorRead: ACL[] = [{ perms: Perms.ALL, id: ADMIN_ID }, { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];
    const path = `${base}/sem`;
    const semaphore = new Semaphore(client, path, { maxLeases: 2, acl: CREATOR_ALL_ELSE_READ_ACL, parentAcl: creatorRead });
    const [lease] = await semaphore.acquire({ timeout: 5_000 });
    expect(await client.getACL(lease!.path)).to.deep.equal(creatorRead);
    for (const parent of [path, `${path}/leases`, `${path}/locks`]) expect(await client.getACL(parent), parent).to.deep.equal(creatorRead);
    await lease!.release();
    const mutexPath = `${base}/sem-mutex`;
    const mutex = new SemaphoreMutex(client, mutexPath, { acl: CREATOR_ALL_ACL });
    const held = await mutex.acquire({ timeout: 5_000 });
    expect(await client.getACL(held.path)).to.deep.equal([{ perms: Perms.ALL, id: ADMIN_ID }]);
    await held.release();
    expect(() => new Semaphore(client, `${base}/bad`, { maxLeases: 1, acl: [] })).to.throw(ValidationError, /acl/);
  });

  it('the rights check is made once per client and lock path, not per lock object (a lock object per request pays it once)', async () => {
    const path = uniquePath('acl-checked-once');
    const client = await newClient();
    const seqs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const lease = await new Mutex(client, path).acquire({ timeout: 5_000 }); // a new lock object each time
      seqs.push(lease.path.slice(-10));
      await lease.release();
    }
    // The checked create's probe takes one sequence number after ours: only the first object's create had it.
    expect(seqs).to.deep.equal(['0000000000', '0000000002', '0000000003']);
    const other = await newClient(); // another client checks for itself
    const lease = await new Mutex(other, path).acquire({ timeout: 5_000 });
    expect(lease.path.slice(-10)).to.equal('0000000004');
    await lease.release();
    const again = await new Mutex(other, path).acquire({ timeout: 5_000 });
    expect(again.path.slice(-10)).to.equal('0000000006');
    await again.release();
  });

  it('100 concurrent first acquires on a new path share one rights check and one creation of the parents', async () => {
    const path = uniquePath('acl-checked-concurrently');
    const client = await newClient();
    const creates = client.operationCounts.create;
    // maxLeases 100: every one holds at once, so all 100 nodes exist together
    const leases = await Promise.all(Array.from({ length: 100 }, () => new Mutex(client, path, { maxLeases: 100 }).acquire({ timeout: 10_000 })));
    // The first: its checked create (refused: no parent yet), the parents (/zkurator-test, the lock
    // path), its checked create again. The other 99 waited for it and created plainly.
    const levels = path.split('/').length - 1;
    expect(client.operationCounts.create - creates).to.equal(1 + levels + 1 + 99);
    // Only the first create had the probe, which took the sequence number after its node.
    const seqs = leases.map((l) => Number(l.path.slice(-10))).sort((a, b) => a - b);
    expect(seqs).to.deep.equal([0, ...Array.from({ length: 99 }, (_, i) => i + 2)]);
    await Promise.all(leases.map((l) => l.release()));
    expect(await client.getChildren(path)).to.deep.equal([]);
    expect(client.firstLockCreates.size).to.equal(0);
  });

  it('a refused first create is not shared: every concurrent acquire gets its own NoAuthError, and nothing is left', async () => {
    const admin = await newClient({ auth: ADMIN_AUTH });
    const path = await guardedPath(admin, Perms.READ);
    const client = await newClient();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => rejection(new Mutex(client, path).acquire({ timeout: 5_000 }))));
    for (const err of outcomes) expect(err).to.be.instanceOf(NoAuthError).with.property('permission', 'CREATE');
    expect(await admin.getChildren(path)).to.deep.equal([]);
    expect(client.firstLockCreates.size).to.equal(0);
    await admin.delete(path);
  });

  it('credentials are replayed after a reconnect: a creator-only lock is kept and released by its session', async () => {
    const proxy = await TcpProxy.start(sharedServerPort());
    try {
      const client = await newClient({ connectString: proxy.connectString, sessionTimeout: 8_000, auth: ADMIN_AUTH,
        aclProvider: { lockNodes: CREATOR_ALL_ACL, parents: CREATOR_ALL_ACL } });
      const base = uniquePath('acl-replay');
      await client.createContainers(base); // open: the shared root stays usable for other tests
      const path = `${base}/lock`;
      const lease = await new Mutex(client, path).acquire({ timeout: 5_000 });
      const reconnected = nextState(client, 'RECONNECTED');
      expect(proxy.reset()).to.equal(1);
      await reconnected;
      await lease.untilSafe(); // the same session's node, verified after the reconnect
      // creator-only lock path: listing it and deleting our node need the replayed identity
      expect(await new Mutex(client, path).isLocked()).to.equal(true);
      await lease.release();
      expect(await client.getChildren(path)).to.deep.equal([]);
      const anonymous = await newClient();
      expect(await rejection(anonymous.getChildren(path))).to.be.instanceOf(NoAuthError);
    } finally {
      await proxy.close();
    }
  });

  it('a bad ACL, or a creator ACL without credentials, is a ValidationError before any request', async () => {
    const client = await newClient();
    const before = total(client);
    expect(() => new Mutex(client, '/x', { acl: [] })).to.throw(ValidationError, /acl must be a non-empty array/);
    expect(() => new Mutex(client, '/x', { acl: [{ perms: 0, id: ADMIN_ID }] })).to.throw(ValidationError, /acl\[0\]\.perms must be an integer from 1 to 31/);
    expect(() => new Mutex(client, '/x', { acl: [{ perms: 31, id: { scheme: 'digest' } } as unknown as ACL] })).to.throw(ValidationError, /acl\[0\]\.id/);
    expect(() => new ReadWriteLock(client, '/x', { parentAcl: CREATOR_ALL_ACL })).to.throw(ValidationError, /no credentials/);
    expect(total(client)).to.equal(before);
    expect(await rejection(newClient({ aclProvider: { lockNodes: CREATOR_ALL_ACL } }))).to.be.instanceOf(ValidationError);
  });
});

describe('locks on paths with partial rights', function () {
  this.timeout(30_000);

  const cases: Array<{ name: string; perms: number; operation: string; permission: string }> = [
    { name: 'create-only rights', perms: Perms.CREATE, operation: 'getChildren', permission: 'READ' },
    { name: 'no DELETE (read + create)', perms: Perms.READ | Perms.CREATE, operation: 'delete', permission: 'DELETE' },
    { name: 'no READ (create + delete)', perms: Perms.CREATE | Perms.DELETE, operation: 'getChildren', permission: 'READ' },
    { name: 'read-only', perms: Perms.READ, operation: 'create', permission: 'CREATE' },
  ];
  for (const c of cases) {
    it(`${c.name}: every acquire fails with NoAuthError (${c.operation}, ${c.permission}) and leaves no node`, async () => {
      const admin = await newClient({ auth: ADMIN_AUTH });
      const path = await guardedPath(admin, c.perms);
      const client = await newClient();
      for (const lock of [new Mutex(client, path), new ReadWriteLock(client, path).writeLock, new ReadWriteLock(client, path).readLock]) {
        for (let attempt = 0; attempt < 2; attempt++) {
          const err = await rejection(lock.acquire({ timeout: 2_000 }));
          expect(err, String(err)).to.be.instanceOf(NoAuthError);
          const e = err as NoAuthError;
          expect([e.operation, e.permission, e.permissionOn]).to.deep.equal([c.operation, c.permission, path]);
          expect(e.message).to.contain(`lacks ${c.permission} permission on ${path}`).and.contain('no node was left behind');
          expect(await admin.getChildren(path)).to.deep.equal([]);
        }
      }
      // A second client, with the same rights, fails the same way at once (not by timing out).
      const second = await newClient();
      const started = performance.now();
      expect(await rejection(new Mutex(second, path).acquire({ timeout: 10_000 }))).to.be.instanceOf(NoAuthError);
      expect(performance.now() - started).to.be.below(5_000);
    });
  }

  it('rights taken away while held: release rejects with NoAuthError naming delete and DELETE; the next acquire checks first and creates nothing', async () => {
    const admin = await newClient({ auth: ADMIN_AUTH });
    const path = await guardedPath(admin, Perms.ALL);
    const client = await newClient();
    const mutex = new Mutex(client, path);
    const lease = await mutex.acquire({ timeout: 5_000 });
    await admin.setACL(path, [{ perms: Perms.ALL, id: ADMIN_ID }, { perms: Perms.READ | Perms.CREATE, id: { scheme: 'world', id: 'anyone' } }]);
    const err = await rejection(lease.release());
    expect(err).to.be.instanceOf(NoAuthError);
    expect([(err as NoAuthError).operation, (err as NoAuthError).permission, (err as NoAuthError).permissionOn]).to.deep.equal(['delete', 'DELETE', path]);
    expect(await admin.getChildren(path)).to.have.length(1); // stays until our session ends (documented)
    // The refusal makes the lock check its rights again before its next create: nothing more is left.
    for (const lock of [mutex, new Mutex(client, path)]) {
      const again = await rejection(lock.acquire({ timeout: 0 }));
      expect(again).to.be.instanceOf(NoAuthError);
      expect((again as NoAuthError).permission).to.equal('DELETE');
      expect(await admin.getChildren(path)).to.have.length(1);
    }
  });

  it('isLocked and participants on a path without READ: NoAuthError naming getChildren and READ', async () => {
    const admin = await newClient({ auth: ADMIN_AUTH });
    const path = await guardedPath(admin, Perms.CREATE | Perms.DELETE);
    const client = await newClient();
    for (const p of [new Mutex(client, path).isLocked(), new Mutex(client, path).participants()]) {
      const err = await rejection(p);
      expect(err).to.be.instanceOf(NoAuthError);
      expect([(err as NoAuthError).operation, (err as NoAuthError).permission]).to.deep.equal(['getChildren', 'READ']);
      expect((err as NoAuthError).message).to.match(/lacks READ permission on \/zkurator-test\/acl-/);
    }
  });
});

describe('security guide recipe: a locked-down lock root', function () {
  this.timeout(30_000);

  it('examples/locked-down-root.mjs is in docs/security.md verbatim and runs: the stranger is refused CREATE and DELETE', async () => {
    const { execFile } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const { promisify } = await import('node:util');
    const root = new URL('../../', import.meta.url);
    const file = new URL('examples/locked-down-root.mjs', root);
    expect(readFileSync(new URL('docs/security.md', root), 'utf8')).to.contain(readFileSync(file, 'utf8').trim());
    const { sharedConnectString } = await import('./support/harness.js');
    const { stdout } = await promisify(execFile)(process.execPath, [file.pathname], {
      cwd: root.pathname, timeout: 25_000,
      env: { ...process.env, ZOOKEEPER_CONNECT: sharedConnectString(), ZK_OPS_PASSWORD: 'ops-pw', ZK_ORDERS_PASSWORD: 'orders-pw' },
    });
    expect(stdout).to.match(/stranger sees \[\s*'\/locks-orders\/nightly\/_c_[0-9a-f-]+-lock-\d{10}'\s*\]/);
    expect(stdout).to.contain('stranger refused: CREATE on /locks-orders/nightly\nstranger refused: DELETE on /locks-orders/nightly');
    const admin = await newClient({ auth: [{ scheme: 'digest', credentials: 'ops:ops-pw' }] });
    expect(await admin.getACL('/locks-orders')).to.deep.equal([
      { perms: Perms.ALL, id: digestId('ops', 'ops-pw') },
      { perms: Perms.READ | Perms.CREATE | Perms.DELETE, id: digestId('orders', 'orders-pw') },
      { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } },
    ]);
  });

  it('examples/locked-down-root.mjs without its passwords refuses before connecting (no root locked with the password "undefined")', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const file = new URL('../../examples/locked-down-root.mjs', import.meta.url);
    for (const [passwords, unset] of [
      [{}, 'ZK_OPS_PASSWORD and ZK_ORDERS_PASSWORD'],
      [{ ZK_OPS_PASSWORD: 'ops-pw' }, 'ZK_ORDERS_PASSWORD'],
      [{ ZK_OPS_PASSWORD: '', ZK_ORDERS_PASSWORD: 'orders-pw' }, 'ZK_OPS_PASSWORD'],
    ] as const) {
      const env: NodeJS.ProcessEnv = { ...process.env, ...passwords };
      for (const name of ['ZK_OPS_PASSWORD', 'ZK_ORDERS_PASSWORD']) if (!(name in passwords)) delete env[name];
      // Nothing listens there: a run that tried to connect would wait out connect()'s 15 s (past this timeout).
      env.ZOOKEEPER_CONNECT = `127.0.0.1:${await freePort()}`;
      const outcome = await promisify(execFile)(process.execPath, [file.pathname], { timeout: 10_000, env })
        .then(() => ({ code: 0, stderr: '', stdout: '' }), (e: { code: number; stderr: string; stdout: string }) => e);
      expect(outcome.code, JSON.stringify(passwords)).to.equal(1);
      expect(outcome.stderr).to.equal(`set ${unset} (the digest passwords of the ops and orders identities); nothing was done\n`);
      expect(outcome.stdout).to.equal('');
    }
  });
});
