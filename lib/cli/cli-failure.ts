// How a CLI command ends early: a message for stderr and the exit code scripts branch on.
import { AuthFailedError, ChrootNotFoundError, HostNotFoundError, NoAuthError, TlsError } from '../errors.js';
import { ExitCode } from './exit-codes.js';

/** Ends the command: main prints `zkurator: <message>` and exits with `exitCode`. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(readonly exitCode: number, message: string) {
    super(message);
  }
}

/** The CliFailure for an error a command can end with that is not a bug, else the error itself. */
export function asCliFailure(err: unknown): unknown {
  // exit 69, EX_UNAVAILABLE ("a support file does not exist"): nothing can be locked there until it is created
  if (err instanceof ChrootNotFoundError) return new CliFailure(ExitCode.UNAVAILABLE, err.message);
  // exit 77, EX_NOPERM: the lock path's ACL shuts this session out; say what was refused
  if (err instanceof NoAuthError) {
    return new CliFailure(ExitCode.NO_PERMISSION, `permission denied: ${err.message} (credentials: --auth-file or ZKURATOR_AUTH_FILE)`);
  }
  if (err instanceof AuthFailedError) {
    return new CliFailure(ExitCode.NO_PERMISSION, 'ZooKeeper refused the credentials (AUTHFAILED): check the scheme in the --auth-file');
  }
  // exit 69 too: no server of the connect string can be reached, as DNS does not know any of their names
  if (err instanceof HostNotFoundError) return new CliFailure(ExitCode.UNAVAILABLE, `${err.message} (set --connect or ZOOKEEPER_CONNECT)`);
  // a certificate problem: the server cannot be reached as configured (the message names what failed)
  if (err instanceof TlsError) return new CliFailure(ExitCode.UNAVAILABLE, `TLS: ${err.message}`);
  return err;
}

/** 850ms, 12s, 1.5s, 3m20s: short and exact enough for humans. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1_000).toFixed(1).replace(/\.0$/, '')}s`;
  if (ms < 60_000) return `${Math.round(ms / 1_000)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
