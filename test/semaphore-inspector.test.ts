// inspectLock on a V2 semaphore whose holders and waiter share one session (as a gateway's
// clients, or several Semaphore objects of one process, do): only the waiter's newest lease
// node is waiting, the session's other leases hold; queueNodeData marks the queued acquirer.
import { expect } from 'chai';
import { inspectLock, Semaphore, ValidationError } from '../lib/index.js';
import { childrenOf, newClient, track, uniquePath, untilChildren } from './support/harness.js';

describe('inspectLock on a V2 semaphore used by one session', function () {
  this.timeout(30_000);

  it('two holders and a waiter on one session: the holders hold, the newest lease waits, the next acquirer queues with its queueNodeData', async () => {
    const client = await newClient();
    const path = uniquePath('sem-one-session');
    const sem = (tag: string): Semaphore => new Semaphore(client, path, { maxLeases: 2, nodeData: Buffer.from(`lease ${tag}`), queueNodeData: Buffer.from(`queue ${tag}`) });
    const [a] = await sem('a').acquire();
    const [b] = await sem('b').acquire();
    const c = track(sem('c').acquire({ timeout: 20_000 }));
    await untilChildren(client, `${path}/leases`, 3);
    const d = track(sem('d').acquire({ timeout: 20_000 }));
    await untilChildren(client, `${path}/locks`, 2);

    const snapshot = await inspectLock(client, path, { maxLeases: 2 });
    expect(snapshot.recipe).to.equal('semaphore');
    expect(snapshot.participants.map((p) => [p.kind, p.state, p.data])).to.deep.equal([
      ['lease', 'holder', 'lease a'], ['lease', 'holder', 'lease b'], ['lease', 'waiting', 'lease c'], ['lock', 'waiting', 'queue d'],
    ]);
    expect(c.settled()).to.equal(false);

    await a!.release();
    const [cLease] = await c.promise;
    await b!.release();
    const [dLease] = await d.promise;
    await Promise.all([cLease!.release(), dLease!.release()]);
    expect(await childrenOf(client, `${path}/leases`)).to.deep.equal([]);
    expect(await childrenOf(client, `${path}/locks`)).to.deep.equal([]);
  });

  it('a bad queueNodeData is a ValidationError naming it', async () => {
    const client = await newClient();
    expect(() => new Semaphore(client, '/x', { maxLeases: 1, queueNodeData: 'text' as unknown as Buffer }))
      .to.throw(ValidationError, /^queueNodeData must be a Buffer or Uint8Array/);
  });
});
