// The command guard of `zkurator elect`: a small process between elect and the command it runs
// while leading. elect cannot stop its command when it is not running itself: killed (SIGKILL,
// the OOM killer) its child would run on, orphaned, next to the next leader's; paused (SIGSTOP,
// a frozen VM thread) its timers cannot fire while another member takes over. The guard runs
// on in both cases and holds the command to the term's clock on its own:
// - elect gone (its IPC channel closes): SIGTERM now, SIGKILL after the grace period;
// - no word from elect for a while (it is paused): the same;
// - the term's deadline passes (a session timeout after the latest request a server answered
//   for elect's session: another member may lead from then on): SIGKILL, at once;
// and whenever elect asks (leadership may be lost): SIGTERM, SIGKILL after the grace period,
// but never later than the deadline. So the command never outlives the moment another member
// may lead, whatever happens to elect. Spawned by guard-handle.ts; speaks guard-protocol.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import type { FromGuard, GuardStopCause, ToGuard } from './guard-protocol.js';

const nowNs = (): bigint => process.hrtime.bigint();

/** Milliseconds from now until `atNs` (0 if past), for a timer. */
function msUntil(atNs: bigint): number {
  const left = atNs - nowNs();
  return left <= 0n ? 0 : Math.ceil(Number(left) / 1e6);
}

function say(text: string): void {
  process.stderr.write(`zkurator: ${text}\n`);
}

function send(message: FromGuard): void {
  if (!process.connected) return; // elect is gone: nobody to tell
  try {
    process.send?.(message);
  } catch {
    // the channel closed in between: the 'disconnect' handler takes over
  }
}

/** One run of the command. */
class Guarded {
  private stopping = false;
  private cause: GuardStopCause | undefined;
  private deadlineNs: bigint;
  private deadlineTimer: NodeJS.Timeout;
  private readonly silenceTimer: NodeJS.Timeout;
  private killTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly child: ChildProcess, private readonly run: Extract<ToGuard, { type: 'run' }>, private readonly onEnd: () => void) {
    this.deadlineNs = BigInt(run.validUntilNs);
    this.deadlineTimer = setTimeout(this.onDeadline, msUntil(this.deadlineNs));
    this.silenceTimer = setTimeout(() => {
      say(`no word from zkurator elect (pid ${ELECT_PID}) for ${run.silenceMs}ms: it is not running (paused?) and may no longer lead; `
        + `stopping the command (SIGTERM, SIGKILL ${this.killWhen()})`);
      this.stop('silence');
    }, run.silenceMs);
    child.once('error', (err: NodeJS.ErrnoException) => {
      // Not started (ENOENT, EACCES...): there is no 'exit' to wait for.
      if (child.pid !== undefined) return;
      this.finish();
      send({ type: 'spawn-error', code: err.code ?? 'UNKNOWN', message: err.message });
    });
    child.once('spawn', () => send({ type: 'started', pid: child.pid! }));
    child.once('exit', (code, signal) => {
      this.finish();
      send({ type: 'exited', code, signal, ...(this.cause === undefined ? {} : { cause: this.cause }) });
    });
  }

  /** elect runs and leads until `validUntilNs`. */
  alive(validUntilNs: bigint): void {
    if (this.ended) return;
    if (!this.stopping) this.silenceTimer.refresh();
    if (validUntilNs === this.deadlineNs) return;
    this.deadlineNs = validUntilNs;
    this.armDeadline();
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(this.onDeadline, msUntil(this.deadlineNs));
  }

  private readonly onDeadline = (): void => {
    if (this.ended) return;
    if (msUntil(this.deadlineNs) > 0) {
      this.armDeadline(); // a timer may fire a little early
      return;
    }
    if (!this.stopping) {
      this.cause = 'deadline';
      say('the leadership term\'s deadline passed (a session timeout since a ZooKeeper server last answered for this member): '
        + 'another member may lead now; killing the command (SIGKILL)');
    }
    this.signal('SIGKILL');
  };

  /** SIGTERM now, SIGKILL after the grace period or at the deadline, whichever comes first. */
  stop(cause?: GuardStopCause): void {
    if (this.ended || this.stopping) return;
    this.stopping = true;
    this.cause ??= cause;
    clearTimeout(this.silenceTimer);
    this.signal('SIGTERM');
    this.killTimer = setTimeout(() => this.signal('SIGKILL'), Math.min(this.run.killAfterMs, msUntil(this.deadlineNs)));
  }

  /** When a stop now would send SIGKILL, in words. */
  private killWhen(): string {
    const left = msUntil(this.deadlineNs);
    return left < this.run.killAfterMs ? `at the term's deadline, in ${left}ms` : `after ${this.run.killAfterMs}ms`;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.ended) return;
    try {
      this.child.kill(signal);
    } catch {
      // already gone: its 'exit' follows
    }
  }

  private finish(): void {
    this.ended = true;
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.silenceTimer);
    if (this.killTimer) clearTimeout(this.killTimer);
    this.onEnd();
  }
}

/** The elect process (captured now: once it is gone, process.ppid names whoever adopted us). */
const ELECT_PID = process.ppid;
let current: Guarded | undefined;

function onMessage(message: ToGuard): void {
  switch (message.type) {
    case 'run': {
      if (current) return; // one command at a time; elect waits for 'exited' before the next
      const child = spawn(message.file, [...message.args], { stdio: 'inherit', env: { ...message.env } });
      current = new Guarded(child, message, () => {
        current = undefined;
        if (!process.connected) process.exit(0);
      });
      break;
    }
    case 'alive':
      current?.alive(BigInt(message.validUntilNs));
      break;
    case 'stop':
      current?.stop();
      break;
    case 'signal':
      current?.signal(message.signal);
      break;
  }
}

// elect decides what a signal means (a terminal's Ctrl-C reaches the whole process group): the
// guard itself only ends when elect is gone and no command runs.
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => undefined);
process.on('message', (m) => onMessage(m as ToGuard));
process.on('disconnect', () => {
  if (!current) process.exit(0);
  say(`zkurator elect (pid ${ELECT_PID}) is gone: stopping the command it ran (SIGTERM)`);
  current.stop('orphaned');
});
send({ type: 'ready' });
