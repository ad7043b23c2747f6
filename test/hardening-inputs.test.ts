// Hardening of what callers hand the library: node data (size, type, copy), timeouts of any
// size (no timer overflow, no race at the edge of 0 ms), concurrent downgrades, lock paths
// exactly as ZooKeeper judges them (checked against the real server), an ephemeral lock path,
// and the tryAcquire / isLocked conveniences.
import { expect } from 'chai';
import { connect as netConnect } from 'node:net';
import { once } from 'node:events';
import {
  CreateMode, LockTimeoutError, MAX_NODE_DATA_BYTES, Mutex, NoChildrenForEphemeralsError, NotHeldError,
  ReadWriteLock, ValidationError, ZooKeeperError, connect, type Lease, type ZkClient,
} from '../lib/index.js';
import { validateLockPath } from '../lib/locks/engine/lock-path.js';
import { invalidPathReason } from '../lib/zookeeper/path.js';
import { FrameDecoder } from '../lib/zookeeper/framing.js';
import { JuteReader, buildFrame } from '../lib/zookeeper/jute.js';
import { OPEN_ACL_UNSAFE } from '../lib/zookeeper/acl.js';
import { OpCode } from '../lib/zookeeper/protocol.js';
import {
  readConnectResponse, readReplyHeader, writeConnectRequest, writeCreateRequest, writeRequestHeader,
} from '../lib/zookeeper/records.js';
import { settleBackgroundDeletes } from '../lib/locks/engine/guaranteed-delete.js';
import { Deadline } from '../lib/locks/engine/deadline.js';
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

/**
 * Asks the server itself, past our client's own path check (which refuses bad paths before
 * sending): on a raw session, creates each path as an empty EPHEMERAL node and returns the
 * server's error code for each (0: created). The session is closed, so the nodes go with it.
 */
async function serverVerdicts(port: number, paths: readonly string[]): Promise<number[]> {
  const socket = netConnect({ host: '127.0.0.1', port });
  try {
    await once(socket, 'connect');
    const decoder = new FrameDecoder(16 * 1024 * 1024);
    const frames: Buffer[] = [];
    let wake: (() => void) | undefined;
    socket.on('data', (chunk: Buffer) => decoder.push(chunk, (frame) => {
      frames.push(Buffer.from(frame));
      wake?.();
      return true;
    }));
    const closed = once(socket, 'close').then(() => { throw new Error('the server closed the raw connection'); });
    closed.catch(() => undefined);
    const next = async (): Promise<Buffer> => {
      while (frames.length === 0) await Promise.race([new Promise<void>((resolve) => { wake = resolve; }), closed]);
      return frames.shift() as Buffer;
    };
    socket.write(buildFrame((w) => writeConnectRequest(w, {
      protocolVersion: 0, lastZxidSeen: 0n, timeOut: 6_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false,
    })));
    expect(readConnectResponse(new JuteReader(await next())).timeOut).to.be.greaterThan(0);
    paths.forEach((path, i) => socket.write(buildFrame((w) => {
      writeRequestHeader(w, i + 1, OpCode.create);
      writeCreateRequest(w, { path, data: Buffer.alloc(0), acl: OPEN_ACL_UNSAFE, flags: CreateMode.EPHEMERAL });
    })));
    const codes = new Map<number, number>();
    while (codes.size < paths.length) {
      const header = readReplyHeader(new JuteReader(await next()));
      if (header.xid > 0) codes.set(header.xid, header.err);
    }
    const closeXid = paths.length + 1;
    socket.write(buildFrame((w) => writeRequestHeader(w, closeXid, OpCode.closeSession)));
    while (readReplyHeader(new JuteReader(await next())).xid !== closeXid) { /* until the close is confirmed */ }
    return paths.map((_, i) => codes.get(i + 1) as number);
  } finally {
    socket.destroy();
  }
}

