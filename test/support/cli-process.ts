// Runs the real `zkurator` executable (dist/lib/cli/main.js) as a child process, with its
// output collected and awaitable: tests wait for a line to appear, never for time to pass.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliExit>;
  private readonly listeners = new Set<() => void>();

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ZOOKEEPER_CONNECT: '', ...env },
    });
    this.child = child;
    running.add(child);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { this.stdout += d; this.notify(); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; this.notify(); });
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        running.delete(child);
        this.notify();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  readonly child: ChildProcess;

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves with the first match of `pattern` in stdout+stderr; rejects if the CLI exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let exited = false;
      void this.exited.then(() => { exited = true; check(); });
      const timer = setTimeout(() => finish(new Error(`timed out waiting for ${pattern}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`)), timeoutMs);
      const finish = (result: RegExpMatchArray | Error): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const check = (): void => {
        const m = pattern.exec(this.stdout + this.stderr);
        if (m) finish(m);
        else if (exited) finish(new Error(`zkurator exited before printing ${pattern}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Writes a line to the CLI's stdin (which the command it runs inherits). */
  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliExit> {
  const cli = new CliProcess(args, env);
  cli.child.stdin?.end();
  return cli.exited;
}

/** Kills every CLI process a test left running (by pid: only ours). */
export async function killRunningClis(): Promise<void> {
  const all = [...running];
  await Promise.all(all.map((c) => new Promise<void>((resolve) => {
    // 'exit', not 'close': a command the CLI started may still hold the inherited pipes open
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.stdin?.destroy(); // a command reading the inherited stdin sees EOF and ends too
    c.kill('SIGKILL');
  })));
}
