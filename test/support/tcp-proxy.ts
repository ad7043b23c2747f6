// A TCP proxy on loopback in front of one ZooKeeper server, to cut, reset, stall and restore a
// client's connection on purpose, and to cut at an exact protocol moment: right after the
// server answered a given request (the reply is swallowed), or when a given request is sent
// (it never reaches the server). Only ever forwards to 127.0.0.1.
import { createServer, connect, type Server, type Socket } from 'node:net';

type Mode = 'open' | 'stalled' | 'refusing';

/** ZooKeeper request types (OpCode) the tests cut on. */
export const ZkOp = { CREATE: 1, DELETE: 2, GET_DATA: 4, SET_DATA: 5, GET_CHILDREN: 8, PING: 11, GET_CHILDREN2: 12, CREATE2: 15, MULTI: 14, CREATE_CONTAINER: 19 } as const;

/**
 * The requests that create a lock node: a plain create, or a lock's first create, which goes in
 * a multi with the check of its rights on the lock path (lib/locks/engine/lock-rights.ts).
 */
export const LOCK_CREATE_OPS: readonly number[] = [ZkOp.CREATE, ZkOp.CREATE2, ZkOp.MULTI];

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
  ops: readonly number[];
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

/**
 * Largest frame length the proxy passes on: the client's own reply limit (16 MiB), far above
 * any request (jute.maxbuffer, 1 MiB by default). A larger or negative length means the stream
 * is not ZooKeeper's (or the proxy lost its place in it): the pair is dropped, never buffered for.
 */
export const MAX_PROXIED_FRAME = 16 * 1024 * 1024;

/** A byte stream through the proxy that is not a sequence of ZooKeeper frames. */
export class MalformedStreamError extends Error {
  override readonly name = 'MalformedStreamError';
}

/** Splits a byte stream into ZooKeeper frames (4-byte big-endian length + payload). */
export class FrameSplitter {
  private buf: Buffer = Buffer.alloc(0);

  /** @param direction for messages: "client -> server" or "server -> client". */
  constructor(private readonly direction: string) {}

  /** The complete frames `chunk` finishes. @throws MalformedStreamError for a length out of range */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    while (this.buf.length >= 4) {
      const len = this.buf.readInt32BE(0);
      if (len < 0 || len > MAX_PROXIED_FRAME) {
        const head = this.buf.subarray(0, 16).toString('hex');
        throw new MalformedStreamError(`TcpProxy: malformed ${this.direction} stream: frame length ${len} ` +
          `(allowed 0..${MAX_PROXIED_FRAME}); next bytes ${head}`);
      }
      if (this.buf.length < 4 + len) break;
      frames.push(this.buf.subarray(0, 4 + len));
      this.buf = this.buf.subarray(4 + len);
    }
    return frames;
  }
}

/** Every proxy started and not yet closed, so the root hooks can fail the test that ran one into trouble. */
const openProxies = new Set<TcpProxy>();

export class TcpProxy {
  private mode: Mode = 'open';
  private readonly pairs = new Set<Pair>();
  private trigger: Trigger | undefined;
  private hold: { requests: number[]; changed: () => void } | undefined;
  /** A hold that begins with the next request of one of these ops (holdRepliesFrom). */
  private holdFrom: { ops: readonly number[]; begin: (pair: Pair) => void } | undefined;
  /** Whether the hold lets watch events through (only replies held). */
  private passEvents = false;
  /** Malformed streams seen (each one's pair was dropped); not yet thrown by close() or a check. */
  private unreported: MalformedStreamError[] = [];
  /** Every malformed stream this proxy saw. */
  readonly failures: MalformedStreamError[] = [];
  private readonly failureListeners = new Set<(err: MalformedStreamError) => void>();

  /**
   * Throws (and forgets) the malformed streams every open proxy saw since the last check: the
   * root hooks run this after each test, so a test fails loudly even if it never closes its proxy.
   */
  static checkAll(): void {
    const errors = [...openProxies].flatMap((p) => p.takeUnreported());
    if (errors.length > 0) throw failureOf(errors);
  }

  /** Rejects as soon as a stream through this proxy is malformed (to race a wait against). */
  untilFailure(): Promise<never> {
    return new Promise((_resolve, reject) => {
      const [first] = this.failures;
      if (first) reject(first);
      else this.failureListeners.add(reject);
    });
  }

