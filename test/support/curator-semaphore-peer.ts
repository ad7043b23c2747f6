// Drives test/peer/CuratorSemaphorePeer.java: Curator 5.4.0's InterProcessSemaphoreV2,
// InterProcessSemaphoreMutex and SharedCount in their own JVM. Each request names the reply
// it waits for by its ref; count and list requests are answered in order.
import { sharedConnectString } from './harness.js';
import { startJavaPeer, type JavaPeerProcess } from './java-peer.js';

interface Reply { event: string; ref?: string; message?: string; nodes?: string[] }
type Settle = { resolve: (r: Reply) => void; reject: (e: Error) => void };

/** `maxLeases` as a number, or the SharedCount node the Curator semaphore reads it from. */
export type PeerLeases = number | { countPath: string };

export class CuratorSemaphorePeer {
  private readonly byRef = new Map<string, Settle>();
  private readonly inOrder: Settle[] = [];
  private proc!: JavaPeerProcess;

  private constructor() {}

  static async start(connectString = sharedConnectString()): Promise<CuratorSemaphorePeer> {
    const peer = new CuratorSemaphorePeer();
    peer.proc = startJavaPeer<Reply>('CuratorSemaphorePeer', [connectString], (r) => peer.onReply(r));
    void peer.proc.exited.then(() => {
      const err = new Error(`Curator semaphore peer exited: ${peer.proc.stderr()}`);
      for (const s of [...peer.byRef.values(), ...peer.inOrder.splice(0)]) s.reject(err);
      peer.byRef.clear();
    });
    await peer.send('', ''); // the ready line
    return peer;
  }

  private onReply(reply: Reply): void {
    const byRef = this.byRef.get(reply.ref ?? '');
    if (reply.event !== 'list' && byRef) {
      this.byRef.delete(reply.ref ?? '');
      byRef.resolve(reply);
      return;
    }
    const next = this.inOrder.shift();
    if (!next) return;
    if (reply.event === 'error') next.reject(new Error(`Curator peer: ${reply.message}`));
    else next.resolve(reply);
  }

  /** Sends a line; resolves the reply for `ref` (or, with ref null, the next in-order reply). */
  private send(line: string, ref: string | null): Promise<Reply> {
    const reply = new Promise<Reply>((resolve, reject) => {
      if (ref === null) this.inOrder.push({ resolve, reject });
      else this.byRef.set(ref, { resolve, reject });
    });
    if (line) this.proc.child.stdin!.write(`${line}\n`);
    return reply;
  }

  private static outcome(r: Reply): boolean {
    if (r.event === 'acquired') return true;
    if (r.event === 'timeout') return false;
    throw new Error(`Curator peer error for ${r.ref}: ${r.message}`);
  }

  /** InterProcessSemaphoreV2.acquire(qty, timeout): true when granted, false on Curator's timeout (-1: forever). */
  async acquire(ref: string, path: string, leases: PeerLeases, timeoutMs: number, qty = 1): Promise<boolean> {
    const spec = typeof leases === 'number' ? String(leases) : `count:${leases.countPath}`;
    return CuratorSemaphorePeer.outcome(await this.send(`acquire ${ref} semaphore ${path} ${timeoutMs} ${spec} ${qty}`, ref));
  }

  /** InterProcessSemaphoreMutex.acquire(timeout) on a new thread. */
  async acquireMutex(ref: string, path: string, timeoutMs: number): Promise<boolean> {
    return CuratorSemaphorePeer.outcome(await this.send(`acquire ${ref} smutex ${path} ${timeoutMs} 1`, ref));
  }

  /** The SemaphoreMutex of hold `ref` acquired again on the same thread (non-re-entrant). */
  async acquireMutexAgain(ref: string, newRef: string, timeoutMs: number): Promise<boolean> {
    return CuratorSemaphorePeer.outcome(await this.send(`again ${ref} ${newRef} ${timeoutMs}`, newRef));
  }

  async release(ref: string): Promise<void> {
    const r = await this.send(`release ${ref}`, ref);
    if (r.event !== 'released') throw new Error(`Curator peer release ${ref}: ${r.message}`);
  }

  /** `cycles` acquire/hold/return cycles of one lease on a thread of their own, recorded. */
  async loop(ref: string, path: string, leases: PeerLeases, cycles: number, holdMs: number): Promise<void> {
    const spec = typeof leases === 'number' ? String(leases) : `count:${leases.countPath}`;
    const r = await this.send(`loop ${ref} ${path} ${spec} ${cycles} ${holdMs}`, ref);
    if (r.event !== 'looped') throw new Error(`Curator peer loop ${ref}: ${r.message}`);
  }

  /** getParticipantNodes of a V2 semaphore (raw names of `<path>/leases`). */
  async list(path: string): Promise<string[]> {
    return (await this.send(`list ${path}`, null)).nodes ?? [];
  }

  async startCount(path: string, seed: number): Promise<void> {
    await this.send(`startcount ${path} ${seed}`, null);
  }

  async setCount(path: string, n: number): Promise<void> {
    await this.send(`setcount ${path} ${n}`, null);
  }

  async getCount(path: string): Promise<number> {
    return Number((await this.send(`getcount ${path}`, null)).nodes?.[0]);
  }

  async recordTo(file: string): Promise<void> {
    await this.send(`record ${file}`, null);
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}
