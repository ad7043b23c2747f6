// Options a JavaScript caller gets wrong are refused, not ignored: Curator's positional
// `acquire(5000)`, a typo such as `{ timout: 100 }`, or an acquire option given to a lock's
// constructor used to resolve or wait forever without a word. Every public call that takes
// options says which key it does not know (and the key it most likely meant), before any
// ZooKeeper request.
import { expect } from 'chai';
import {
  connect, inspectLock, Mutex, MultiLock, ReadWriteLock, revoke, Semaphore, SemaphoreMutex, ValidationError,
} from '../lib/index.js';
import { checkOptions } from '../lib/framework/check-options.js';
import { childrenOf, newClient, sharedConnectString, uniquePath } from './support/harness.js';

/** The error a call throws or rejects with (undefined if it succeeds). */
async function failure(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('options: unknown keys and non-object options are a ValidationError naming them', function () {
  this.timeout(30_000);

  it('checkOptions: the key it most likely meant, the call it belongs to, the non-object and how to write it', () => {
    const spec = { call: 'acquire', known: ['timeout', 'signal', 'onQueued'] };
    const message = (options: unknown, s: Parameters<typeof checkOptions>[1] = spec): string => {
      try {
        checkOptions(options as object, s);
      } catch (err) {
        expect(err).to.be.instanceOf(ValidationError);
        return (err as ValidationError).message;
      }
      return 'accepted';
    };
    expect(message(undefined)).to.equal('accepted');
    expect(message({})).to.equal('accepted');
    expect(message({ timeout: 1, signal: undefined, onQueued: undefined })).to.equal('accepted');
    expect(message(Object.create(null))).to.equal('accepted');
    expect(message({ timout: 100 })).to.equal('acquire: unknown option "timout" (did you mean "timeout"?); acquire takes timeout, signal, onQueued');
    expect(message({ Timeout: 100 })).to.contain('(did you mean "timeout"?)');
    expect(message({ onqueue: () => 1 })).to.contain('(did you mean "onQueued"?)');
    expect(message({ retries: 3 })).to.equal('acquire: unknown option "retries"; acquire takes timeout, signal, onQueued');
    expect(message(5000)).to.equal('acquire(5000): options are an object; for a timeout of 5000 ms write acquire({ timeout: 5000 })');
    expect(message(new AbortController().signal)).to.equal('acquire: options are an object, got an AbortSignal: write acquire({ signal })');
    expect(message(null)).to.equal('acquire: options must be an object { timeout, signal, onQueued }, got null');
    expect(message('fast')).to.contain('got "fast" (a string)');
    expect(message([1])).to.contain('got an array');
    expect(message(new Date(0))).to.contain('got a Date');
    expect(message({ timeout: 5 }, { call: 'new Mutex', known: ['maxLeases'], elsewhere: { timeout: 'acquire({ timeout })' } }))
      .to.equal('new Mutex: unknown option "timeout": it belongs to acquire({ timeout }); new Mutex takes maxLeases');
  });

  it('the cases a hurried user meets: acquire(5000), { timout: 100 }, new Mutex(..., { timeout: 5 }); nothing is created', async () => {
    const client = await newClient();
    const path = uniquePath('options-misuse');
    const mutex = new Mutex(client, path);
    const positional = await failure(() => mutex.acquire(5000 as never));
    expect(positional).to.be.instanceOf(ValidationError).with.property('message').that.contains('acquire({ timeout: 5000 })');
    const typo = await failure(() => mutex.acquire({ timout: 100 } as never));
    expect(typo).to.be.instanceOf(ValidationError).with.property('message').that.contains('unknown option "timout" (did you mean "timeout"?)');
    expect(() => new Mutex(client, path, { timeout: 5 } as never)).to.throw(ValidationError, 'new Mutex: unknown option "timeout": it belongs to acquire({ timeout })');
    // tryAcquire(5000) used to spread the number away and try once with timeout 0
    expect(await failure(() => mutex.tryAcquire(5000 as never))).to.be.instanceOf(ValidationError)
      .with.property('message').that.contains('tryAcquire({ timeout: 5000 })');
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });

  it('every public constructor and method that takes options refuses an unknown key and a non-object, before any request', async () => {
    const client = await newClient();
    const path = uniquePath('options-all');
    const rw = new ReadWriteLock(client, path);
    const semaphore = new Semaphore(client, `${path}-sem`, { maxLeases: 2 });
    const semaphoreMutex = new SemaphoreMutex(client, `${path}-semmutex`);
    const multi = new MultiLock(client, [`${path}-a`, `${path}-b`]);
    const mutex = new Mutex(client, path);
    const calls: Array<[string, (options: unknown) => unknown]> = [
      ['connect', (o) => connect('127.0.0.1:1', o as never)],
      ['connect aclProvider', (o) => connect('127.0.0.1:1', { aclProvider: o as never })],
      ['connect session', (o) => connect('127.0.0.1:1', { session: o as never })],
      ['new Mutex', (o) => new Mutex(client, path, o as never)],
      ['acquire', (o) => mutex.acquire(o as never)],
      ['tryAcquire', (o) => mutex.tryAcquire(o as never)],
      ['withLock', (o) => mutex.withLock(() => 1, o as never)],
      ['new ReadWriteLock', (o) => new ReadWriteLock(client, path, o as never)],
      ['acquire', (o) => rw.readLock.acquire(o as never)],
      ['acquire', (o) => rw.writeLock.acquire(o as never)],
      ['tryAcquire', (o) => rw.writeLock.tryAcquire(o as never)],
      ['new Semaphore', (o) => new Semaphore(client, path, o as never)],
      ['acquire', (o) => semaphore.acquire(o as never)],
      ['tryAcquire', (o) => semaphore.tryAcquire(o as never)],
      ['withLeases', (o) => semaphore.withLeases(() => 1, o as never)],
      ['new SemaphoreMutex', (o) => new SemaphoreMutex(client, path, o as never)],
      ['acquire', (o) => semaphoreMutex.acquire(o as never)],
      ['tryAcquire', (o) => semaphoreMutex.tryAcquire(o as never)],
      ['withLock', (o) => semaphoreMutex.withLock(() => 1, o as never)],
      ['new MultiLock', (o) => new MultiLock(client, [path], o as never)],
      ['acquire', (o) => multi.acquire(o as never)],
      ['tryAcquire', (o) => multi.tryAcquire(o as never)],
      ['withLock', (o) => multi.withLock(() => 1, o as never)],
      ['revoke', (o) => revoke(client, `${path}/_c_x-lock-0000000000`, o as never)],
      ['inspectLock', (o) => inspectLock(client, path, o as never)],
    ];
    for (const [call, run] of calls) {
      const unknownKey = await failure(() => run({ bogusOption: 1 }));
      expect(unknownKey, call).to.be.instanceOf(ValidationError);
      expect((unknownKey as Error).message, call).to.match(new RegExp(`^${call}: unknown option "bogusOption"; ${call} takes `));
      const notAnObject = await failure(() => run(true));
      expect(notAnObject, call).to.be.instanceOf(ValidationError);
      expect((notAnObject as Error).message, call).to.contain(`${call}: options must be an object`);
    }
    // a downgrade takes { signal } only
    const write = await rw.writeLock.acquire({ timeout: 10_000 });
    expect(await failure(() => write.downgrade({ timeout: 1 } as never))).to.be.instanceOf(ValidationError)
      .with.property('message', 'downgrade: unknown option "timeout"; downgrade takes signal');
    expect(write.status).to.equal('held'); // refused before anything was done
    await write.release();
    for (const p of [path, `${path}-sem`, `${path}-semmutex`, `${path}-a`, `${path}-b`]) {
      expect(await childrenOf(client, p), p).to.deep.equal([]);
    }
  });

  it('a session to resume that is not hex is a ValidationError naming the field, before any socket (was a bare SyntaxError)', async () => {
    const client = await newClient();
    const good = { id: client.sessionId, password: client.sessionPassword };
    for (const [session, field] of [
      [{ ...good, id: 'not-hex' }, 'session.id'],
      [{ ...good, id: '0x12' }, 'session.id'],
      [{ ...good, id: '1'.repeat(17) }, 'session.id'],
      [{ ...good, id: 42 }, 'session.id'],
      [{ ...good, password: 'zz' }, 'session.password'],
      [{ ...good, password: 'abc' }, 'session.password'],
      [{ id: good.id }, 'session.password'],
    ] as const) {
      const err = await failure(() => connect(sharedConnectString(), { session: session as never, connectTimeout: 2_000 }));
      expect(err, JSON.stringify(session)).to.be.instanceOf(ValidationError).with.property('message').that.matches(new RegExp(`^${field.replace('.', '\\.')} must be`));
      expect((err as Error).message, 'the password never shows').to.not.contain(good.password);
    }
    // well-formed values pass the check and reach the server, which knows no such session: the
    // client is given a new one (as after an expiry)
    const resumed = await connect(sharedConnectString(), { session: { id: 'abcdef12', password: '00'.repeat(16) }, connectTimeout: 5_000 });
    try {
      expect(resumed.sessionId).to.not.equal('abcdef12');
    } finally {
      await resumed.close();
    }
  });
});
