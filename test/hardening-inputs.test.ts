// Hardening of what callers hand the library: node data (size, type, copy), timeouts of any
// size (no timer overflow, no race at the edge of 0 ms), concurrent downgrades, lock paths
// exactly as ZooKeeper judges them (checked against the real server), an ephemeral lock path,
// and the tryAcquire / isLocked conveniences.
import { expect } from 'chai';
import {
  CreateMode, LockTimeoutError, Mutex, NotHeldError,
  ReadWriteLock, ValidationError, ZooKeeperError, connect, type Lease, type ZkClient,
} from '../lib/index.js';
import { validateLockPath } from '../lib/lock-path.js';
import { settleBackgroundDeletes } from '../lib/guaranteed-delete.js';
import { Deadline } from '../lib/deadline.js';
import { childrenOf, newClient, sharedServerPort, track, uniquePath, untilChildren } from './support/harness.js';
import { pollUntil } from './support/poll.js';
import { TcpProxy } from './support/tcp-proxy.js';

function opsSent(client: ZkClient): number {
  return Object.values(client.operationCounts).reduce((a, b) => a + b, 0);
}

/** Collects every process warning (TimeoutOverflowWarning...) emitted while `fn` runs. */
async function collectWarnings<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: Error[] }> {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => { warnings.push(w); };
  process.on('warning', onWarning);
  try {
    const result = await fn();
    // emitWarning delivers on the next tick: let it arrive before we stop listening
    await new Promise((resolve) => setImmediate(resolve));
    return { result, warnings };
  } finally {
    process.off('warning', onWarning);
  }
}

