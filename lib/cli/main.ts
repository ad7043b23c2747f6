#!/usr/bin/env node
// The `zkurator` executable: parse, dispatch, and turn every ending into an exit code.
import { createRequire } from 'node:module';
import { parseCli, USAGE, UsageError } from './args.js';
import { asCliFailure, CliFailure } from './cli-failure.js';
import { devServerCommand } from './dev-server-command.js';
import { electCommand } from './elect-command.js';
import { ExitCode } from './exit-codes.js';
import { revokeCommand } from './revoke-command.js';
import { runCommand } from './run-command.js';
import { serveCommand } from './serve-command.js';
import { statusCommand } from './status-command.js';

function version(): string {
  // dist/lib/cli/main.js -> the package root, both in this repo and once installed.
  return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv);
  switch (args.name) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return ExitCode.OK;
    case 'version':
      process.stdout.write(`zkurator ${version()}\n`);
      return ExitCode.OK;
    case 'run': return runCommand(args, process.stderr);
    case 'elect': return electCommand(args, process.stderr);
    case 'status': return statusCommand(args, process.stdout);
    case 'dev-server': return devServerCommand(args, process.stdout, process.stderr);
    case 'revoke': return revokeCommand(args, process.stdout);
    case 'serve': return serveCommand(args, process.stdout, process.stderr);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (thrown: unknown) => {
    const err = asCliFailure(thrown);
    if (err instanceof UsageError) {
      process.stderr.write(`zkurator: ${err.message}\n\n${USAGE}\n`);
      process.exit(ExitCode.USAGE);
    }
    if (err instanceof CliFailure) {
      process.stderr.write(`zkurator: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`zkurator: unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(ExitCode.INTERNAL);
  },
);
