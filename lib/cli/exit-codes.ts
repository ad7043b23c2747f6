// The CLI's exit codes, in one place because scripts branch on them (documented in docs/cli.md).
// They follow sysexits.h and the shell's conventions where one exists.
import { constants } from 'node:os';

export const ExitCode = {
  /** Success (or, for `run` and `elect`, the command's own code). */
  OK: 0,
  /** Bad arguments: usage was printed (EX_USAGE). */
  USAGE: 64,
  /**
   * ZooKeeper could not be reached within the connect timeout, or the chroot of the connect
   * string does not exist on it (EX_UNAVAILABLE: "a service is unavailable ... a support file does not exist").
   */
  UNAVAILABLE: 69,
  /**
   * `revoke`: the node is not a lock node (not ephemeral), or its holder is not revocable (its
   * node holds data) and --force was not given: nothing was written (EX_DATAERR).
   */
  NOT_A_LOCK_NODE: 65,
  /** `revoke`: no such node (EX_NOINPUT). */
  NO_SUCH_NODE: 66,
  /** --auth-file or a --tls-* file cannot be read (EX_NOINPUT). */
  NO_INPUT: 66,
  /** An unexpected error (EX_SOFTWARE). */
  INTERNAL: 70,
  /** `run`: the lock was not obtained within --timeout (EX_TEMPFAIL: try again later). */
  LOCK_TIMEOUT: 75,
  /** `run`: the lock was lost (or, with --revocable, revoked) while the command ran; the command was stopped. */
  LOCK_LOST: 76,
  /**
   * ZooKeeper refused: the lock path's ACL withholds a permission this session needs, or the
   * server refused the credentials (EX_NOPERM).
   */
  NO_PERMISSION: 77,
  /**
   * The election path holds both LeaderLatch (`latch-`) and LeaderSelector or lock (`lock-`)
   * nodes, which Curator's two recipes would each read as a leader of their own: `elect`
   * refuses to join, `status` shows the conflict (EX_CONFIG: "something was found in a
   * misconfigured state").
   */
  ELECTION_CONFLICT: 78,
  /** `run`, `elect`: the command exists but could not be executed (as in a shell). */
  CANNOT_EXECUTE: 126,
  /** `run`, `elect`: the command was not found (as in a shell). */
  NOT_FOUND: 127,
} as const;

/** Exit code for a process ended by a signal, as a shell reports it: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
