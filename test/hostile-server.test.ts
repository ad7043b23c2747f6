// Whatever a server sends, the client must stay inside its error path: a hostile stand-in
// server on loopback accepts the handshake, then answers with random or malformed frames.
// The session must drop that connection (requests in flight fail with CONNECTIONLOSS), try
// again, and never throw into the process. Real servers are covered everywhere else; this one
// exists only because no real server sends garbage on demand.
import { createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import { ConnectionLossError } from '../lib/index.js';
import { JuteWriter } from '../lib/zookeeper/jute.js';
import { ZooKeeperSession } from '../lib/zookeeper/session.js';

/** Resolves when the session is connected (at once if it is), or fails after `timeoutMs`. */
function untilConnected(session: ZooKeeperSession, timeoutMs: number): Promise<void> {
  if (session.state === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { session.off('state', onState); reject(new Error(`not connected within ${timeoutMs} ms`)); }, timeoutMs);
    const onState = (state: string): void => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      session.off('state', onState);
      resolve();
    };
    session.on('state', onState);
  });
}

/** A frame: 4-byte length + payload. */
function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(payload.length);
  return Buffer.concat([head, payload]);
}

function connectResponse(): Buffer {
  const w = new JuteWriter();
  w.int(0).int(6000).long(0x42n).buffer(Buffer.alloc(16, 1)).bool(false);
  return frame(w.toBuffer());
}

/** Replies that are wrong in every way a reply can be. */
function garbage(rand: (n: number) => number, xid: number): Buffer {
  const header = (x: number, err = 0): JuteWriter => new JuteWriter().int(x).long(BigInt(rand(1000))).int(err);
  switch (rand(7)) {
    case 0: return Buffer.from(Array.from({ length: 1 + rand(40) }, () => rand(256))); // raw noise
    case 1: return frame(header(xid + 1 + rand(5)).toBuffer()); // reply to a request never made
    case 2: return frame(header(xid).int(0x7fffffff).toBuffer()); // a vector count far beyond the frame
    case 3: return Buffer.from('fffffff0', 'hex'); // negative frame length
    case 4: return Buffer.from('7ffffff0', 'hex'); // absurd frame length
    case 5: return frame(header(-1).int(rand(10)).int(3).int(0x7fffffff).toBuffer()); // watch event with a lying path length
    default: return frame(header(xid).toBuffer().subarray(0, rand(16))); // truncated header
  }
}

describe('client against a hostile server (garbage after the handshake)', function () {
  this.timeout(60_000);
  let server: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  let connections = 0;
  let seed = 0x9e3779b9;
  const rand = (n: number): number => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % n;
  };

  before(async () => {
    server = createServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
      let handshaken = false;
      let xid = 0;
      socket.on('data', (chunk) => {
        if (!handshaken) {
          handshaken = true;
          socket.write(connectResponse());
          return;
        }
        // Requests start after the 4-byte length: xid, type. Answer the first one with garbage.
        if (chunk.length >= 8) xid = chunk.readInt32BE(4);
        socket.write(garbage(rand, xid));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('drops each poisoned connection, fails its requests with CONNECTIONLOSS, and reconnects: 150 connections', async () => {
    const session = new ZooKeeperSession({ hosts: [{ host: '127.0.0.1', port }], chroot: '', sessionTimeout: 6000 });
    const outcomes = { ok: 0, connectionLoss: 0, other: [] as string[] };
    try {
      while (connections < 150) {
        await untilConnected(session, 5_000);
        try {
          await session.getData('/x');
          outcomes.ok++;
        } catch (err) {
          if (err instanceof ConnectionLossError) outcomes.connectionLoss++;
          else outcomes.other.push(String(err));
        }
      }
    } finally {
      await session.close();
    }
    expect(outcomes.other, 'errors other than CONNECTIONLOSS').to.deep.equal([]);
    expect(outcomes.connectionLoss).to.be.greaterThan(100);
    expect(session.state).to.equal('closed');
  });
});
