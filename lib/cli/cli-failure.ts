// How a CLI command ends early: a message for stderr and the exit code scripts branch on.
import { ConnectTimeoutError, ValidationError } from '../errors.js';
import { connect, type ConnectOptions, type ZkClient } from '../zk-client.js';
import type { ConnectionArgs } from './args.js';
import { ExitCode } from './exit-codes.js';

/** Ends the command: main prints `zkurator: <message>` and exits with `exitCode`. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(readonly exitCode: number, message: string) {
    super(message);
  }
}

/** Connects with the CLI's options; an unreachable ensemble is exit code 69, not a stack trace. */
export async function connectForCli(args: ConnectionArgs, options: ConnectOptions = {}): Promise<ZkClient> {
  try {
    return await connect(args.connect, { ...options, connectTimeout: args.connectTimeoutMs });
  } catch (err) {
    if (err instanceof ConnectTimeoutError) {
      const tried = err.attempts.map((a) => `\n  ${a.server}: ${a.error ?? 'not tried in time'}`).join('');
      throw new CliFailure(ExitCode.UNAVAILABLE, `cannot reach ZooKeeper at ${args.connect} within ${formatDuration(args.connectTimeoutMs)}` +
        ` (set --connect or ZOOKEEPER_CONNECT)${tried}`);
    }
    if (err instanceof ValidationError) throw new CliFailure(ExitCode.USAGE, err.message);
    throw err;
  }
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
