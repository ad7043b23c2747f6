// A server that accepts a connection and never answers the session handshake (ZooKeeper 3.8
// does this to a connection that arrives while it starts up: "ZooKeeperServer not running",
// then a NullPointerException in its close leaves the socket open). A lone server must not cost
// the client its session: the attempt is given up in time to try again within the timeout.
import { expect } from 'chai';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { Mutex, type ConnectionState } from '../lib/index.js';
import { newClient, sharedServerPort, uniquePath } from './support/harness.js';

describe('a connection accepted but never answered (the server starting up)', function () {
  this.timeout(30_000);
  let server: Server;
  const sockets = new Set<Socket>();
  /** When set, the next connection is accepted and then ignored (never answered, never closed). */
  let swallowNext: (() => void) | undefined;

  before(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      const swallow = swallowNext;
      swallowNext = undefined;
      if (swallow) {
        socket.resume(); // read and drop the handshake
        swallow();
        return;
      }
      const upstream = netConnect(sharedServerPort(), '127.0.0.1');
      sockets.add(upstream);
      upstream.on('close', () => { sockets.delete(upstream); socket.destroy(); });
      upstream.on('error', () => undefined);
      socket.on('close', () => upstream.destroy());
      socket.pipe(upstream).pipe(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('the client gives that attempt up after a third of the session timeout and resumes its session on the next; the lock is kept', async () => {
    const port = (server.address() as { port: number }).port;
    const client = await newClient({ connectString: `127.0.0.1:${port}`, sessionTimeout: 9_000, lossPolicy: 'lost' });
    const states: ConnectionState[] = [];
    client.on('state', (s) => states.push(s));
    const path = uniquePath('silent-handshake');
    const lease = await new Mutex(client, path).acquire({ timeout: 5_000 });
    const swallowed = new Promise<void>((resolve) => { swallowNext = resolve; });
    for (const s of [...sockets]) s.destroy(); // the connection drops; the reconnect meets the silent one
    await swallowed;
    const started = performance.now();
    await lease.untilSafe();
    const waited = performance.now() - started;
    expect(states).to.deep.equal(['SUSPENDED', 'RECONNECTED']);
    expect(client.sessionGeneration).to.equal(0);
    expect(lease.status).to.equal('held');
    expect(waited).to.be.below(client.negotiatedSessionTimeout); // about a third of it
    await lease.release();
  });
});
