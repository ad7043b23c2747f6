// Credentials and TLS material for the CLI, read from files (never from the command line,
// where `ps` shows every argument to every user). Nothing read here is ever printed: errors
// name the file and the line number, never what is in it.
import { readFileSync, statSync } from 'node:fs';
import type { ConnectOptions } from '../framework/zk-client.js';
import type { ConnectionArgs } from './args.js';
import { CliFailure } from './cli-failure.js';
import { ExitCode } from './exit-codes.js';

function readSecretFile(path: string, option: string, secret = false): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliFailure(ExitCode.NO_INPUT, `${option} ${path}: cannot read it (${code})`);
  }
  // Like ssh with a private key, but a warning: other users can read what this file protects.
  const mode = statSync(path).mode & 0o777;
  if (secret && (mode & 0o077) !== 0) {
    process.stderr.write(`zkurator: warning: ${option} ${path} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${path}\n`);
  }
  return content;
}

/**
 * Parses an auth file: one `<scheme> <credentials>` per line (as zkCli's `addauth digest
 * user:password`), blank lines and `#` comments ignored. @throws CliFailure (exit 64)
 */
export function parseAuthFile(text: string, path: string): NonNullable<ConnectOptions['auth']> {
  const auth: NonNullable<ConnectOptions['auth']> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+)\s+(\S.*)$/.exec(line);
    if (!m) {
      throw new CliFailure(ExitCode.USAGE, `--auth-file ${path}, line ${i + 1}: expected "<scheme> <credentials>", e.g. "digest user:password" (the line is not shown: it may hold a secret)`);
    }
    auth.push({ scheme: m[1]!, credentials: m[2]! });
  });
  if (auth.length === 0) throw new CliFailure(ExitCode.USAGE, `--auth-file ${path}: no credentials in it (one "<scheme> <credentials>" per line)`);
  return auth;
}

/** The connect options the CLI's --auth-file and --tls-* (or their environment variables) ask for. */
export function securityOptions(args: ConnectionArgs): Pick<ConnectOptions, 'auth' | 'tls'> {
  const options: Pick<ConnectOptions, 'auth' | 'tls'> = {};
  if (args.authFile !== undefined) options.auth = parseAuthFile(readSecretFile(args.authFile, '--auth-file', true).toString('utf8'), args.authFile);
  const { tlsCa, tlsCert, tlsKey } = args;
  if (tlsCa !== undefined || tlsCert !== undefined) {
    options.tls = {
      ...(tlsCa === undefined ? {} : { ca: readSecretFile(tlsCa, '--tls-ca') }),
      ...(tlsCert === undefined ? {} : { cert: readSecretFile(tlsCert, '--tls-cert') }),
      ...(tlsKey === undefined ? {} : { key: readSecretFile(tlsKey, '--tls-key', true) }),
    };
  }
  return options;
}
