// A TCP proxy on loopback in front of one ZooKeeper server, to cut, stall and restore a
// client's connection on purpose. Only ever forwards to 127.0.0.1.
import { createServer, connect, type Server, type Socket } from 'node:net';

type Mode = 'open' | 'stalled' | 'refusing';

interface Pair { client: Socket; server: Socket }

export class TcpProxy {
  private mode: Mode = 'open';
  private readonly pairs = new Set<Pair>();

  private constructor(private readonly server: Server, readonly port: number, readonly targetPort: number) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const proxy = new TcpProxy(server, port, targetPort);
    server.on('connection', (sock) => proxy.accept(sock));
    return proxy;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  private accept(client: Socket): void {
    if (this.mode === 'refusing') {
      client.destroy();
      return;
    }
    const server = connect({ host: '127.0.0.1', port: this.targetPort });
    const pair = { client, server };
    this.pairs.add(pair);
    const drop = (): void => {
      client.destroy();
      server.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    server.on('error', drop).on('close', drop);
    client.on('data', (d) => { if (this.mode === 'open') server.write(d); });
    server.on('data', (d) => { if (this.mode === 'open') client.write(d); });
  }

  /** Drops every byte both ways but keeps the sockets open: the client sees silence. */
  stall(): void {
    this.mode = 'stalled';
  }

  /** Resets every connection and refuses new ones until restore(). */
  cut(): void {
    this.mode = 'refusing';
    for (const p of [...this.pairs]) {
      p.client.resetAndDestroy();
      p.server.destroy();
    }
    this.pairs.clear();
  }

  /** Forwards again. Stalled connections are reset (their byte stream has a gap now). */
  restore(): void {
    if (this.mode === 'stalled') {
      for (const p of [...this.pairs]) {
        p.client.resetAndDestroy();
        p.server.destroy();
      }
      this.pairs.clear();
    }
    this.mode = 'open';
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