/** Resolves after `ms`: only to observe that something is STILL pending (nothing to await). */
function elapse(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('hardening: inputs', () => {
  describe('nodeData', () => {
    it('rejects nodeData over MAX_NODE_DATA_BYTES or not a Buffer/Uint8Array at construction, before any request', async () => {
      const client = await newClient();
      const path = uniquePath('data-limit');
      const before = opsSent(client);
      expect(MAX_NODE_DATA_BYTES).to.be.within(900_000, 0xfffff - 1024);
      for (const nodeData of [Buffer.alloc(2 * 1024 * 1024), Buffer.alloc(MAX_NODE_DATA_BYTES + 1)]) {
        expect(() => new Mutex(client, path, { nodeData })).to.throw(ValidationError, new RegExp(`${MAX_NODE_DATA_BYTES}`));
        expect(() => new ReadWriteLock(client, path, { nodeData })).to.throw(ValidationError, /jute\.maxbuffer/);
      }
      expect(() => new Mutex(client, path, { nodeData: '127.0.0.1' as never }))
        .to.throw(ValidationError, 'nodeData must be a Buffer or Uint8Array, got "127.0.0.1" (a string)');
      for (const nodeData of ['127.0.0.1', 42, null, [1, 2], new ArrayBuffer(4), new Uint16Array(2)]) {
        expect(() => new Mutex(client, path, { nodeData: nodeData as never })).to.throw(ValidationError, /nodeData/);
        expect(() => new ReadWriteLock(client, path, { nodeData: nodeData as never })).to.throw(ValidationError, /nodeData/);
      }
      expect(opsSent(client)).to.equal(before);
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });

    it('takes nodeData of exactly MAX_NODE_DATA_BYTES (and a Uint8Array) without disturbing the connection or other leases', async () => {
      const [client, other] = await Promise.all([newClient(), newClient()]);
      const bystander = await new Mutex(client, uniquePath('bystander')).acquire({ timeout: 5_000 });
      const bystanderSignal = bystander.signal;
      const states: string[] = [];
      client.on('state', (s) => states.push(s));
      // too big: refused up front, and the client's own guard refuses a raw request too
      expect(() => new Mutex(client, uniquePath('big'), { nodeData: Buffer.alloc(1_100_000) })).to.throw(ValidationError);
      const raw = await client.create(`${uniquePath('raw')}`, Buffer.alloc(1_100_000), CreateMode.EPHEMERAL).catch((e: unknown) => e);
      expect(raw).to.be.instanceOf(ValidationError);
      // the largest allowed: the server takes it, and a waiter (reading it with getData) too
      const path = uniquePath('data-max');
      const data = Buffer.alloc(MAX_NODE_DATA_BYTES, 7);
      const lease = await new Mutex(client, path, { nodeData: data }).acquire({ timeout: 10_000 });
      expect((await client.getData(lease.path)).data.equals(data)).to.equal(true);
      const waiter = track(new Mutex(other, path).acquire({ timeout: 20_000 }));
      await pollUntil(() => other.watchedPaths.includes(lease.path), { timeoutMs: 10_000, what: 'the waiter watching the big node' });
      await lease.release();
      await (await waiter.promise).release();
      const rw = new ReadWriteLock(client, uniquePath('data-u8'), { nodeData: new Uint8Array([1, 2, 3]) });
      const r = await rw.readLock.acquire({ timeout: 5_000 });
      expect([...(await client.getData(r.path)).data]).to.deep.equal([1, 2, 3]);
      await r.release();
      expect(states).to.deep.equal([]);
      expect(client.state).to.equal('CONNECTED');
      expect(bystanderSignal.aborted).to.equal(false);
      expect(bystander.status).to.equal('held');
      await bystander.release();
    });

    it('copies nodeData: changing the caller\'s buffer after construction changes nothing (Curator testSetNodeData)', async () => {
      const client = await newClient();
      const buf = Buffer.from('original');
      const mutex = new Mutex(client, uniquePath('copy-m'), { nodeData: buf });
      const rw = new ReadWriteLock(client, uniquePath('copy-rw'), { nodeData: buf });
      buf.write('CHANGED!');
      const a = await mutex.acquire({ timeout: 5_000 });
      expect((await client.getData(a.path)).data.toString()).to.equal('original');
      await a.release();
      const w = await rw.writeLock.acquire({ timeout: 5_000 });
      expect((await client.getData(w.path)).data.toString()).to.equal('original');
      const r = await w.downgrade();
      expect((await client.getData(r.path)).data.toString()).to.equal('original');
      await r.release();
      const rd = await rw.readLock.acquire({ timeout: 5_000 });
      expect((await client.getData(rd.path)).data.toString()).to.equal('original');
      await rd.release();
    });
  });

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

  describe('concurrent downgrade', () => {
    it('a second downgrade() of the same write lease fails before creating anything; one read node, writers get in after it', async () => {
      const [a, b] = await Promise.all([newClient(), newClient()]);
      const path = uniquePath('double-downgrade');
      const rw = new ReadWriteLock(a, path);
      const w = await rw.writeLock.acquire({ timeout: 5_000 });
      const [first, second] = await Promise.allSettled([w.downgrade(), w.downgrade()]);
      expect(first.status).to.equal('fulfilled');
      expect(second.status).to.equal('rejected');
      expect((second as PromiseRejectedResult).reason).to.be.instanceOf(NotHeldError);
      const readLease = (first as PromiseFulfilledResult<Lease>).value;
      expect(w.released).to.equal(true);
      expect(await childrenOf(a, path)).to.deep.equal([readLease.path.split('/').at(-1)]);
      // a writer of another client waits for the read lease, and gets in once it is released
      const writer = track(new ReadWriteLock(b, path).writeLock.acquire({ timeout: 20_000 }));
      await untilChildren(a, path, 2);
      await readLease.release();
      const got = await writer.promise;
      expect(await childrenOf(a, path)).to.deep.equal([got.path.split('/').at(-1)]);
      await got.release();
      expect(await childrenOf(a, path)).to.deep.equal([]);
    });

    it('release() during a downgrade waits for it, deletes nothing twice and leaves only the read node', async () => {
      const [a, b] = await Promise.all([newClient(), newClient()]);
      const path = uniquePath('release-during-downgrade');
      const w = await new ReadWriteLock(a, path).writeLock.acquire({ timeout: 5_000 });
      const downgrading = w.downgrade();
      const releasing = w.release();
      const readLease = await downgrading;
      expect(await releasing.catch((e: unknown) => e)).to.be.instanceOf(NotHeldError);
      expect(await childrenOf(a, path)).to.deep.equal([readLease.path.split('/').at(-1)]);
      const writer = track(new ReadWriteLock(b, path).writeLock.acquire({ timeout: 20_000 }));
      await untilChildren(a, path, 2);
      expect(writer.settled()).to.equal(false);
      await readLease.release();
      await (await writer.promise).release();
    });

    it('a downgrade that fails (aborted) leaves the write lease held and can be tried again', async () => {
      const client = await newClient();
      const path = uniquePath('failed-downgrade');
      const w = await new ReadWriteLock(client, path).writeLock.acquire({ timeout: 5_000 });
      const reason = new Error('no');
      expect(await w.downgrade({ signal: AbortSignal.abort(reason) }).catch((e: unknown) => e)).to.equal(reason);
      expect(w.released).to.equal(false);
      expect(await childrenOf(client, path)).to.deep.equal([w.path.split('/').at(-1)]);
      const r = await w.downgrade();
      expect(await childrenOf(client, path)).to.deep.equal([r.path.split('/').at(-1)]);
      await r.release();
      expect(await childrenOf(client, path)).to.deep.equal([]);
    });
  });

  describe('lock paths as ZooKeeper judges them', () => {
    /** Characters around every boundary of ZooKeeper's rule, and a stride through the rest. */
    function sampleCharacters(): string[] {
      const units = new Set<number>([
        0x00, 0x01, 0x09, 0x1f, 0x20, 0x21, 0x2e, 0x7e, 0x7f, 0x80, 0x9f, 0xa0, 0xff, 0x100, 0x7ff, 0x800,
        0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xf8ff, 0xf900, 0xfdd0, 0xffef, 0xfff0, 0xfffd, 0xfffe, 0xffff,
      ]);
      for (let u = 0x01; u <= 0xffff; u += 241) units.add(u);
      const chars = [...units].filter((u) => u !== 0x2f).map((u) => String.fromCharCode(u));
      // beyond the BMP: two UTF-16 code units (surrogates) in Java, which ZooKeeper refuses
      chars.push('\u{10000}', '\u{1F600}', '\u{1F512}', '\u{10FFFF}', '\u{20000}');
      return chars;
    }

    it('the validator accepts exactly what the server accepts (differential over a sample of every character class)', async function () {
      this.timeout(60_000);
      const client = await newClient();
      const base = uniquePath('charset');
      await client.createContainers(base);
      await client.create(`${base}/a`, Buffer.alloc(0), CreateMode.PERSISTENT);
      const suffixes = sampleCharacters().flatMap((ch) => [`x${ch}y`, ch, `a/${ch}`]);
      suffixes.push('.', '..', '...', '.a', 'a.', 'a/.', 'a/..', 'a/...', 'a//b', 'a/', '..a');
      const paths = suffixes.map((suffix) => `${base}/${suffix}`);
      const codes = await serverVerdicts(sharedServerPort(), paths);
      const verdicts = paths.map((path, i) => {
        let lock: boolean;
        try {
          validateLockPath(path);
          lock = true;
        } catch (err) {
          expect(err).to.be.instanceOf(ValidationError);
          lock = false;
        }
        // BADARGUMENTS (-8) from PathUtils.validatePath; NONODE (-101) when the server looks up
        // the parent first and it cannot exist ("a//b": parent "a/"). Every parent we mean exists.
        const code = codes[i] as number;
        const server = code === 0 ? true : code === -8 || code === -101 ? false : `code ${code}`;
        const shown = [...(suffixes[i] as string)].map((c) => `U+${c.codePointAt(0)!.toString(16)}`).join(' ');
        return { suffix: shown, lock, client: invalidPathReason(path) === undefined, server };
      });
      const disagree = verdicts.filter((v) => v.lock !== v.server || v.client !== v.server);
      expect(disagree).to.deep.equal([]);
      expect(verdicts.filter((v) => v.lock).length).to.be.greaterThan(100);
      expect(verdicts.filter((v) => !v.lock).length).to.be.greaterThan(50);
      await client.delete(`${base}/a`);
    });

    it('refuses an emoji (a surrogate pair in Java) and private-use characters before any request', async () => {
      const client = await newClient();
      const before = opsSent(client);
      for (const bad of ['/locks/\u{1F512}', '/locks/a\u{1F600}b', '/locks/\ue000', '/locks/\uf8ff', '/locks/\ud83d', '/locks/\ufff0']) {
        expect(() => new Mutex(client, bad), JSON.stringify(bad)).to.throw(ValidationError, /U\+/);
        expect(() => new ReadWriteLock(client, bad)).to.throw(ValidationError);
      }
      expect(opsSent(client)).to.equal(before);
    });

    it('locks work on paths with unusual characters the server accepts', async () => {
      const client = await newClient();
      const base = uniquePath('exotic');
      for (const suffix of ['...', 'ü/日本', 'a b', '\u00a0\ud7ff\uf900\uffef', '-_~!@#$%^&*()[]{}']) {
        const path = `${base}/${suffix}`;
        const lease = await new Mutex(client, path).acquire({ timeout: 5_000 });
        expect(lease.path.startsWith(`${path}/`)).to.equal(true);
        await lease.release();
      }
    });
  });

  describe('a lock path that is an ephemeral node', () => {
    it('rejects with NoChildrenForEphemeralsError naming the path, for every recipe, leaving nothing behind', async () => {
      const client = await newClient();
      const eph = uniquePath('ephemeral');
      await client.createContainers(eph.slice(0, eph.lastIndexOf('/')));
      await client.create(eph, Buffer.from('x'), CreateMode.EPHEMERAL);
      const rw = new ReadWriteLock(client, eph);
      for (const acquire of [
        () => new Mutex(client, eph).acquire({ timeout: 5_000 }),
        () => rw.writeLock.acquire({ timeout: 5_000 }),
        () => rw.readLock.acquire(),
        () => new Mutex(client, eph).tryAcquire(),
      ]) {
        const err = await acquire().catch((e: unknown) => e);
        expect(err).to.be.instanceOf(NoChildrenForEphemeralsError);
        expect((err as Error).message).to.equal(`lock path ${eph} is an ephemeral node; locks need a persistent or container parent`);
        expect((err as NoChildrenForEphemeralsError).code).to.equal('ZK_NOCHILDRENFOREPHEMERALS');
      }
      // a lock path below an ephemeral node: its missing parents cannot be created either
      const below = `${eph}/sub/lock`;
      const err = await new Mutex(client, below).acquire({ timeout: 5_000 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NoChildrenForEphemeralsError);
      expect((err as Error).message).to.equal(`lock path ${below} is under the ephemeral node ${eph}; locks need a persistent or container parent`);
      await settleBackgroundDeletes(client);
      expect(await childrenOf(client, eph)).to.deep.equal([]);
      expect(client.pendingWatchListeners).to.equal(0);
      expect(client.state).to.equal('CONNECTED');
    });
  });

  describe('tryAcquire and isLocked', () => {
    it('Mutex: null while another client holds it, a lease once free; isLocked follows the holders', async () => {
      const [a, b] = await Promise.all([newClient(), newClient()]);
      const path = uniquePath('try-mutex');
      const mine = new Mutex(b, path);
      expect(await mine.isLocked()).to.equal(false); // the path does not even exist
      const held = await new Mutex(a, path).acquire({ timeout: 5_000 });
      expect(await mine.isLocked()).to.equal(true);
      expect(await mine.tryAcquire()).to.equal(null);
      expect(await childrenOf(a, path)).to.have.length(1); // our try left nothing
      await held.release();
      expect(await mine.isLocked()).to.equal(false);
      const lease = await mine.tryAcquire();
      expect(lease).to.not.equal(null);
      expect(await mine.isLocked()).to.equal(true);
      expect(await new Mutex(a, path).isLocked()).to.equal(true);
      expect(await new Mutex(a, path).tryAcquire({ timeout: 200 })).to.equal(null); // waits that long, then null
      await lease!.release();
      expect(await mine.isLocked()).to.equal(false);
    });

    it('Mutex with maxLeases 2: tryAcquire succeeds twice, then null; a stray node sorting last holds nothing', async () => {
      const [a, b] = await Promise.all([newClient(), newClient()]);
      const path = uniquePath('try-leases');
      await a.createContainers(path);
      await a.create(`${path}/junk`, Buffer.alloc(0), CreateMode.EPHEMERAL); // sorts after every lock node
      const m = new Mutex(b, path, { maxLeases: 2 });
      expect(await m.isLocked()).to.equal(false);
      const first = await new Mutex(a, path, { maxLeases: 2 }).tryAcquire();
      expect(first).to.not.equal(null);
      expect(await m.isLocked()).to.equal(true);
      const second = await m.tryAcquire();
      expect(second).to.not.equal(null);
      expect(await m.tryAcquire()).to.equal(null);
      await first!.release();
      await second!.release();
      expect(await m.isLocked()).to.equal(false);
    });

    it('read and write locks: tryAcquire and isLocked against a holder that is another client', async () => {
      const [a, b] = await Promise.all([newClient(), newClient()]);
      const path = uniquePath('try-rw');
      const theirs = new ReadWriteLock(a, path);
      const mine = new ReadWriteLock(b, path);
      expect(await mine.readLock.isLocked()).to.equal(false);
      expect(await mine.writeLock.isLocked()).to.equal(false);
      // they write: nobody else reads or writes
      const w = await theirs.writeLock.acquire({ timeout: 5_000 });
      expect(await mine.writeLock.isLocked()).to.equal(true);
      expect(await mine.readLock.isLocked()).to.equal(false);
      expect(await mine.readLock.tryAcquire()).to.equal(null);
      expect(await mine.writeLock.tryAcquire()).to.equal(null);
      expect(await childrenOf(a, path)).to.have.length(1);
      // they downgrade: we may read along, not write
      const r = await w.downgrade();
      expect(await mine.writeLock.isLocked()).to.equal(false);
      expect(await mine.readLock.isLocked()).to.equal(true);
      expect(await mine.writeLock.tryAcquire()).to.equal(null);
      const myRead = await mine.readLock.tryAcquire();
      expect(myRead).to.not.equal(null);
      await r.release();
      await myRead!.release();
      expect(await mine.readLock.isLocked()).to.equal(false);
      // free: the write lock is ours, and its lease is a WriteLease
      const myWrite = await mine.writeLock.tryAcquire();
      expect(myWrite).to.not.equal(null);
      expect(await theirs.writeLock.isLocked()).to.equal(true);
      const down = await myWrite!.downgrade();
      await down.release();
      expect(await childrenOf(a, path)).to.deep.equal([]);
    });

    it('bad options reject with ValidationError before any request; an aborted signal rejects with its reason', async () => {
      const client = await newClient();
      const m = new Mutex(client, uniquePath('try-bad'));
      const before = opsSent(client);
      expect(await m.tryAcquire({ timeout: -1 }).catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
      expect(opsSent(client)).to.equal(before);
      const reason = new Error('aborted');
      expect(await m.tryAcquire({ signal: AbortSignal.abort(reason) }).catch((e: unknown) => e)).to.equal(reason);
    });
  });
});
