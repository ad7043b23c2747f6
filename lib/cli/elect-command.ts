// `zkurator elect <path> -- <command...>`: the singleton-job sidecar. Stand for leader (a
// LeaderLatch, so Curator LeaderLatch members on the same path take part in the same election),
// run the command only while leading, stop it as soon as leadership may be lost, and run it
// again when leading again. The command runs under a guard process (command-guard.ts) that
// stops it even when this process cannot: killed or paused.
//
// When the command exits by itself while we lead, elect gives up leadership and exits with the
// command's code, as `run` does. A sidecar's supervisor (systemd, Kubernetes) then sees the
// failure, restarts it with its back-off and counts it, while the next member takes over at
// once; re-running the command here instead would keep a broken host leading forever.
import { ClientClosedError, ElectionConflictError, ElectionStateError, LeadershipLostError } from '../errors.js';
import type { ZkClient } from '../framework/zk-client.js';
import { LeaderLatch } from '../leader/leader-latch.js';
import type { ElectArgs } from './args.js';
import { cliAcls } from './cli-acl.js';
import { connectForCli } from './cli-connect.js';
import { asCliFailure, CliFailure, formatDuration } from './cli-failure.js';
import { ExitCode, signalExitCode } from './exit-codes.js';
import { GuardHandle, type CommandEnd, type GuardedCommand } from './guard-handle.js';
import type { TextSink } from './queue-progress.js';

/** Signals that end the wait, and that are passed on to the command while it runs. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The abort reason when a signal ends the wait for leadership. */
class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/** What made the guard stop a command by itself, in words. */
const CAUSES = {
  silence: 'stopped by its guard: zkurator elect was not running',
  deadline: 'killed by its guard at the term\'s deadline',
  orphaned: 'stopped by its guard: zkurator elect was gone',
} as const;

/** How a command ended, in words: "exit code 3", "signal SIGTERM; stopped by its guard: ...". */
function describeEnd(end: Extract<CommandEnd, { kind: 'exited' }>): string {
  return `${end.signal ? `signal ${end.signal}` : `exit code ${end.code}`}${end.cause ? `; ${CAUSES[end.cause]}` : ''}`;
}

/** The exit code a shell would show for the command's end. */
function exitCodeOf(end: Extract<CommandEnd, { kind: 'exited' }>): number {
  return end.code ?? signalExitCode(end.signal ?? 'SIGKILL');
}

export async function electCommand(args: ElectArgs, stderr: TextSink): Promise<number> {
  const client = await connectForCli(args, { lossPolicy: args.lossPolicy, sessionTimeout: args.sessionTimeoutMs });
  try {
    const guard = await GuardHandle.start().catch((err: unknown) => {
      throw new CliFailure(ExitCode.INTERNAL, (err as Error).message);
    });
    try {
      return await new Election(client, guard, args, stderr).run();
    } finally {
      await guard.close();
    }
  } finally {
    await client.close();
  }
}

/** One elect process's life in the election. */
class Election {
  private readonly latch: LeaderLatch;
  private readonly waiting = new AbortController();
  /** Set while the command runs: signals go to it. */
  private commandRunning = false;
  /** The first signal that asked us to end while the command ran. */
  private interruptedBy: NodeJS.Signals | undefined;
  /** Signals received while the command ran (the second sends SIGTERM, the third SIGKILL, as run does). */
  private signalsWhileRunning = 0;

  constructor(private readonly client: ZkClient, private readonly guard: GuardHandle, private readonly args: ElectArgs, private readonly stderr: TextSink) {
    this.latch = new LeaderLatch(client, args.path, { id: args.id, lossPolicy: args.lossPolicy, ...cliAcls(args.acl) });
    // Errors it mends by itself (a refused create, a conflict that appeared): it retries.
    this.latch.on('error', (err) => this.say(`${err instanceof Error ? err.message : String(err)}; trying again`));
  }

  private say(text: string): void {
    this.stderr.write(`zkurator: ${text}\n`);
  }

