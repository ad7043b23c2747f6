// Drives test/peer/CuratorLeaderPeer.java: real Curator 5.4.0 LeaderLatch and LeaderSelector
// members (Debian's jars) in one JVM, each with a client and session of its own. Commands go
// over stdin; replies and leadership events come back as JSON lines (java-peer.ts).
import { expect } from 'chai';
import { startJavaPeer, type JavaPeerProcess } from './java-peer.js';

interface Reply {
  event: string;
  ref?: string;
  message?: string;
  list?: Array<{ id: string; isLeader: boolean }>;
}

/** One Curator election member as the peer reports it. */
export interface CuratorParticipant {
  readonly id: string;
  readonly isLeader: boolean;
}

/** A JVM running Curator election members. */
export class CuratorLeaderPeer {
  private proc!: JavaPeerProcess;
  /** Replies not yet taken, by `<event>:<ref>`. */
  private readonly inbox = new Map<string, Reply[]>();
  private readonly waiters = new Map<string, Array<(r: Reply) => void>>();
  private readonly errors: Reply[] = [];

  private constructor() {}

  /** Starts the JVM (compiling the peer on first use) and waits for it to be ready. */
  static async start(): Promise<CuratorLeaderPeer> {
    const peer = new CuratorLeaderPeer();
    peer.proc = startJavaPeer<Reply>('CuratorLeaderPeer', [], (r) => peer.onReply(r));
    await peer.next('ready', '', 60_000);
    return peer;
  }

  private onReply(reply: Reply): void {
    if (reply.event === 'error') this.errors.push(reply);
    const key = `${reply.event}:${reply.ref ?? ''}`;
    const waiter = this.waiters.get(key)?.shift();
    if (waiter) {
      waiter(reply);
      return;
    }
    const queue = this.inbox.get(key) ?? [];
    queue.push(reply);
    this.inbox.set(key, queue);
  }

  /** Errors the peer reported so far (a test asserts there were none). */
  get reportedErrors(): readonly Reply[] {
    return this.errors;
  }

  /**
   * The next `event` reply for member `ref` (one already received first). Rejects after
   * `timeoutMs`, with what the JVM printed on stderr, or when the JVM exits.
   */
  next(event: string, ref: string, timeoutMs = 30_000): Promise<Reply> {
    const key = `${event}:${ref}`;
    const queued = this.inbox.get(key)?.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(key) ?? [];
      this.waiters.set(key, list);
      const done = (r: Reply): void => {
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        list.splice(list.indexOf(done), 1);
        reject(new Error(`Curator peer: no ${event} for ${ref || 'the peer'} within ${timeoutMs} ms; errors: ${JSON.stringify(this.errors)}; stderr: ${this.proc.stderr().slice(-2000)}`));
      }, timeoutMs);
      list.push(done);
      void this.proc.exited.then(() => {
        if (list.includes(done)) reject(new Error(`Curator peer exited: ${this.proc.stderr().slice(-2000)}`));
      });
    });
  }

  /** True when an `event` for `ref` has arrived and not been taken. */
  has(event: string, ref: string): boolean {
    return (this.inbox.get(`${event}:${ref}`)?.length ?? 0) > 0;
  }

  private send(line: string): void {
    this.proc.child.stdin!.write(`${line}\n`);
  }

  /** Starts a Curator LeaderLatch member `ref` on a client of its own. */
  async latch(ref: string, connect: string, sessionMs: number, path: string, id: string): Promise<void> {
    const started = this.next('started', ref);
    this.send(`latch ${ref} ${connect} ${sessionMs} ${path} ${id}`);
    await started;
  }

  /** Starts a Curator LeaderSelector member `ref`; its takeLeadership lasts until {@link yieldLeadership} or an interrupt. */
  async selector(ref: string, connect: string, sessionMs: number, path: string, id: string): Promise<void> {
    const started = this.next('started', ref);
    this.send(`selector ${ref} ${connect} ${sessionMs} ${path} ${id}`);
    await started;
  }

  /** Makes selector `ref`'s takeLeadership return. */
  yieldLeadership(ref: string): void {
    this.send(`yield ${ref}`);
  }

  /** Closes member `ref` and its client. */
  async close(ref: string): Promise<void> {
    const closed = this.next('closed', ref);
    this.send(`close ${ref}`);
    await closed;
  }

  /** Curator's getParticipants() of member `ref`'s recipe. */
  async participants(ref: string): Promise<CuratorParticipant[]> {
    const reply = this.next('participants', ref);
    this.send(`participants ${ref}`);
    return (await reply).list ?? [];
  }

  /** Makes the members log "<nanoTime> enter <ref> [czxid]" / "<nanoTime> exit <ref>" lines to `file`. */
  async recordTo(file: string): Promise<void> {
    const reply = this.next('list', '');
    this.send(`record ${file}`);
    await reply;
  }

  /** The JVM's pid. */
  get pid(): number | undefined {
    return this.proc.child.pid;
  }

  /** Closes every member and ends the JVM. */
  stop(): Promise<void> {
    return this.proc.stop();
  }
}

/**
 * A Curator leader peer for one mocha suite on the shared server: started before, stopped
 * after; every test ends with no error reported by the peer's members.
 */
export function useCuratorLeaderPeer(): () => CuratorLeaderPeer {
  let peer: CuratorLeaderPeer | undefined;
  before(async function () {
    this.timeout(120_000);
    peer = await CuratorLeaderPeer.start();
  });
  after(async () => {
    await peer?.stop();
  });
  afterEach(() => {
    expect(peer?.reportedErrors ?? []).to.deep.equal([]);
  });
  return () => {
    if (!peer) throw new Error('Curator leader peer not started');
    return peer;
  };
}
