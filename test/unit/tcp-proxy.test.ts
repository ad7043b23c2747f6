// The test rig's TCP proxy fed streams that are not ZooKeeper frames: a negative or absurd
// length must drop that connection pair and fail the test loudly, never loop or buffer forever.
import { expect } from 'chai';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { FrameSplitter, MalformedStreamError, MAX_PROXIED_FRAME, TcpProxy } from '../support/tcp-proxy.js';

function frame(payload: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(payload.length);
  return Buffer.concat([len, payload]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** A loopback server that records what it receives and lets the test write back. */
class FakeServer {
  readonly sockets: Socket[] = [];
  received = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();

  private constructor(readonly server: Server) {}

  static async start(): Promise<FakeServer> {
    const fake: FakeServer = new FakeServer(createServer((s) => {
      fake.sockets.push(s);
      s.on('error', () => undefined);
      s.on('data', (d: Buffer) => { fake.received = Buffer.concat([fake.received, d]); fake.notify(); });
      fake.notify();
    }));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once `check()` holds (checked on every connection and every byte received). */
  until(check: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const w = (): void => {
        if (!check()) return;
        this.waiters.delete(w);
        resolve();
      };
      this.waiters.add(w);
      w();
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function clientOf(proxy: TcpProxy): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port: proxy.port });
  socket.on('error', () => undefined); // a reset from the proxy is what we expect
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return socket;
}

function closed(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

describe('test rig: TcpProxy with a malformed stream', function () {
  this.timeout(10_000);
  let fake: FakeServer;
  let proxy: TcpProxy | undefined;

  beforeEach(async () => {
    fake = await FakeServer.start();
  });

  afterEach(async () => {
    await proxy?.close().catch(() => undefined); // each test checks close() itself where it matters
    proxy = undefined;
    await fake.close();
  });

  it('FrameSplitter: frames split across chunks; a negative or huge length throws as soon as its 4 bytes arrive', async () => {
    const splitter = new FrameSplitter('client -> server');
    const stream = Buffer.concat([frame(Buffer.from('hello')), frame(Buffer.alloc(0)), frame(Buffer.from('x'))]);
    const frames = [...stream].flatMap((byte) => splitter.push(Buffer.from([byte])));
    expect(frames.map((f) => f.subarray(4).toString())).to.deep.equal(['hello', '', 'x']);
    // In a worker with a deadline: a splitter that loops on a bad length (as it once did on -4)
    // must fail this test, not hang the run.
    const worker = new Worker(`
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(new URL('../support/tcp-proxy.js', import.meta.url).href)}).then(({ FrameSplitter }) => {
        for (const len of [-1, -4, -2147483648, ${MAX_PROXIED_FRAME + 1}, 2147483647]) {
          const b = Buffer.alloc(4);
          b.writeInt32BE(len);
          try {
            new FrameSplitter('server -> client').push(b);
            parentPort.postMessage({ len, outcome: 'accepted' });
          } catch (err) {
            parentPort.postMessage({ len, outcome: err.name + ': ' + err.message });
          }
        }
        parentPort.postMessage('done');
      });
    `, { eval: true });
    const outcomes: Array<{ len: number; outcome: string }> = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`FrameSplitter hung after ${JSON.stringify(outcomes)}`)), 5_000);
        worker.on('message', (m: 'done' | { len: number; outcome: string }) => {
          if (m !== 'done') return void outcomes.push(m);
          clearTimeout(timer);
          resolve();
        });
        worker.once('error', (err) => { clearTimeout(timer); reject(err); });
      });
    } finally {
      await worker.terminate();
    }
    expect(outcomes.map((o) => o.len)).to.deep.equal([-1, -4, -2_147_483_648, MAX_PROXIED_FRAME + 1, 2_147_483_647]);
    for (const { len, outcome } of outcomes) {
      expect(outcome).to.match(new RegExp(`^MalformedStreamError: TcpProxy: malformed server -> client stream: frame length ${len} `));
    }
    // a frame of the largest allowed length is waited for, not refused
    expect(new FrameSplitter('x').push(int32(MAX_PROXIED_FRAME))).to.deep.equal([]);
  });

  it('a negative length from the client: the pair is dropped at once, the failure reported, close() rejects', async () => {
    proxy = await TcpProxy.start(fake.port);
    const failure = proxy.untilFailure();
    failure.catch(() => undefined);
    const client = await clientOf(proxy);
    client.write(Buffer.concat([int32(-5), Buffer.from('garbage after a bad length')]));
    await closed(client);
    const err = await failure.then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(MalformedStreamError);
    expect((err as Error).message).to.match(/^TcpProxy: malformed client -> server stream: frame length -5 \(allowed 0\.\.16777216\); next bytes fffffffb/);
    await fake.until(() => fake.sockets.length === 1 && fake.sockets[0]!.closed);
    expect(fake.received.length).to.equal(0); // nothing of it was forwarded
    expect(proxy.failures).to.have.length(1);
    const closing = await proxy.close().then(() => undefined, (e: unknown) => e);
    expect(closing).to.equal(err);
    proxy = undefined;
  });

  it('a huge length from the server: the pair is dropped (nothing buffered for it); other pairs keep working', async () => {
    proxy = await TcpProxy.start(fake.port);
    const healthy = await clientOf(proxy);
    await fake.until(() => fake.sockets.length === 1);
    const victim = await clientOf(proxy);
    await fake.until(() => fake.sockets.length === 2);
    const [healthyUpstream, victimUpstream] = fake.sockets as [Socket, Socket];
    // handshakes both ways pass through
    victim.write(frame(Buffer.from('handshake')));
    victimUpstream.write(frame(Buffer.from('welcome')));
    const welcome = await new Promise<Buffer>((resolve) => victim.once('data', resolve));
    expect(welcome.subarray(4).toString()).to.equal('welcome');
    // then the server claims a 2 GiB frame and keeps sending
    victimUpstream.write(Buffer.concat([int32(0x7fff_ffff), Buffer.alloc(64 * 1024)]));
    await closed(victim);
    await fake.until(() => victimUpstream.closed);
    expect(proxy.failures.map((e) => e.message)).to.deep.equal([
      `TcpProxy: malformed server -> client stream: frame length 2147483647 (allowed 0..${MAX_PROXIED_FRAME}); next bytes 7fffffff000000000000000000000000`,
    ]);
    // the other pair still forwards both ways
    const before = fake.received.length;
    healthy.write(frame(Buffer.from('still here')));
    await fake.until(() => fake.received.length >= before + 14);
    healthyUpstream.write(frame(Buffer.from('me too')));
    const reply = await new Promise<Buffer>((resolve) => healthy.once('data', resolve));
    expect(reply.subarray(4).toString()).to.equal('me too');
    expect(await proxy.close().then(() => 'closed', (e: unknown) => e)).to.be.instanceOf(MalformedStreamError);
    proxy = undefined;
    healthy.destroy();
  });

  it('TcpProxy.checkAll() (run after every test by the root hooks) throws a failure of a proxy still open, once', async () => {
    proxy = await TcpProxy.start(fake.port);
    const client = await clientOf(proxy);
    client.write(int32(-1));
    await closed(client);
    await fake.until(() => fake.sockets.length === 1 && fake.sockets[0]!.closed);
    expect(() => TcpProxy.checkAll()).to.throw(MalformedStreamError, 'frame length -1');
    expect(() => TcpProxy.checkAll()).to.not.throw();
    await proxy.close(); // already reported: closes cleanly
    proxy = undefined;
  });
});