  async run(): Promise<number> {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.commandRunning) {
        this.interruptedBy ??= signal;
        this.signalsWhileRunning++;
        if (this.signalsWhileRunning === 1) {
          this.guard.signal(signal);
          return;
        }
        // A command that ignores the signal (or takes its time): escalate, as a second Ctrl-C does in most tools.
        const escalated = this.signalsWhileRunning === 2 ? 'SIGTERM' : 'SIGKILL';
        this.say(`${signal} again: sending ${escalated} to the command${escalated === 'SIGTERM' ? ' (once more: SIGKILL)' : ''}`);
        this.guard.signal(escalated);
      } else {
        this.waiting.abort(new Interrupted(signal));
      }
    };
    for (const s of FORWARDED_SIGNALS) process.on(s, onSignal);
    try {
      return await this.take();
    } catch (err) {
      if (err instanceof Interrupted) {
        this.say(`${err.signal} while waiting to lead ${this.args.path}; leaving the election`);
        return signalExitCode(err.signal);
      }
      throw err;
    } finally {
      // Leaves the election: our node is deleted now, so the next member need not wait for our session to expire.
      await this.latch.close();
      for (const s of FORWARDED_SIGNALS) process.off(s, onSignal);
    }
  }

  private async join(): Promise<void> {
    const aborted = new Promise<never>((_resolve, reject) => {
      this.waiting.signal.addEventListener('abort', () => reject(this.waiting.signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    try {
      await Promise.race([this.latch.start(), aborted]);
    } catch (err) {
      if (err instanceof ElectionConflictError) throw new CliFailure(ExitCode.ELECTION_CONFLICT, err.message);
      throw asCliFailure(err);
    }
    this.say(`joined the election on ${this.args.path} as ${JSON.stringify(this.args.id)} (node ${this.latch.node}); waiting to lead`);
  }

  /** Leads, runs, stands again, until the command exits by itself or a signal ends it. */
  private async take(): Promise<number> {
    await this.join();
    for (;;) {
      try {
        await this.latch.await({ signal: this.waiting.signal });
      } catch (err) {
        if (err instanceof ElectionStateError) {
          // The latch stopped on its own: the client closed (credentials refused, TLS failure).
          throw new CliFailure(ExitCode.UNAVAILABLE, `the ZooKeeper client closed; left the election on ${this.args.path}`);
        }
        throw err;
      }
      const term = this.latch.leadership;
      if (!term) continue; // lost again already: wait for the next term
      this.waiting.signal.throwIfAborted();
      this.say(`leading ${this.args.path} as ${JSON.stringify(this.args.id)} (node ${term.node}, fencing token ${term.fencingToken}); running the command`);
      const end = await this.runCommand(term);
      if (end.kind === 'spawn-error') {
        this.say(end.code === 'ENOENT' ? `command not found: ${this.args.command[0]}` : `cannot run ${this.args.command[0]}: ${end.message}`);
        this.say(`giving up leadership of ${this.args.path}`);
        return end.code === 'ENOENT' ? ExitCode.NOT_FOUND : ExitCode.CANNOT_EXECUTE;
      }
      if (this.interruptedBy !== undefined) {
        this.say(`the command ended (${describeEnd(end)}) after ${this.interruptedBy}; giving up leadership of ${this.args.path}`);
        return exitCodeOf(end);
      }
      if (term.signal.aborted || end.cause !== undefined) {
        // Stopped because leadership may be lost (or by the guard while we could not act):
        // stand again; the command runs again when we lead again.
        this.say(`the command stopped (${describeEnd(end)}); standing for election on ${this.args.path} again`);
        continue;
      }
      this.say(`the command exited by itself (${describeEnd(end)}) while leading; giving up leadership of ${this.args.path}`);
      return exitCodeOf(end);
    }
  }

  private async runCommand(term: NonNullable<LeaderLatch['leadership']>): Promise<CommandEnd> {
    const [file, ...argv] = this.args.command;
    const command: GuardedCommand = {
      file,
      args: argv,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
        ZKURATOR_ELECTION_PATH: this.args.path,
        ZKURATOR_LEADER_ID: this.args.id,
        ZKURATOR_LEADER_NODE: term.node,
        ZKURATOR_FENCING_TOKEN: term.fencingToken.toString(),
      },
      killAfterMs: this.args.killAfterMs,
    };
    this.commandRunning = true;
    try {
      return await this.guard.run(command, term, this.client, (reason) => {
        const why = reason instanceof LeadershipLostError ? `${reason.message} [${reason.reason}]`
          : reason instanceof ClientClosedError ? `${reason.message} [CLIENT_CLOSED]` : String(reason);
        this.say(`${why}; stopping the command (SIGTERM, SIGKILL after ${formatDuration(this.args.killAfterMs)}, `
          + 'or once another member may lead, whichever comes first)');
      });
    } catch (err) {
      throw new CliFailure(ExitCode.INTERNAL, `${(err as Error).message}; the command was killed`);
    } finally {
      this.commandRunning = false;
    }
  }
}
