// Drives test/peer/CuratorRevokePeer.java: a real Curator 5.4.0 client that holds revocable
// InterProcessMutexes (makeRevocable) and revokes with Revoker.attemptRevoke, in its own JVM.
import { startJavaPeer, type JavaPeerProcess } from './java-peer.js';

export interface RevokePeerReply {
  event: 'ready' | 'acquired' | 'timeout' | 'revoke-requested' | 'released' | 'revoked' | 'error';
  ref?: string;
  node?: string;
  message?: string;
}

/** One Curator client process for revocation. */
export class CuratorRevokePeer {
  /** Replies not yet taken by next(), in arrival order. */
  private readonly inbox: RevokePeerReply[] = [];
  private readonly waiters: Array<{ match: (r: RevokePeerReply) => boolean; resolve: (r: RevokePeerReply) => void; reject: (e: Error) => void }> = [];
  private proc!: JavaPeerProcess;

  private constructor() {}

  static async start(connectString: string): Promise<CuratorRevokePeer> {
    const peer = new CuratorRevokePeer();
    peer.proc = startJavaPeer<RevokePeerReply>('CuratorRevokePeer', [connectString], (r) => peer.onReply(r));
    void peer.proc.exited.then(() => {
      for (const w of peer.waiters.splice(0)) w.reject(new Error(`Curator revoke peer exited: ${peer.proc.stderr()}`));
    });
    await peer.next('ready');
    return peer;
  }

  private onReply(reply: RevokePeerReply): void {
    const at = this.waiters.findIndex((w) => w.match(reply));
    if (at >= 0) this.waiters.splice(at, 1)[0]!.resolve(reply);
    else this.inbox.push(reply);
  }

  /**
   * The next reply that is one of `events` (for `ref`), or an error for `ref`: one already
   * received, or the next to come.
   */
  next(events: RevokePeerReply['event'] | Array<RevokePeerReply['event']>, ref?: string): Promise<RevokePeerReply> {
    const wanted = Array.isArray(events) ? events : [events];
    const match = (r: RevokePeerReply): boolean => (wanted.includes(r.event) || r.event === 'error') && (ref === undefined || r.ref === ref);
    const at = this.inbox.findIndex(match);
    if (at >= 0) return Promise.resolve(this.inbox.splice(at, 1)[0]!);
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  /** Replies received and not taken, e.g. to check that no revoke-requested came. */
  pending(event: RevokePeerReply['event'], ref: string): number {
    return this.inbox.filter((r) => r.event === event && r.ref === ref).length;
  }

  private send(line: string): void {
    this.proc.child.stdin!.write(`${line}\n`);
  }

  /**
   * A revocable InterProcessMutex on `path`; resolves its node path once held, undefined on
   * Curator's timeout. `onRevoke`: what its RevocationListener does besides reporting.
   */
  async acquire(ref: string, path: string, timeoutMs: number, onRevoke: 'keep' | 'release'): Promise<string | undefined> {
    const reply = this.next(['acquired', 'timeout'], ref);
    this.send(`acquire ${ref} ${path} ${timeoutMs} ${onRevoke}`);
    const r = await reply;
    if (r.event === 'error') throw new Error(`Curator revoke peer ${ref}: ${r.message}`);
    return r.event === 'acquired' ? r.node : undefined;
  }

  /** Revoker.attemptRevoke(client, nodePath). */
  async revoke(ref: string, nodePath: string): Promise<void> {
    const reply = this.next('revoked', ref);
    this.send(`revoke ${ref} ${nodePath}`);
    const r = await reply;
    if (r.event === 'error') throw new Error(`Curator revoke ${ref}: ${r.message}`);
  }

  /** Releases hold `ref` and waits for Curator to confirm. */
  async release(ref: string): Promise<void> {
    const reply = this.next('released', ref);
    this.send(`release ${ref}`);
    const r = await reply;
    if (r.event === 'error') throw new Error(`Curator release ${ref}: ${r.message}`);
  }

  /** Closes the Curator client (its session and nodes go) and ends the JVM. */
  stop(): Promise<void> {
    return this.proc.stop();
  }
}
