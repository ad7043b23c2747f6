// A TCP proxy on loopback in front of one ZooKeeper server, to cut, stall and restore a
// client's connection on purpose, and to cut at an exact protocol moment: right after the
// server answered a given request (the reply is swallowed), or when a given request is sent
// (it never reaches the server). Only ever forwards to 127.0.0.1.
import { createServer, connect, type Server, type Socket } from 'node:net';

type Mode = 'open' | 'stalled' | 'refusing';

/** ZooKeeper request types (OpCode) the tests cut on. */
export const ZkOp = { CREATE: 1, DELETE: 2, GET_DATA: 4, GET_CHILDREN: 8, PING: 11, GET_CHILDREN2: 12, CREATE2: 15, CREATE_CONTAINER: 19 } as const;

/** Replies held back by {@link TcpProxy.holdReplies}; requests keep flowing to the server. */
export interface ReplyHold {
  /** Op codes of the requests the client sent since the hold began (pings included). */
  readonly requests: number[];
  /**
   * Resolves once `n` requests other than pings were sent while no reply reached the client;
   * rejects after `timeoutMs` with the ones that were.
   */
  untilRequests(n: number, timeoutMs?: number): Promise<number[]>;
  /** Delivers the held replies in order and stops holding. */
  release(): void;
}

interface Trigger {
  kind: 'after-reply' | 'drop-request';
  ops: number[];
  reopen: boolean;
  fire: () => void;
}

interface Pair {
  client: Socket;
  server: Socket;
  /** Replies held back while a ReplyHold is active. */
  heldReplies?: Buffer[];
  /** xid of a request whose reply we are waiting to swallow. */
  awaitedXid?: number;
}

/** Splits a byte stream into ZooKeeper frames (4-byte big-endian length + payload). */
class FrameSplitter {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    while (this.buf.length >= 4) {
      const len = this.buf.readInt32BE(0);
      if (this.buf.length < 4 + len) break;
      frames.push(this.buf.subarray(0, 4 + len));
      this.buf = this.buf.subarray(4 + len);
    }
    return frames;
  }
}

export class TcpProxy {
  private mode: Mode = 'open';
  private readonly pairs = new Set<Pair>();
  private trigger: Trigger | undefined;
  private hold: { requests: number[]; changed: () => void } | undefined;

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
    const pair: Pair = { client, server };
    this.pairs.add(pair);
    const drop = (): void => {
      client.destroy();
      server.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    server.on('error', drop).on('close', drop);
    // The first frame each way is the session handshake; requests and replies follow.
    const up = new FrameSplitter();
    const down = new FrameSplitter();
    let upHandshake = true;
    let downHandshake = true;
    client.on('data', (chunk: Buffer) => {
      for (const frame of up.push(chunk)) {
        if (this.mode !== 'open' || !this.pairs.has(pair)) return;
        if (upHandshake) {
          upHandshake = false;
        } else if (frame.length >= 12 && this.onRequest(pair, frame.readInt32BE(4), frame.readInt32BE(8))) {
          return; // dropped, connection cut
        } else if (frame.length >= 12 && this.hold) {
          this.hold.requests.push(frame.readInt32BE(8));
          this.hold.changed();
        }
        server.write(frame);
      }
    });
    server.on('data', (chunk: Buffer) => {
      for (const frame of down.push(chunk)) {
        if (this.mode !== 'open' || !this.pairs.has(pair)) return;
        if (downHandshake) {
          downHandshake = false;
        } else if (frame.length >= 8 && pair.awaitedXid !== undefined && frame.readInt32BE(4) === pair.awaitedXid) {
          this.fire(); // the server applied it; the client never hears
          return;
        }
        if (pair.heldReplies) {
          pair.heldReplies.push(frame);
          return;
        }
        client.write(frame);
      }
    });
  }

  /** True when the request must not be forwarded. */
  private onRequest(pair: Pair, xid: number, op: number): boolean {
    const t = this.trigger;
    if (!t || !t.ops.includes(op)) return false;
    if (t.kind === 'drop-request') {
      this.fire();
      return true;
    }
    pair.awaitedXid = xid;
    return false;
  }

  private fire(): void {
    const t = this.trigger;
    if (!t) return;
    this.trigger = undefined;
    this.cut();
    if (t.reopen) this.mode = 'open';
    t.fire();
  }

  private arm(kind: Trigger['kind'], ops: number[], reopen: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.trigger = { kind, ops, reopen, fire: resolve };
    });
  }

  /**
   * Once the server replies to the next request of one of `ops`, swallows the reply and cuts
   * every connection: the request was applied but the client never learns the outcome.
   * With `reopen` new connections are accepted at once; otherwise only after restore().
   * Resolves when it happened.
   */
  cutAfterReply(ops: number[], opts: { reopen: boolean }): Promise<void> {
    return this.arm('after-reply', ops, opts.reopen);
  }

  /** Cuts every connection when the client sends a request of one of `ops` (not forwarded). */
  dropRequest(ops: number[], opts: { reopen: boolean }): Promise<void> {
    return this.arm('drop-request', ops, opts.reopen);
  }

  /**
   * Holds back every reply from the server (requests still reach it), to see what a client
   * sends before it hears anything: the test of request pipelining.
   */
  holdReplies(): ReplyHold {
    for (const p of this.pairs) p.heldReplies ??= [];
    const listeners = new Set<() => void>();
    const state = { requests: [] as number[], changed: () => { for (const l of [...listeners]) l(); } };
    this.hold = state;
    return {
      requests: state.requests,
      untilRequests: (n, timeoutMs = 5_000) => new Promise((resolve, reject) => {
        const ops = (): number[] => state.requests.filter((op) => op !== ZkOp.PING);
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`only ${ops().length} requests (ops ${ops().join(', ')}) before any reply, expected ${n}`));
        }, timeoutMs);
        const check = (): void => {
          if (ops().length < n) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(ops());
        };
        listeners.add(check);
        check();
      }),
      release: () => {
        if (this.hold === state) this.hold = undefined;
        for (const p of this.pairs) {
          const held = p.heldReplies ?? [];
          p.heldReplies = undefined;
          for (const frame of held) p.client.write(frame);
        }
      },
    };
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
    this.trigger = undefined;
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
