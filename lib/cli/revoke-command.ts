// `zkurator revoke <node>`: Curator's Revoker.attemptRevoke from the shell. Writes `__REVOKE__`
// into a lock node; a holder that made its lock revocable (zkurator or Curator) is told and
// decides whether to release. Only ephemeral nodes are touched: a typo naming a lock path or
// some other persistent node must not overwrite its data.
import { revoke } from '../locks/revoke.js';
import type { RevokeArgs } from './args.js';
import { connectForCli } from './cli-connect.js';
import { CliFailure } from './cli-failure.js';
import { ExitCode } from './exit-codes.js';
import type { TextSink } from './queue-progress.js';

export async function revokeCommand(args: RevokeArgs, stdout: TextSink): Promise<number> {
  const client = await connectForCli(args);
  try {
    const stat = await client.exists(args.node);
    if (!stat) throw new CliFailure(ExitCode.NO_SUCH_NODE, `no node ${args.node} (released already?)`);
    if (stat.ephemeralOwner === '0') {
      throw new CliFailure(ExitCode.NOT_A_LOCK_NODE, `${args.node} is not a lock node (lock nodes are ephemeral); nothing was written. ` +
        `\`zkurator status <lock path>\` lists the nodes of a lock`);
    }
    if (!(await revoke(client, args.node))) throw new CliFailure(ExitCode.NO_SUCH_NODE, `no node ${args.node} (released meanwhile)`);
    stdout.write(`revocation requested: ${args.node} (session ${stat.ephemeralOwner}); a revocable holder decides whether to release\n`);
    return ExitCode.OK;
  } finally {
    await client.close();
  }
}