/** Resolves after `ms`: only to observe that something is STILL pending (nothing to await). */
function elapse(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('hardening: inputs', () => {
  describe('timeouts of any size', () => {
    for (const timeout of [2 ** 31 + 60_000, 1e10, Number.MAX_SAFE_INTEGER, Infinity]) {
      it(`acquire({ timeout: ${timeout} }) on a held lock waits, prints no warning, and can be aborted leaving no node`, async () => {
        const [a, b] = await Promise.all([newClient(), newClient()]);
        const path = uniquePath('long-timeout');
        const held = await new Mutex(a, path).acquire({ timeout: 5_000 });
        const controller = new AbortController();
        const { warnings } = await collectWarnings(async () => {
          const waiting = track(new Mutex(b, path).acquire({ timeout, signal: controller.signal }));
          await pollUntil(async () => waiting.settled() || (await childrenOf(a, path)).length === 2, { timeoutMs: 5_000, what: 'the waiter\'s node' });
          await elapse(400); // a wrapped-around timer fires after ~1 ms: it had all this time
          expect(waiting.settled(), 'the acquire gave up early').to.equal(false);
          const reason = new Error('stop waiting');
          controller.abort(reason);
          expect(await waiting.promise.catch((e: unknown) => e)).to.equal(reason);
        });
        expect(warnings.map((w) => `${w.name}: ${w.message}`)).to.deep.equal([]);
        await settleBackgroundDeletes(b);
        expect(await childrenOf(a, path)).to.deep.equal([held.path.split('/').at(-1)]);
        await held.release();
      });
    }

    it('a read lock and a write lock wait past a timer overflow too (1e10 ms)', async () => {
      const [a, b] = await Promise.all([newClient(), newClient()]);
      const path = uniquePath('long-rw');
      const w = await new ReadWriteLock(a, path).writeLock.acquire({ timeout: 5_000 });
      const controller = new AbortController();
      const { warnings } = await collectWarnings(async () => {
        const rw = new ReadWriteLock(b, path);
        const reader = track(rw.readLock.acquire({ timeout: 1e10, signal: controller.signal }));
        const writer = track(rw.writeLock.acquire({ timeout: 1e10, signal: controller.signal }));
        await pollUntil(async () => reader.settled() || writer.settled() || (await childrenOf(a, path)).length === 3, { timeoutMs: 5_000, what: 'the waiters\' nodes' });
        await elapse(400);
        expect(reader.settled() || writer.settled()).to.equal(false);
        controller.abort(new Error('done'));
        await Promise.allSettled([reader.promise, writer.promise]);
      });
      expect(warnings).to.deep.equal([]);
      await settleBackgroundDeletes(b);
      expect(await childrenOf(a, path)).to.have.length(1);
      await w.release();
    });

    it('connect({ connectTimeout: 2 ** 31 }) keeps trying past a timer overflow and connects once a server answers', async () => {
      const proxy = await TcpProxy.start(sharedServerPort());
      let client: ZkClient | undefined;
      try {
        proxy.cut(); // refuse every connection for now
        const { warnings } = await collectWarnings(async () => {
          const connecting = track(connect(proxy.connectString, { connectTimeout: 2 ** 31, sessionTimeout: 6_000 }));
          await elapse(500);
          expect(connecting.settled(), 'connect gave up early').to.equal(false);
          proxy.restore();
          client = await connecting.promise;
          expect(client.state).to.equal('CONNECTED');
        });
        expect(warnings).to.deep.equal([]);
      } finally {
        await client?.close();
        await proxy.close();
      }
    });

    it('1,000 acquires with random timeouts of 0-5 ms on a held lock all reject with LockTimeoutError and leave no node', async function () {
      this.timeout(120_000);
      const [a, b] = await Promise.all([newClient(), newClient()]);
      const mutexPath = uniquePath('tiny-timeouts');
      const rwPath = uniquePath('tiny-timeouts-rw');
      const held = await new Mutex(a, mutexPath).acquire({ timeout: 5_000 });
      const heldWrite = await new ReadWriteLock(a, rwPath).writeLock.acquire({ timeout: 5_000 });
      const mutex = new Mutex(b, mutexPath);
      const rw = new ReadWriteLock(b, rwPath);
      const wrong: unknown[] = [];
      for (let batch = 0; batch < 50; batch++) {
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => {
          const timeout = Math.random() * 5;
          const lock = i % 4 === 0 ? rw.writeLock : i % 4 === 1 ? rw.readLock : mutex;
          return lock.acquire({ timeout: i % 7 === 0 ? Math.floor(timeout) : timeout });
        }));
        for (const r of results) {
          if (r.status === 'fulfilled') wrong.push(new Error(`acquired ${r.value.path}`));
          else if (!(r.reason instanceof LockTimeoutError)) wrong.push(r.reason);
        }
      }
      expect(wrong.map(String)).to.deep.equal([]);
      await settleBackgroundDeletes(b);
      expect(await childrenOf(a, mutexPath)).to.deep.equal([held.path.split('/').at(-1)]);
      expect(await childrenOf(a, rwPath)).to.deep.equal([heldWrite.path.split('/').at(-1)]);
      expect(b.pendingWatchListeners).to.equal(0);
      await held.release();
      await heldWrite.release();
    });
  });

  describe('the edge of a deadline', () => {
    it('10,000 waits whose deadline passes within microseconds all reject with LockTimeoutError (no p-timeout TypeError)', async () => {
      // The same race as the tiny acquire timeouts above, without the round trips around it:
      // the deadline passes between the check that admits the wait and the timer's setup.
      const client = await newClient();
      const never = new Promise<never>(() => undefined);
      const wrong: string[] = [];
      for (let batch = 0; batch < 20; batch++) {
        const results = await Promise.allSettled(Array.from({ length: 500 }, () =>
          new Deadline(client, '/edge', Math.random() * 0.05, undefined).wait(never)));
        for (const r of results) {
          if (r.status === 'fulfilled') wrong.push('resolved');
          else if (!(r.reason instanceof LockTimeoutError)) wrong.push(String(r.reason));
        }
      }
      expect(wrong.slice(0, 5)).to.deep.equal([]);
      expect(client.listenerCount('state')).to.equal(0);
    });
  });

});
