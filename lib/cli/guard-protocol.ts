// The messages between `zkurator elect` and its command guard (command-guard.ts), over the
// guard's IPC channel. Times are CLOCK_MONOTONIC nanoseconds (process.hrtime.bigint()), which
// every process on the machine reads alike, as decimal strings (IPC carries JSON).

/** elect -> guard. */
export type ToGuard =
  /** Run the command now (once per term). */
  | {
    readonly type: 'run';
    readonly file: string;
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    /** After a SIGTERM, how long before SIGKILL (never past the deadline). */
    readonly killAfterMs: number;
    /** No `alive` for this long: elect is not running (paused?), stop the command. */
    readonly silenceMs: number;
    /** Until when the term is surely elect's (see `alive`). */
    readonly validUntilNs: string;
  }
  /**
   * elect runs and still leads until `validUntilNs` by its session's clock (a session timeout
   * after the latest request a server answered): from then on another member may lead. Sent
   * every ALIVE_INTERVAL_MS while a command runs.
   */
  | { readonly type: 'alive'; readonly validUntilNs: string }
  /** Leadership may be lost: SIGTERM, then SIGKILL after killAfterMs (or at the deadline, if sooner). */
  | { readonly type: 'stop' }
  /** Pass a signal elect received on to the command. */
  | { readonly type: 'signal'; readonly signal: NodeJS.Signals };

/** Why the command was stopped by the guard on its own, elect not having asked. */
export type GuardStopCause =
  /** elect sent nothing for `silenceMs`: it is not running (SIGSTOP, a frozen event loop). */
  | 'silence'
  /** The term's deadline passed without elect extending it: another member may lead now. SIGKILL. */
  | 'deadline'
  /** elect is gone (its IPC channel closed: killed, or exited without stopping the command). */
  | 'orphaned';

/** guard -> elect. */
export type FromGuard =
  | { readonly type: 'ready' }
  | { readonly type: 'started'; readonly pid: number }
  /** The command could not be started (ENOENT: not found; EACCES...: not executable). */
  | { readonly type: 'spawn-error'; readonly code: string; readonly message: string }
  /** The command ended; `cause` is set when the guard stopped it without being asked. */
  | { readonly type: 'exited'; readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly cause?: GuardStopCause };

/** How often elect tells the guard it runs, while a command runs. */
export const ALIVE_INTERVAL_MS = 100;

/**
 * How long the guard waits for word from elect before it stops the command: a third of the
 * session timeout (the client's own ping interval; a member silent for two of them has its
 * connection declared dead), at least 500 ms so that a busy machine's scheduling does not
 * stop a command for nothing.
 */
export function silenceLimitMs(sessionTimeoutMs: number): number {
  return Math.max(500, Math.floor(sessionTimeoutMs / 3));
}
