// How a CLI command connects: its options, credentials and TLS files, and a chroot checked at
// once; an unreachable ensemble ends the command with an exit code, not a stack trace.
import { ChrootNotFoundError, ConnectTimeoutError, ValidationError } from '../errors.js';
import { connect, type ConnectOptions, type ZkClient } from '../framework/zk-client.js';
import { parseConnectString } from '../zookeeper/connect-string.js';
import type { ConnectionArgs } from './args.js';
import { asCliFailure, CliFailure, formatDuration } from './cli-failure.js';
import { ExitCode } from './exit-codes.js';
import { securityOptions } from './secrets.js';

/**
 * Connects with the CLI's options; an unreachable ensemble is exit code 69, not a stack trace.
 * A chroot in the connect string is checked at once: one that does not exist on the server
 * would otherwise show up later, as a failed create (run) or as an empty lock (status).
 */
export async function connectForCli(args: ConnectionArgs, options: ConnectOptions = {}): Promise<ZkClient> {
  let client: ZkClient;
  try {
    client = await connect(args.connect, { ...options, ...securityOptions(args), connectTimeout: args.connectTimeoutMs });
  } catch (err) {
    if (err instanceof ConnectTimeoutError) {
      const tried = err.attempts.map((a) => `\n  ${a.server}: ${a.error ?? 'not tried in time'}`).join('');
      throw new CliFailure(ExitCode.UNAVAILABLE, `cannot reach ZooKeeper at ${args.connect} within ${formatDuration(args.connectTimeoutMs)}` +
        ` (set --connect or ZOOKEEPER_CONNECT)${tried}`);
    }
    if (err instanceof ValidationError) throw new CliFailure(ExitCode.USAGE, err.message);
    throw asCliFailure(err);
  }
  const { chroot } = parseConnectString(args.connect);
  try {
    if (chroot && !(await client.exists('/'))) throw new ChrootNotFoundError(chroot, args.connect);
  } catch (err) {
    await client.close();
    throw asCliFailure(err);
  }
  return client;
}
