// `zkurator serve`: the HTTP lock gateway as a process. It runs until SIGTERM or SIGINT, then
// stops accepting, cancels waiting requests, releases every lock it holds, closes its
// session (so nothing of it is left in ZooKeeper) and exits 0.
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../errors.js';
import { createGateway } from '../gateway/server.js';
import { parseSettingsFile, resolveSettings, type GatewaySettings } from '../gateway/gateway-config.js';
import type { ServeArgs } from './args.js';
import { connectForCli } from './cli-connect.js';
import { CliFailure } from './cli-failure.js';
import { ExitCode } from './exit-codes.js';
import type { TextSink } from './queue-progress.js';

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliFailure(ExitCode.USAGE, `cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

/** Everything from files and options, checked before connecting. */
async function loadSettings(args: ServeArgs): Promise<{ settings: GatewaySettings; token: string | undefined }> {
  const overrides = args.root === undefined ? {} : { root: args.root };
  let settings: GatewaySettings;
  try {
    settings = args.configFile === undefined
      ? resolveSettings(overrides, 'settings')
      : parseSettingsFile(await readText(args.configFile, 'config file'), args.configFile, overrides);
  } catch (err) {
    if (err instanceof ValidationError) throw new CliFailure(ExitCode.USAGE, err.message);
    throw err;
  }
  let token: string | undefined;
  if (args.tokenFile !== undefined) {
    token = (await readText(args.tokenFile, 'token file')).trim();
    if (token === '') throw new CliFailure(ExitCode.USAGE, `token file ${args.tokenFile} is empty`);
  }
  return { settings, token };
}

export async function serveCommand(args: ServeArgs, stdout: TextSink, stderr: TextSink): Promise<number> {
  const { settings, token } = await loadSettings(args);
  const client = await connectForCli(args, { sessionTimeout: args.sessionTimeoutMs });
  let stop!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((resolve) => { stop = resolve; });
  for (const s of STOP_SIGNALS) process.on(s, stop);
  try {
    const gateway = await createGateway({ client, settings, ...(token === undefined ? {} : { token }), accessLog: args.accessLog ? process.stdout : false });
    try {
      let where: { url: string };
      try {
        where = await gateway.listen({ host: args.listenHost, port: args.listenPort });
      } catch (err) {
        throw new CliFailure(ExitCode.UNAVAILABLE, `cannot listen on ${args.listenHost}:${args.listenPort}: ${(err as Error).message}`);
      }
      stdout.write(`zkurator gateway listening on ${where.url} (locks under ${settings.root}${token === undefined ? '' : ', bearer token required'})\n`);
      const signal = await stopped;
      stderr.write(`zkurator: ${signal}: releasing every lock and closing\n`);
    } finally {
      await gateway.close();
    }
    return ExitCode.OK;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, stop);
    await client.close();
  }
}
