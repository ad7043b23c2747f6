// Drives test/peer/CuratorSemaphorePeer.java: Curator 5.4.0's InterProcessSemaphoreV2,
// InterProcessSemaphoreMutex and SharedCount in their own JVM. Each request names the reply
// it waits for by its ref; count and list requests are answered in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compileAgainstCurator, curatorClasspath } from '../../scripts/curator-java.js';
import { sharedConnectString } from './harness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const source = join(repoRoot, 'test', 'peer', 'CuratorSemaphorePeer.java');
const build = join(repoRoot, 'test', 'peer', 'build');
let compiled = false;

interface Reply { event: string; ref?: string; message?: string; nodes?: string[] }
type Settle = { resolve: (r: Reply) => void; reject: (e: Error) => void };

/** `maxLeases` as a number, or the SharedCount node the Curator semaphore reads it from. */
export type PeerLeases = number | { countPath: string };

export class CuratorSemaphorePeer {
  private readonly byRef = new Map<string, Settle>();
  private readonly inOrder: Settle[] = [];
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.exited = new Promise((res) => child.once('exit', () => {
      const err = new Error(`Curator semaphore peer exited: ${this.stderr}`);
      for (const s of [...this.byRef.values(), ...this.inOrder.splice(0)]) s.reject(err);
      this.byRef.clear();
      res();
    }));
  }

  static async start(connectString = sharedConnectString()): Promise<CuratorSemaphorePeer> {
    if (!compiled) compileAgainstCurator(source, build);
    compiled = true;
    const child = spawn('java', ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC',
      '-cp', curatorClasspath([build]), 'CuratorSemaphorePeer', connectString], { stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new CuratorSemaphorePeer(child);
    await peer.send('', ''); // the ready line
    return peer;
  }

  private onLine(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      return; // a JVM warning
    }
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
    if (line) this.child.stdin!.write(`${line}\n`);
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

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.stdin!.write('exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
