// Interop on a secured ensemble: a real Curator 5.4.0 peer with
// authorization("digest", ...) and an ACLProvider of CREATOR_ALL_ACL, on a lock path under a
// parent that only the service's identity may create under. zkurator with the same
// credentials excludes it both ways (mutex and read-write); zkurator without them fails fast
// with NoAuthError and leaves nothing; a client without credentials cannot delete a holder's node.
import { expect } from 'chai';
import {
  CREATOR_ALL_ACL, CreateMode, LockTimeoutError, Mutex, NoAuthError, Perms, ReadWriteLock, digestId, type ZkClient,
} from '../lib/index.js';
import { CuratorPeer } from './support/curator-peer.js';
import { rejection } from './support/rejection.js';
import { newClient, sharedConnectString, uniquePath } from './support/harness.js';

const SERVICE = { user: 'orders-service', password: 'orders-secret' };
const CREDENTIALS = `${SERVICE.user}:${SERVICE.password}`;

describe('interop with Curator 5.4.0 using digest auth and an ACLProvider of CREATOR_ALL_ACL', function () {
  this.timeout(60_000);
  let peer: CuratorPeer | undefined;
  let service: ZkClient;
  let base: string;

  before(async function () {
    this.timeout(120_000);
    peer = await CuratorPeer.start(sharedConnectString(), { main: 'CuratorAuthPeer', args: [CREDENTIALS] });
  });
  after(async () => {
    await peer?.stop();
  });

  beforeEach(async () => {
    // zkurator as the same service: same credentials, Curator's ACL choice for nodes and parents
    service = await newClient({ auth: [{ scheme: 'digest', credentials: CREDENTIALS }], aclProvider: { lockNodes: CREATOR_ALL_ACL, parents: CREATOR_ALL_ACL } });
    // the parent: everyone may look, only the service may create (or delete) under it
    base = uniquePath('auth-interop');
    await service.createContainers(base.slice(0, base.lastIndexOf('/')));
    await service.create(base, Buffer.alloc(0), CreateMode.PERSISTENT, [
      { perms: Perms.ALL, id: digestId(SERVICE.user, SERVICE.password) },
      { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } },
    ]);
  });

  it('mutex: zkurator with the same credentials and Curator exclude each other both ways; the nodes are creator-only', async () => {
    const path = `${base}/mutex`;
    expect(await peer!.acquire('c1', 'mutex', path, 5_000)).to.equal(true); // Curator creates the lock path too
    expect(await service.getACL(path)).to.deep.equal([{ perms: Perms.ALL, id: digestId(SERVICE.user, SERVICE.password) }]);
    const mutex = new Mutex(service, path);
    expect(await rejection(mutex.acquire({ timeout: 0 }))).to.be.instanceOf(LockTimeoutError);
    const waiting = mutex.acquire({ timeout: 10_000 });
    await peer!.release('c1');
    const lease = await waiting;
    expect(await service.getACL(lease.path)).to.deep.equal([{ perms: Perms.ALL, id: digestId(SERVICE.user, SERVICE.password) }]);
    expect(await peer!.acquire('c2', 'mutex', path, 300)).to.equal(false);
    const curatorWaits = peer!.acquire('c3', 'mutex', path, 10_000);
    await lease.release();
    expect(await curatorWaits).to.equal(true);
    await peer!.release('c3');
    expect(await service.getChildren(path)).to.deep.equal([]);
  });

  it('read-write: a Curator writer shuts out zkurator readers and a zkurator writer shuts out Curator readers', async () => {
    const path = `${base}/rw`;
    const rw = new ReadWriteLock(service, path); // zkurator creates the lock path this time
    expect(await peer!.acquire('w1', 'write', path, 5_000)).to.equal(true);
    expect(await rejection(rw.readLock.acquire({ timeout: 0 }))).to.be.instanceOf(LockTimeoutError);
    const reader = rw.readLock.acquire({ timeout: 10_000 });
    await peer!.release('w1');
    const r = await reader;
    expect(await peer!.acquire('r1', 'read', path, 5_000)).to.equal(true); // readers share
    await r.release();
    await peer!.release('r1');
    const w = await rw.writeLock.acquire({ timeout: 5_000 });
    expect(await peer!.acquire('r2', 'read', path, 300)).to.equal(false);
    await w.release();
    expect(await peer!.acquire('r3', 'read', path, 5_000)).to.equal(true);
    await peer!.release('r3');
  });

  it('zkurator without credentials fails fast with NoAuthError and leaves nothing, whether the lock path exists yet or not', async () => {
    const anonymous = await newClient();
    // the lock path does not exist yet: creating it under the guarded parent is refused
    const fresh = `${base}/fresh`;
    let err = await rejection(new Mutex(anonymous, fresh).acquire({ timeout: 10_000 }));
    expect(err).to.be.instanceOf(NoAuthError);
    expect([(err as NoAuthError).operation, (err as NoAuthError).permission, (err as NoAuthError).permissionOn]).to.deep.equal(['create', 'CREATE', base]);
    expect(await service.getChildren(base)).to.deep.equal([]);
    // the lock path exists (Curator holds it, creator-only): listing it is refused first
    const path = `${base}/held`;
    expect(await peer!.acquire('h1', 'mutex', path, 5_000)).to.equal(true);
    const started = performance.now();
    for (const lock of [new Mutex(anonymous, path), new ReadWriteLock(anonymous, path).writeLock]) {
      err = await rejection(lock.acquire({ timeout: 10_000 }));
      expect(err).to.be.instanceOf(NoAuthError);
      expect([(err as NoAuthError).operation, (err as NoAuthError).permission]).to.deep.equal(['getChildren', 'READ']);
    }
    expect(performance.now() - started).to.be.below(5_000); // not waited out
    expect(await service.getChildren(path)).to.have.length(1); // Curator's node only
    await peer!.release('h1');
  });

  it('a client without credentials cannot delete a zkurator holder\'s node (NoAuthError naming DELETE on the lock path); the holder keeps the lock', async () => {
    const path = `${base}/guarded`;
    const lease = await new Mutex(service, path).acquire({ timeout: 5_000 });
    const anonymous = await newClient();
    const err = await rejection(anonymous.delete(lease.path));
    expect(err).to.be.instanceOf(NoAuthError);
    expect([(err as NoAuthError).permission, (err as NoAuthError).permissionOn]).to.deep.equal(['DELETE', path]);
    expect(lease.status).to.equal('held');
    expect(await service.exists(lease.path)).to.not.equal(undefined);
    expect(await peer!.acquire('g1', 'mutex', path, 300)).to.equal(false); // still excludes Curator
    await lease.release();
  });
});
