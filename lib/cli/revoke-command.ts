// `zkurator revoke <node>`: Curator's Revoker.attemptRevoke from the shell. Writes `__REVOKE__`
// into a lock node; a holder that made its lock revocable (zkurator or Curator) is told and
// decides whether to release. Only ephemeral nodes are touched: a typo naming a lock path or
// some other persistent node must not overwrite its data. And only a holder that can hear it:
// a revocable lock creates its node empty (zkurator's `revocable: true`, Curator's
// makeRevocable), so a node with data of its own belongs to a holder that never watches for
// the request; writing there would only destroy that data (who holds it, for status). --force
// writes anyway.
import { NoNodeError } from '../errors.js';
import { REVOKE_MESSAGE } from '../locks/engine/lock-engine.js';
import { revoke } from '../locks/revoke.js';
import { SEMAPHORE_LEASES, SEMAPHORE_LOCKS } from '../locks/semaphore.js';
import type { NodeStat, ZkClient } from '../framework/zk-client.js';
import type { RevokeArgs } from './args.js';
import { connectForCli } from './cli-connect.js';
import { CliFailure } from './cli-failure.js';
import { ExitCode } from './exit-codes.js';
import type { TextSink } from './queue-progress.js';

/** A node's data and stat, or undefined when it does not exist. */
async function read(client: ZkClient, path: string): Promise<{ data: Buffer; stat: NodeStat } | undefined> {
  try {
    return await client.getData(path);
  } catch (err) {
    if (err instanceof NoNodeError) return undefined;
    throw err;
  }
}

/**
 * The node `args` names: its full path; or, with --path, the name as status lists it, which
 * for a V2 semaphore is a child of `<path>/leases` or `<path>/locks`.
 */
async function findNode(client: ZkClient, args: RevokeArgs): Promise<{ path: string; data: Buffer; stat: NodeStat }> {
  const lockPath = args.lockPath;
  const candidates = lockPath === undefined ? [args.node]
    : [`${lockPath}/${args.node}`, `${lockPath}/${SEMAPHORE_LEASES}/${args.node}`, `${lockPath}/${SEMAPHORE_LOCKS}/${args.node}`];
  for (const path of candidates) {
    const found = await read(client, path);
    if (found) return { path, ...found };
  }
  const where = args.lockPath === undefined ? args.node : `${args.node} under ${args.lockPath}`;
  throw new CliFailure(ExitCode.NO_SUCH_NODE, `no node ${where} (released already?)`);
}

export async function revokeCommand(args: RevokeArgs, stdout: TextSink): Promise<number> {
  const client = await connectForCli(args);
  try {
    const { path, data, stat } = await findNode(client, args);
    if (stat.ephemeralOwner === '0') {
      throw new CliFailure(ExitCode.NOT_A_LOCK_NODE, `${path} is not a lock node (lock nodes are ephemeral); nothing was written. ` +
        '`zkurator status <lock path>` lists the nodes of a lock');
    }
    const revocable = data.length === 0 || data.equals(REVOKE_MESSAGE);
    if (!revocable && !args.force) {
      throw new CliFailure(ExitCode.NOT_A_LOCK_NODE, `the holder of ${path} did not make its lock revocable (a revocable lock's node is ` +
        `created empty; this one holds ${JSON.stringify(data.toString('utf8').slice(0, 80))}): it would never hear the request, and ` +
        'writing it would overwrite that data. Nothing was written; --force writes anyway');
    }
    if (!(await revoke(client, path))) throw new CliFailure(ExitCode.NO_SUCH_NODE, `no node ${path} (released meanwhile)`);
    stdout.write(revocable
      ? `revocation requested: ${path} (session ${stat.ephemeralOwner}); a revocable holder decides whether to release\n`
      : `revocation written (--force): ${path} (session ${stat.ephemeralOwner}); its holder is not revocable and will not hear it\n`);
    return ExitCode.OK;
  } finally {
    await client.close();
  }
}
