// The dev-server's side of server-watchdog.ts: starts a server command under the watchdog and
// holds the pipe whose end-of-file stops it. stop() closes that pipe; so does the kernel when
// this process dies, however it dies, which is the point: no JVM, container or data dir
// outlives the dev-server.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { WatchdogSpec } from './server-watchdog.js';

const WATCHDOG = fileURLToPath(new URL('./server-watchdog.js', import.meta.url));

/** A server process under a watchdog. */
export interface WatchedServer {
  /** Pid of the server command (the JVM, or the `docker run` client); undefined if it never started. */
  readonly pid: number | undefined;
  /** Resolves when the server command has ended, for whatever reason. */
  readonly exited: Promise<void>;
  /** The last lines of the log file, for error messages. */
  logTail(): string;
  /** Kills the server, waits for it, removes its directory. */
  stop(): Promise<void>;
}

/** Starts `spec.command` under the watchdog; resolves once it runs (or failed to start: see `exited`). */
export async function startWatchedServer(spec: WatchdogSpec): Promise<WatchedServer> {
  const log = openSync(spec.logFile, 'a');
  const watchdog = (() => {
    try {
      return spawn(process.execPath, [WATCHDOG, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', log] });
    } finally {
      closeSync(log);
    }
  })();
  const watchdogEnded = new Promise<void>((resolve) => {
    watchdog.once('exit', () => resolve());
    watchdog.once('error', () => resolve());
  });
  // Writing to the pipe is never done; an EPIPE on close after the watchdog died is harmless.
  watchdog.stdin!.on('error', () => undefined);

  /** The watchdog said the server ended (its pid is not ours to kill any more). */
  let reportedEnd = false;
  let markEnded: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => { markEnded = resolve; });
  void watchdogEnded.then(() => markEnded());
  const pid = await new Promise<number | undefined>((resolve) => {
    createInterface({ input: watchdog.stdout! }).on('line', (line) => {
      const started = /^started (\d+)$/.exec(line);
      if (started) resolve(Number(started[1]));
      else if (line.startsWith('exited ')) {
        reportedEnd = true;
        resolve(undefined);
        markEnded();
      }
    });
    void watchdogEnded.then(() => resolve(undefined));
  });

  return {
    pid,
    exited,
    logTail: () => {
      try {
        return readFileSync(spec.logFile, 'utf8').split('\n').slice(-15).join('\n');
      } catch {
        return '';
      }
    },
    stop: async () => {
      watchdog.stdin!.end();
      await watchdogEnded;
      if (!reportedEnd && watchdog.exitCode !== 0) {
        // The watchdog itself was killed before it could clean up: do its work here.
        if (spec.stopCommand) spawnSync(spec.stopCommand[0]!, spec.stopCommand.slice(1), { stdio: 'ignore', timeout: 30_000 });
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      rmSync(spec.dir, { recursive: true, force: true });
    },
  };
}
