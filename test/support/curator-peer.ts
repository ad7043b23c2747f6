// Drives test/peer/CuratorPeer.java: a real Curator 5.4.0 client (Debian's jars) in its own
// JVM (test/support/java-peer.ts). Commands go over stdin, JSON replies come back.
import { sharedConnectString } from './harness.js';
import { startJavaPeer, type JavaPeerProcess } from './java-peer.js';

/**
 * Which Java peer to run: CuratorPeer.java, or another program in test/peer that speaks the
 * same line protocol (e.g. CuratorAuthPeer.java), with extra arguments after the connect string.
 */
export interface PeerProgram {
  readonly main: string;
  readonly args?: readonly string[];
}

export type PeerKind = 'mutex' | 'semaphore' | 'read' | 'write';
type Reply = { event: string; ref?: string; message?: string; nodes?: string[] };

/** One Curator client process. */
export class CuratorPeer {
  private readonly waiters = new Map<string, (r: Reply) => void>();
  private listWaiters: Array<(r: Reply) => void> = [];
  private proc!: JavaPeerProcess;

  private constructor() {}

  static async start(connectString: string, program: PeerProgram = { main: 'CuratorPeer' }): Promise<CuratorPeer> {
    const peer = new CuratorPeer();
    peer.proc = startJavaPeer<Reply>(program.main, [connectString, ...(program.args ?? [])], (r) => peer.onReply(r));
    await peer.expect('ready', '');
    return peer;
  }

  get pid(): number | undefined {
    return this.proc.child.pid;
  }

  private onReply(reply: Reply): void {
    if (reply.event === 'list') {
      this.listWaiters.shift()?.(reply);
      return;
    }
    const ref = reply.ref ?? '';
    const keys = reply.event === 'ready' ? ['ready:']
      : reply.event === 'released' ? [`release:${ref}`]
        : reply.event === 'error' ? [`acquire:${ref}`, `release:${ref}`]
          : [`acquire:${ref}`];
    for (const key of keys) {
      const w = this.waiters.get(key);
      if (w) {
        this.waiters.delete(key);
        w(reply);
        return;
      }
    }
  }

  private expect(kind: 'ready' | 'acquire' | 'release', ref: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const key = `${kind}:${ref}`;
      this.waiters.set(key, resolve);
      void this.proc.exited.then(() => {
        if (this.waiters.delete(key)) reject(new Error(`Curator peer exited: ${this.proc.stderr()}`));
      });
    });
  }

  private send(line: string): void {
    this.proc.child.stdin!.write(`${line}\n`);
  }

  /**
   * Asks Curator to acquire; resolves `true` when held, `false` on Curator's own timeout.
   * `timeoutMs` -1 waits forever. The promise settles when Curator answers.
   */
  async acquire(ref: string, kind: PeerKind, path: string, timeoutMs: number, maxLeases = 1): Promise<boolean> {
    const reply = this.expect('acquire', ref);
    this.send(`acquire ${ref} ${kind} ${path} ${timeoutMs} ${maxLeases}`);
    return this.outcome(await reply);
  }

  /** Acquires read or write on the same thread and lock instance as hold `outerRef`. */
  async nested(outerRef: string, ref: string, kind: 'read' | 'write', timeoutMs = -1): Promise<boolean> {
    const reply = this.expect('acquire', ref);
    this.send(`nested ${outerRef} ${ref} ${kind} ${timeoutMs}`);
    return this.outcome(await reply);
  }

  private outcome(r: Reply): boolean {
    if (r.event === 'acquired') return true;
    if (r.event === 'timeout') return false;
    throw new Error(`Curator peer error for ${r.ref}: ${r.message}`);
  }

  /** Releases hold `ref` on its own thread and waits for Curator to confirm. */
  async release(ref: string): Promise<void> {
    const reply = this.expect('release', ref);
    this.send(`release ${ref}`);
    const r = await reply;
    if (r.event !== 'released') throw new Error(`Curator peer release ${ref}: ${r.message}`);
  }

  /** Curator's getParticipantNodes for a mutex on `path`. */
  list(path: string): Promise<string[]> {
    return this.request(`list ${path}`);
  }

  /** Curator's getParticipantNodes of one half of a read-write lock on `path`. */
  listReadWrite(path: string, half: 'read' | 'write'): Promise<string[]> {
    return this.request(`listrw ${path} ${half}`);
  }

  /** Makes the peer log "enter/exit <ref> <kind>" lines to `file` around every hold. */
  async recordTo(file: string): Promise<void> {
    await this.request(`record ${file}`);
  }

  private async request(line: string): Promise<string[]> {
    const reply = new Promise<Reply>((res) => this.listWaiters.push(res));
    this.send(line);
    return (await reply).nodes ?? [];
  }

  /** Closes the Curator client (its session and nodes go) and ends the JVM. */
  stop(): Promise<void> {
    return this.proc.stop();
  }

  /** Kills the JVM at once (its session lingers until the server expires it). */
  async kill(): Promise<void> {
    this.proc.child.kill('SIGKILL');
    await this.proc.exited;
  }
}

/** A Curator peer for one mocha suite on the shared server: started before, stopped after. */
export function useCuratorPeer(): () => CuratorPeer {
  let peer: CuratorPeer | undefined;
  before(async function () {
    this.timeout(120_000);
    peer = await CuratorPeer.start(sharedConnectString());
  });
  after(async () => {
    await peer?.stop();
  });
  return () => {
    if (!peer) throw new Error('Curator peer not started');
    return peer;
  };
}
