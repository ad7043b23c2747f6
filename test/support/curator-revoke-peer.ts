// Drives test/peer/CuratorRevokePeer.java: a real Curator 5.4.0 client that holds revocable
// InterProcessMutexes (makeRevocable) and revokes with Revoker.attemptRevoke, in its own JVM.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compileAgainstCurator, curatorClasspath } from '../../scripts/curator-java.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const peerSource = join(repoRoot, 'test', 'peer', 'CuratorRevokePeer.java');
const peerBuild = join(repoRoot, 'test', 'peer', 'build');

let compiled = false;

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
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.exited = new Promise((res) => child.once('exit', () => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`Curator revoke peer exited: ${this.stderr}`));
      res();
    }));
  }

  static async start(connectString: string): Promise<CuratorRevokePeer> {
    if (!compiled) {
      compileAgainstCurator(peerSource, peerBuild);
      compiled = true;
    }
    const child = spawn('java', ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC',
      '-cp', curatorClasspath([peerBuild]), 'CuratorRevokePeer', connectString], { stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new CuratorRevokePeer(child);
    await peer.next('ready');
    return peer;
  }

  private onLine(line: string): void {
    let reply: RevokePeerReply;
    try {
      reply = JSON.parse(line) as RevokePeerReply;
    } catch {
      return; // not ours (a JVM warning)
    }
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
    this.child.stdin!.write(`${line}\n`);
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
  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      this.send('exit');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}
