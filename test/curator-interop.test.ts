// F15 (mutex and maxLeases): a real Curator 5.4.0 client in its own JVM and zkurator on the
// same paths of a real ZooKeeper server must honour each other's locks, both ways.
import { expect } from 'chai';
import { LockTimeoutError, Mutex, type Lease } from '../lib/index.js';
import { useCuratorPeer } from './support/curator-peer.js';
import { childrenOf, newClient, sharedConnectString, track, uniquePath, untilChildren } from './support/harness.js';

const CURATOR_NODE_RE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-\d{10}$/;

describe('interop with real Curator 5.4.0 (F15: mutex, maxLeases)', function () {
  this.timeout(90_000);
  const curator = useCuratorPeer();

  it('node names: zkurator writes exactly the pattern Curator writes, and both list the same order', async () => {
    const client = await newClient();
    const path = uniquePath('names');
    expect(await curator().acquire('n1', 'mutex', path, 5_000)).to.equal(true);
    const ours = track(new Mutex(client, path).acquire({ timeout: 20_000 }));
    expect(await curator().acquire('n2', 'mutex', path, 0)).to.equal(false); // Curator try-lock fails
    await untilChildren(client, path, 2);
    const names = await childrenOf(client, path);
    for (const name of names) expect(name).to.match(CURATOR_NODE_RE);
    // getParticipantNodes (Curator) and participants() (zkurator) agree, holder first
    const curatorView = await curator().list(path);
    const ourView = await new Mutex(client, path).participants();
    expect(ourView).to.deep.equal(curatorView);
    await curator().release('n1');
    const lease = await ours.promise;
    expect(await curator().list(path)).to.deep.equal([lease.path]);
    await lease.release();
  });

  it('Curator holds -> zkurator times out and leaves no node; gets the lock after Curator releases', async () => {
    const client = await newClient();
    const path = uniquePath('c-holds');
    expect(await curator().acquire('c1', 'mutex', path, 5_000)).to.equal(true);
    const err = await new Mutex(client, path).acquire({ timeout: 500 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect(await childrenOf(client, path)).to.have.length(1); // only Curator's node
    const waiting = track(new Mutex(client, path).acquire({ timeout: 20_000 }));
    await untilChildren(client, path, 2);
    expect(waiting.settled()).to.equal(false);
    await curator().release('c1');
    const lease = await waiting.promise;
    expect(await curator().list(path)).to.deep.equal([lease.path]);
    await lease.release();
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('zkurator holds -> Curator times out; Curator gets the lock after zkurator releases', async () => {
    const client = await newClient();
    const path = uniquePath('z-holds');
    const lease = await new Mutex(client, path).acquire({ timeout: 5_000 });
    expect(await curator().acquire('c2', 'mutex', path, 500)).to.equal(false);
    expect(await childrenOf(client, path)).to.have.length(1); // Curator cleaned its node up
    const curatorWaits = track(curator().acquire('c3', 'mutex', path, 20_000));
    await untilChildren(client, path, 2);
    expect(curatorWaits.settled()).to.equal(false);
    // while Curator waits, zkurator still excludes others too
    const err = await new Mutex(client, path).acquire({ timeout: 0 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    await lease.release();
    expect(await curatorWaits.promise).to.equal(true);
    const afterRelease = await new Mutex(client, path).acquire({ timeout: 300 }).catch((e: unknown) => e);
    expect(afterRelease).to.be.instanceOf(LockTimeoutError); // Curator holds it now
    await curator().release('c3');
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('maxLeases 3 with mixed holders never exceeds 3 and hands off in queue order across sides', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => newClient()));
    const path = uniquePath('mixed-leases');
    const holders = new Set<string>();
    let maxSeen = 0;
    const enter = (who: string): void => {
      holders.add(who);
      maxSeen = Math.max(maxSeen, holders.size);
    };
    const leaseOf = new Map<string, Lease>();
    const zk = async (who: string, i: number, timeout = 30_000): Promise<void> => {
      const lease = await new Mutex(clients[i]!, path, { maxLeases: 3 }).acquire({ timeout });
      leaseOf.set(who, lease);
      enter(who);
    };
    const cur = async (who: string, timeout = 30_000): Promise<void> => {
      expect(await curator().acquire(who, 'semaphore', path, timeout, 3)).to.equal(true);
      enter(who);
    };
    const release = async (who: string): Promise<void> => {
      holders.delete(who);
      const lease = leaseOf.get(who);
      if (lease) await lease.release();
      else await curator().release(who);
    };
    const countNodes = (n: number): Promise<void> => untilChildren(clients[0]!, path, n);

    await cur('C-A');
    await zk('Z-B', 0);
    await cur('C-C');
    expect(holders.size).to.equal(3);
    // two more queue: a zkurator one (watches C-A) then a Curator one (watches Z-B)
    const zd = track(zk('Z-D', 1));
    await countNodes(4);
    const ce = track(cur('C-E'));
    await countNodes(5);
    // a fourth holder is refused on both sides
    expect(await curator().acquire('C-X', 'semaphore', path, 300, 3)).to.equal(false);
    const err = await new Mutex(clients[2]!, path, { maxLeases: 3 }).acquire({ timeout: 300 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    await countNodes(5);
    expect(zd.settled() || ce.settled()).to.equal(false);

    await release('C-A'); // Curator frees a lease -> the queued zkurator takes it
    await zd.promise;
    expect(ce.settled()).to.equal(false);
    expect([...holders].sort()).to.deep.equal(['C-C', 'Z-B', 'Z-D']);
    await release('Z-B'); // zkurator frees a lease -> the queued Curator takes it
    await ce.promise;
    expect([...holders].sort()).to.deep.equal(['C-C', 'C-E', 'Z-D']);
    expect(maxSeen).to.equal(3);
    for (const who of ['C-C', 'C-E', 'Z-D']) await release(who);
    expect(await childrenOf(clients[0]!, path)).to.deep.equal([]);
  });

  it('F18: with a foreign child sorting first, Curator and zkurator both treat it as a holder', async () => {
    const client = await newClient();
    const path = uniquePath('foreign');
    await client.createContainers(path);
    await client.create(`${path}/0`, Buffer.alloc(0), 0);
    expect(await curator().acquire('f1', 'mutex', path, 300)).to.equal(false);
    const err = await new Mutex(client, path).acquire({ timeout: 300 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LockTimeoutError);
    expect(await childrenOf(client, path)).to.deep.equal(['0']);
    await client.delete(`${path}/0`);
    expect(await curator().acquire('f2', 'mutex', path, 5_000)).to.equal(true);
    await curator().release('f2');
  });
});
