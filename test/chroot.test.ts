// A connect string's chroot that does not exist on the server: ZooKeeper (like Curator) does not
// create it, and every create under it fails with NONODE for the chroot, not for the lock path.
// zkurator names the real cause with a ChrootNotFoundError instead of "create /locks: NONODE".
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ChrootNotFoundError, CreateMode, Mutex, NoNodeError, ReadWriteLock, type ZkClient } from '../lib/index.js';
import { newClient, sharedConnectString } from './support/harness.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then((v) => new Error(`resolved with ${String(v)}`), (e: unknown) => e);
}

/** Deletes `path` and everything under it. */
async function deleteTree(client: ZkClient, path: string): Promise<void> {
  for (const child of await client.getChildren(path).catch(() => [] as string[])) await deleteTree(client, `${path}/${child}`);
  await client.delete(path).catch((err: unknown) => {
    if (!(err instanceof NoNodeError)) throw err;
  });
}

describe('a chroot that does not exist on the server', function () {
  this.timeout(30_000);

  it('acquire rejects with ChrootNotFoundError naming the chroot, creates nothing, and works once the chroot exists', async () => {
    const chroot = `/zkurator-chroot-${randomUUID().slice(0, 8)}`;
    const connectString = `${sharedConnectString()}${chroot}`;
    const [plain, rooted] = await Promise.all([newClient(), newClient({ connectString })]);
    try {
      for (const acquire of [
        () => new Mutex(rooted, '/locks/a').acquire({ timeout: 5_000 }),
        () => new Mutex(rooted, '/locks/a', { maxLeases: 3 }).acquire({ timeout: 0 }),
        () => new ReadWriteLock(rooted, '/locks/rw').writeLock.acquire({ timeout: 5_000 }),
        () => new ReadWriteLock(rooted, '/locks/rw').readLock.withLock(() => 1),
      ]) {
        const err = await rejection(acquire());
        expect(err, String(err)).to.be.instanceOf(ChrootNotFoundError);
        const missing = err as ChrootNotFoundError;
        expect(missing.code).to.equal('CHROOT_NOT_FOUND');
        expect(missing.chroot).to.equal(chroot);
        expect(missing.connectString).to.equal(connectString);
        expect(missing.message).to.equal(`the chroot ${chroot} of connect string ${JSON.stringify(connectString)} does not exist on the server: ` +
          `create it first (e.g. "create ${chroot}" in zkCli.sh) or leave it out of the connect string`);
        expect(missing.cause).to.be.instanceOf(NoNodeError);
      }
      expect(await plain.exists(chroot)).to.equal(undefined);
      // created meanwhile: the same client locks there, under the chroot
      await plain.create(chroot, Buffer.alloc(0), CreateMode.PERSISTENT);
      const lease = await new Mutex(rooted, '/locks/a').acquire({ timeout: 5_000 });
      expect(lease.path.startsWith('/locks/a/')).to.equal(true);
      expect((await plain.getChildren(`${chroot}/locks/a`)).map((c) => `/locks/a/${c}`)).to.deep.equal([lease.path]);
      await lease.release();
    } finally {
      await deleteTree(plain, chroot);
    }
  });

  it('a nested chroot whose last level is missing is named in full', async () => {
    const top = `/zkurator-chroot-${randomUUID().slice(0, 8)}`;
    const plain = await newClient();
    await plain.create(top, Buffer.alloc(0), CreateMode.PERSISTENT);
    try {
      const rooted = await newClient({ connectString: `${sharedConnectString()}${top}/app` });
      const err = await rejection(new Mutex(rooted, '/x').acquire({ timeout: 5_000 }));
      expect(err, String(err)).to.be.instanceOf(ChrootNotFoundError);
      expect((err as ChrootNotFoundError).chroot).to.equal(`${top}/app`);
      expect(await plain.getChildren(top)).to.deep.equal([]);
    } finally {
      await deleteTree(plain, top);
    }
  });
});
