// elect's side of the command guard (command-guard.ts): starts the guard process once, runs one
// command per leadership term through it, keeps telling it until when the term surely holds,
// and asks it to stop the command when leadership may be lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ZkClient } from '../framework/zk-client.js';
import type { Leadership } from '../leader/leadership.js';
import { ALIVE_INTERVAL_MS, silenceLimitMs, type FromGuard, type GuardStopCause, type ToGuard } from './guard-protocol.js';

const GUARD_PATH = fileURLToPath(new URL('./command-guard.js', import.meta.url));

/** What to run, and how to stop it. */
export interface GuardedCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly killAfterMs: number;
}

/** How a guarded command ended. */
export type CommandEnd =
  | {
    readonly kind: 'exited';
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    /** Set when the guard stopped the command without elect asking (elect paused, the deadline). */
    readonly cause: GuardStopCause | undefined;
  }
  | { readonly kind: 'spawn-error'; readonly code: string; readonly message: string };

/** The guard process died (or could not start): elect cannot run a command safely without it. */
export class GuardFailure extends Error {
  override readonly name = 'GuardFailure';
}

/** CLOCK_MONOTONIC ns for a `performance.now()` time (both read the same clock, from different origins). */
function monotonicNs(perfMs: number): string {
  return (process.hrtime.bigint() + BigInt(Math.floor((perfMs - performance.now()) * 1e6))).toString();
}

export class GuardHandle {
  private readonly listeners = new Set<(m: FromGuard | GuardFailure) => void>();
  private failure: GuardFailure | undefined;
  private commandPid: number | undefined;
  private readonly gone: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m) => this.dispatch(m as FromGuard));
    this.gone = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.fail(new GuardFailure(`the command guard (pid ${child.pid}) ended unexpectedly (${signal ?? `exit code ${code}`})`));
        resolve();
      });
    });
    child.once('error', (err) => this.fail(new GuardFailure(`the command guard could not start: ${err.message}`)));
  }

  /** Starts the guard process; resolves once it is ready for a command. */
  static async start(): Promise<GuardHandle> {
    // The guard shares our stdio (so the command does); the fourth fd is the IPC channel.
    const child = spawn(process.execPath, [GUARD_PATH], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    const guard = new GuardHandle(child);
    await guard.next((m) => m.type === 'ready');
    return guard;
  }

  /** PID of the guard process. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /**
   * Runs `command` for one term: tells the guard until when the term surely holds (the client's
   * session clock, frozen at its last value if the session is replaced: the term's node went
   * with it) and asks it to stop the command as soon as the term's signal aborts; `onLoss` is
   * called then. Resolves when the command has ended.
   * @throws GuardFailure when the guard dies meanwhile (the command is killed)
   */
  async run(command: GuardedCommand, term: Leadership, client: ZkClient, onLoss: (reason: unknown) => void): Promise<CommandEnd> {
    const generation = client.sessionGeneration;
    let validUntil = client.sessionAliveUntil;
    const deadline = (): string => {
      if (client.sessionGeneration === generation) validUntil = client.sessionAliveUntil;
      return monotonicNs(validUntil);
    };
    const ended = this.next((m) => m.type === 'exited' || m.type === 'spawn-error');
    this.post({
      type: 'run', file: command.file, args: command.args, env: command.env, killAfterMs: command.killAfterMs,
      silenceMs: silenceLimitMs(client.negotiatedSessionTimeout), validUntilNs: deadline(),
    });
    const started = (m: FromGuard | GuardFailure): void => {
      if (!(m instanceof GuardFailure) && m.type === 'started') this.commandPid = m.pid;
    };
    this.listeners.add(started);
    const alive = setInterval(() => this.post({ type: 'alive', validUntilNs: deadline() }), ALIVE_INTERVAL_MS);
    const onAbort = (): void => {
      onLoss(term.signal.reason);
      this.post({ type: 'stop' });
    };
    // Read through the clock check: a term already over is stopped at once.
    if (term.signal.aborted) onAbort();
    else term.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const m = await ended;
      if (m.type === 'spawn-error') return { kind: 'spawn-error', code: m.code, message: m.message };
      if (m.type !== 'exited') throw new Error(`unexpected ${m.type}`);
      return { kind: 'exited', code: m.code, signal: m.signal, cause: m.cause };
    } catch (err) {
      // The guard died with the command perhaps still running: it must not run on unguarded.
      if (this.commandPid !== undefined) {
        try {
          process.kill(this.commandPid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      throw err;
    } finally {
      clearInterval(alive);
      term.signal.removeEventListener('abort', onAbort);
      this.listeners.delete(started);
      this.commandPid = undefined;
    }
  }

  /** Passes a signal on to the running command (if any). */
  signal(signal: NodeJS.Signals): void {
    this.post({ type: 'signal', signal });
  }

  /** Closes the IPC channel (the guard exits) and waits for the guard to end. */
  async close(): Promise<void> {
    this.failure ??= new GuardFailure('closed');
    if (this.child.connected) this.child.disconnect();
    if (this.child.exitCode === null && this.child.signalCode === null) await this.gone;
  }

  private post(message: ToGuard): void {
    if (!this.child.connected) return;
    try {
      this.child.send(message);
    } catch {
      // the guard is gone: its 'exit' reports it
    }
  }

  private dispatch(m: FromGuard | GuardFailure): void {
    for (const l of [...this.listeners]) l(m);
  }

  private fail(err: GuardFailure): void {
    if (this.failure) return;
    this.failure = err;
    this.dispatch(err);
  }

  /** The next message that `accept`s, or the guard's failure. */
  private next(accept: (m: FromGuard) => boolean): Promise<FromGuard> {
    return new Promise((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const listener = (m: FromGuard | GuardFailure): void => {
        if (m instanceof GuardFailure) {
          this.listeners.delete(listener);
          reject(m);
        } else if (accept(m)) {
          this.listeners.delete(listener);
          resolve(m);
        }
      };
      this.listeners.add(listener);
    });
  }
}