  private takeUnreported(): MalformedStreamError[] {
    return this.unreported.splice(0);
  }

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
    openProxies.add(proxy);
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
    // ZooKeeper's clients and servers turn Nagle's algorithm off; the proxy must not add it back
    // (a small frame held for the peer's delayed ACK costs some 40 ms a client would not pay).
    client.setNoDelay(true);
    server.setNoDelay(true);
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
    const up = new FrameSplitter('client -> server');
    const down = new FrameSplitter('server -> client');
    let upHandshake = true;
    let downHandshake = true;
    /** The frames a chunk completes; a malformed stream drops this pair and is reported. */
    const split = (splitter: FrameSplitter, chunk: Buffer): Buffer[] => {
      try {
        return splitter.push(chunk);
      } catch (err) {
        if (!(err instanceof MalformedStreamError)) throw err;
        client.resetAndDestroy();
        drop();
        this.failed(err);
        return [];
      }
    };
    client.on('data', (chunk: Buffer) => {
      for (const frame of split(up, chunk)) {
        if (this.mode !== 'open' || !this.pairs.has(pair)) return;
        const handshake = upHandshake;
        if (handshake) {
          upHandshake = false;
        } else if (frame.length >= 12 && this.onRequest(pair, frame.readInt32BE(4), frame.readInt32BE(8))) {
          return; // dropped, connection cut
        }
        if (!handshake && frame.length >= 12) {
          const op = frame.readInt32BE(8);
          if (this.holdFrom?.ops.includes(op)) this.holdFrom.begin(pair); // this request's reply is the first one held
          if (this.hold) {
            this.hold.requests.push(op);
            this.hold.changed();
          }
        }
        server.write(frame);
      }
    });
    server.on('data', (chunk: Buffer) => {
      for (const frame of split(down, chunk)) {
        if (this.mode !== 'open' || !this.pairs.has(pair)) return;
        if (downHandshake) {
          downHandshake = false;
        } else if (frame.length >= 8 && pair.awaitedXid !== undefined && frame.readInt32BE(4) === pair.awaitedXid) {
          this.fire(); // the server applied it; the client never hears
          return;
        }
        // A watch event (xid -1) passes a hold that lets events through.
        if (pair.heldReplies && !(this.passEvents && frame.length >= 8 && frame.readInt32BE(4) === -1)) {
          pair.heldReplies.push(frame);
          return;
        }
        client.write(frame);
      }
    });
  }

  private failed(err: MalformedStreamError): void {
    this.failures.push(err);
    this.unreported.push(err);
    for (const l of [...this.failureListeners]) l(err);
    this.failureListeners.clear();
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

  private arm(kind: Trigger['kind'], ops: readonly number[], reopen: boolean): Promise<void> {
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
  cutAfterReply(ops: readonly number[], opts: { reopen: boolean }): Promise<void> {
    return this.arm('after-reply', ops, opts.reopen);
  }

  /** Cuts every connection when the client sends a request of one of `ops` (not forwarded). */
  dropRequest(ops: readonly number[], opts: { reopen: boolean }): Promise<void> {
    return this.arm('drop-request', ops, opts.reopen);
  }

  /**
   * Holds back every reply from the server (requests still reach it), to see what a client
   * sends before it hears anything: the test of request pipelining. With `passEvents`, watch
   * events still reach the client: what it sends when a watch fires, before any answer.
   */
  holdReplies(options: { passEvents?: boolean } = {}): ReplyHold {
    this.passEvents = options.passEvents ?? false;
    for (const p of this.pairs) p.heldReplies ??= [];
    return this.replyHold();
  }

  /**
   * Like {@link holdReplies}, but the hold begins with the next request of one of `ops` (e.g. a
   * lock node's create): the replies before it pass, that request's reply and every later one
   * are held. `requests` counts from that request on.
   */
  holdRepliesFrom(ops: readonly number[]): ReplyHold {
    this.passEvents = false;
    const hold = this.replyHold(false);
    this.holdFrom = {
      ops,
      begin: (pair) => {
        this.holdFrom = undefined;
        pair.heldReplies ??= [];
        hold.start();
      },
    };
    return hold.api;
  }

  private replyHold(): ReplyHold;
  private replyHold(startNow: false): { api: ReplyHold; start: () => void };
  private replyHold(startNow = true): ReplyHold | { api: ReplyHold; start: () => void } {
    const listeners = new Set<() => void>();
    const state = { requests: [] as number[], changed: () => { for (const l of [...listeners]) l(); } };
    if (startNow) this.hold = state;
    const api = this.replyHoldApi(state, listeners);
    return startNow ? api : { api, start: () => { this.hold = state; } };
  }

  private replyHoldApi(state: { requests: number[]; changed: () => void }, listeners: Set<() => void>): ReplyHold {
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
        this.holdFrom = undefined;
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

  /**
   * Resets every open connection right now (an RST to the client and to the server, unread
   * bytes discarded) and keeps accepting: the client can reconnect at once. Returns how many
   * connections it reset.
   */
  reset(): number {
    const pairs = [...this.pairs];
    this.pairs.clear();
    for (const p of pairs) {
      p.client.resetAndDestroy();
      p.server.resetAndDestroy();
    }
    return pairs.length;
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

  /**
   * Stops the proxy. Rejects with the malformed streams it saw (each one's pair was dropped at
   * once) that no check has reported yet, so the test that closes it fails.
   */
  async close(): Promise<void> {
    this.trigger = undefined;
    this.cut();
    openProxies.delete(this);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const errors = this.takeUnreported();
    if (errors.length > 0) throw failureOf(errors);
  }
}

function failureOf(errors: MalformedStreamError[]): Error {
  return errors.length === 1 ? errors[0]! : new AggregateError(errors, errors.map((e) => e.message).join('; '));
}
