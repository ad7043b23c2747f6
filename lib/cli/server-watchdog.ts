// The process between `zkurator dev-server` and its ZooKeeper server (a JVM, or the `docker run`
// client of a container): it ties the server's life to the dev-server's. The dev-server holds
// the only write end of this process's stdin; when that pipe reaches end-of-file, because the
// dev-server closed it (stop) or because the dev-server is gone, however it ended (SIGKILL
// included: the kernel closes its descriptors), this process kills the server, waits for it to
// end, removes its directory, and exits. Node cannot ask the kernel for a signal on its parent's
// death (prctl PR_SET_PDEATHSIG), and a JVM we do not write cannot watch its parent itself;
// end-of-file on a pipe needs neither.
//
// Run as `node server-watchdog.js <spec as JSON>` (see WatchdogSpec); stdout carries two kinds
// of line to the dev-server: `started <pid>` and `exited <how>`. Its stderr is the server's
// log file, so anything that goes wrong here ends up where the dev-server looks.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';

/** What the watchdog runs and cleans up (passed as its only argument, as JSON). */
export interface WatchdogSpec {
  /** The server's command line: `java ...`, or an attached `docker run --rm --name <n> ...`. */
  readonly command: readonly string[];
  /** Receives the command's stdout and stderr (appended). */
  readonly logFile: string;
  /** Removed, recursively, once the server has ended and the dev-server let go of it. */
  readonly dir: string;
  /**
   * Run before the command is killed and again once it ended: a container outlives its
   * `docker run` client (`docker rm -f <name>`). Its failure (no such container) is ignored.
   */
  readonly stopCommand?: readonly string[];
}

/** How long a stop command may take (a Docker engine that does not answer must not hold us forever). */
const STOP_COMMAND_TIMEOUT_MS = 30_000;

function parseSpec(arg: string | undefined): WatchdogSpec {
  const spec = JSON.parse(arg ?? '') as Partial<WatchdogSpec>;
  if (!Array.isArray(spec.command) || spec.command.length === 0 || typeof spec.logFile !== 'string' || typeof spec.dir !== 'string') {
    throw new Error(`server-watchdog: bad spec ${arg ?? '(none)'}`);
  }
  return spec as WatchdogSpec;
}

function runStopCommand(spec: WatchdogSpec): void {
  if (!spec.stopCommand) return;
  const [cmd, ...args] = spec.stopCommand;
  spawnSync(cmd!, args, { stdio: 'ignore', timeout: STOP_COMMAND_TIMEOUT_MS });
}

function main(): void {
  const spec = parseSpec(process.argv[2]);
  // The dev-server decides when the server stops; a Ctrl-C (the terminal signals the whole
  // foreground process group) or a hang-up reaches it too, and it closes our stdin. If it
  // dies of the signal instead, the pipe closes all the same.
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => undefined);
  // With the dev-server gone, a line written to it fails (EPIPE); the cleanup must go on.
  process.stdout.on('error', () => undefined);

  const log = openSync(spec.logFile, 'a');
  const [cmd, ...args] = spec.command;
  let child: ChildProcess;
  try {
    // Its own process group: a signal meant for the dev-server's group does not end the
    // server behind the dev-server's back (the dev-server would read that as a crash).
    child = spawn(cmd!, args, { stdio: ['ignore', log, log], detached: true });
  } finally {
    closeSync(log);
  }
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    const end = (how: string): void => {
      if (ended) return;
      ended = true;
      process.stdout.write(`exited ${how}\n`);
      resolve();
    };
    child.once('error', (err) => {
      process.stderr.write(`server-watchdog: could not start ${cmd}: ${err.message}\n`);
      end('error');
    });
    child.once('exit', (code, signal) => end(signal ?? String(code)));
  });
  if (child.pid !== undefined) process.stdout.write(`started ${child.pid}\n`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (!ended) {
      runStopCommand(spec);
      child.kill('SIGKILL');
    }
    await exited;
    // A container created while the client was being killed would be left without this.
    runStopCommand(spec);
    rmSync(spec.dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.on('error', () => void stop());
  process.stdin.resume();
}

main();
