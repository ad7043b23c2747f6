// Command-line parsing for the `zkurator` executable: argv in, a typed command out, or a
// UsageError naming what is wrong. No I/O here, so every rule is unit-tested.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { ValidationError } from '../errors.js';
import { validateLockPath } from '../locks/engine/lock-path.js';
import { parseConnectString } from '../zookeeper/connect-string.js';
import type { LossPolicy } from '../framework/zk-client.js';

/** Default connection string when neither --connect nor ZOOKEEPER_CONNECT is given. */
export const DEFAULT_CONNECT = '127.0.0.1:2181';

/** Default --connect-timeout of the commands that wait (run, elect, serve). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * Default --connect-timeout of the one-shot commands (status, revoke): someone is waiting at a
 * prompt for an answer, and a server that has not answered in 5 s is down for their purposes.
 */
export const ONE_SHOT_CONNECT_TIMEOUT_MS = 5_000;

export const USAGE = `Usage:
  zkurator run <path> [--read | --write | --max-leases N | --semaphore N] [--timeout 30s] [--revocable] [options] -- <command...>
      Take the lock, run the command, release. Exits with the command's code. Signals are passed on
      to the command; a second one sends it SIGTERM, a third SIGKILL (a command that ignores Ctrl-C).
  zkurator elect <path> [--id <id>] [--kill-after 10s] [--session-timeout 10s] [options] -- <command...>
      Stand for leader (Curator's LeaderLatch); run the command only while leading, stop it as soon
      as leadership may be lost, and run it again when leading again. Exits when the command does.
  zkurator status <path> [--max-leases N | --semaphore N | --election] [--json] [options]     (also: zkurator ls <path>)
      Holders and waiters of a lock, in lock order; or an election's members and leader.
  zkurator dev-server [--port 2181] [--tick-time 2000ms] [--backend auto|local|docker]
      A throwaway local ZooKeeper; prints its connection string; Ctrl-C stops it.
  zkurator revoke <node> [--path <lock path>] [--force] [options]
      Ask the holder of a lock node to release it (Curator's Revoker): <node> is the node's full
      path, or with --path its name as status lists it. Only a revocable holder hears it.
      Exit codes: 0 asked, 65 not a lock node (not ephemeral) or its holder is not revocable
      (nothing written; --force writes anyway), 66 no such node.
  zkurator serve [--listen 127.0.0.1:9989] [--root /locks] [--config gateway.json] [--token-file f]
                 [--access-log] [options]
      The HTTP lock gateway (REST API, busy-wait API, web page); SIGTERM stops it cleanly.

Options:
  --connect <hosts>          ZooKeeper connection string (default: $ZOOKEEPER_CONNECT or ${DEFAULT_CONNECT})
  --connect-timeout <dur>    how long to wait for ZooKeeper (default 15s; 5s for the one-shot status and
                             revoke); a host name DNS does not know fails at once
  --auth-file <path>         credentials, one "<scheme> <credentials>" per line, e.g. "digest user:password"
                             (default: $ZKURATOR_AUTH_FILE; never on the command line, where ps shows it)
  --tls-ca <path>            connect with TLS, trusting this CA (PEM; default: $ZKURATOR_TLS_CA)
  --tls-cert <path>, --tls-key <path>
                             client certificate and key for mutual TLS (PEM; $ZKURATOR_TLS_CERT, $ZKURATOR_TLS_KEY)
  --timeout <dur>            run: give up waiting for the lock after this long (default: wait forever;
                             0 = try once). Exit code 75.
  --read | --write           run: take the read or the write half of a read-write lock
  --max-leases <n>           run/status: holders allowed at once on a mutex (default 1)
  --semaphore <n>            run: take one of <n> leases of a semaphore (Curator's InterProcessSemaphoreV2:
                             <path>/locks + <path>/leases); status: judge a semaphore's leases with <n>
  --loss-policy <p>          run/elect: 'suspended' (default: stop the command as soon as the connection
                             drops) or 'lost' (only once the session is gone)
  --acl <acl>                run/elect: ACL of the nodes it creates: open, creator (only our identity) or
                             creator-read (ours, others may read; the default with credentials)
  --kill-after <dur>         run/elect: after the lock is lost (or revoked) or leadership may be lost,
                             SIGKILL the command if SIGTERM has not ended it within this long (default
                             10s; elect: never later than the moment another member may lead)
  --id <id>                  elect: this member's participant id, as status and Curator's
                             getParticipants() show it (default: the host name)
  --revocable                run: make the lock revocable (Curator's makeRevocable; not with
                             --semaphore): on a revocation request (zkurator revoke, Curator's Revoker)
                             stop the command (SIGTERM, SIGKILL after --kill-after), release, exit 76
  --path <lock path>         revoke: <node> is a name under this lock path, as status lists it
  --force                    revoke: write the request even into a node whose holder is not
                             revocable (it overwrites the node's data; the holder never hears it)
  --progress | --no-progress run: show queue position while waiting (default: when stderr is a terminal)
  --election                 status: show a path of LeaderSelector (lock-) nodes as an election
                             (a path of LeaderLatch nodes always is)
  --json                     status: machine-readable output
  --listen <host:port>       serve: where to listen (default 127.0.0.1:9989; loopback unless told)
  --root <path>              serve: ZooKeeper path whose children are the resources (default /locks)
  --config <file>            serve: JSON settings (lifetimes, waits, pools; see docs/gateway.md)
  --token-file <file>        serve: require Authorization: Bearer <the file's content>
  --access-log               serve: one JSON line per request on stdout
  --session-timeout <dur>    elect/serve: ZooKeeper session timeout (default 10s): how long a member (or
                             a gateway's locks) that died unannounced (kill -9, partition) outlives it
  -h, --help                 this text;  -V, --version: the version

Durations: 500ms, 30s, 2m, 1h; a bare number is seconds.
Exit codes: 64 usage, 66 --auth-file/--tls-* file unreadable, 69 ZooKeeper unreachable (or its chroot missing, or TLS failed),
70 internal error, 75 lock timeout, 76 lock lost (or revoked) while the command ran,
77 permission denied (the lock path's ACL, or credentials refused), 78 election path used by both
LeaderLatch and LeaderSelector/lock nodes (elect refuses it, status shows it), 126/127 command not
executable/not found, 128+N interrupted by signal N; otherwise the command's own code.`;

/** Bad command-line arguments. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ConnectionArgs {
  readonly connect: string;
  readonly connectTimeoutMs: number;
  /** Files to read credentials and TLS material from (secrets stay out of argv). */
  readonly authFile?: string;
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

export type LockMode =
  | { readonly kind: 'mutex'; readonly maxLeases: number }
  | { readonly kind: 'semaphore'; readonly maxLeases: number }
  | { readonly kind: 'read' }
  | { readonly kind: 'write' };

export interface RunArgs extends ConnectionArgs {
  readonly name: 'run';
  readonly path: string;
  readonly mode: LockMode;
  /** undefined: wait forever. */
  readonly timeoutMs: number | undefined;
  readonly lossPolicy: LossPolicy;
  readonly killAfterMs: number;
  /**
   * ACL of the nodes run creates (lock node and missing parents): `open` (world:anyone, all),
   * `creator` (only our identity), `creator-read` (our identity all, everyone else read).
   */
  readonly acl: CliAcl;
  /** undefined: decide from whether stderr is a terminal. */
  readonly progress: boolean | undefined;
  /** The lock is revocable: a revocation request stops the command and releases it. */
  readonly revocable: boolean;
  readonly command: readonly [string, ...string[]];
}

/** The ACLs `run --acl` offers. */
export type CliAcl = 'open' | 'creator' | 'creator-read';

export interface ElectArgs extends ConnectionArgs {
  readonly name: 'elect';
  /** The election path (Curator's LeaderLatch latchPath). */
  readonly path: string;
  /** This member's participant id (its node's data). */
  readonly id: string;
  readonly lossPolicy: LossPolicy;
  readonly killAfterMs: number;
  readonly sessionTimeoutMs: number;
  /** ACL of the nodes elect creates (its latch node and missing parents), as for run. */
  readonly acl: CliAcl;
  readonly command: readonly [string, ...string[]];
}

export interface StatusArgs extends ConnectionArgs {
  readonly name: 'status';
  readonly path: string;
  /** --max-leases or --semaphore; undefined when neither was given (a mutex is judged with 1). */
  readonly maxLeases: number | undefined;
  /** Show a path of lock- nodes as a LeaderSelector election (a latch- path always is one). */
  readonly election: boolean;
  readonly json: boolean;
}

export interface DevServerArgs {
  readonly name: 'dev-server';
  readonly port: number;
  readonly tickTimeMs: number;
  readonly backend: 'auto' | 'local' | 'docker';
}

export interface RevokeArgs extends ConnectionArgs {
  readonly name: 'revoke';
  /**
   * Full path of the lock node whose holder is asked to release; with `lockPath`, the node's
   * name as status lists it (it may live in a V2 semaphore's `leases/` or `locks/`).
   */
  readonly node: string;
  /** --path: the lock path `node` is a name under. */
  readonly lockPath: string | undefined;
  /** --force: write even when the holder is not revocable. */
  readonly force: boolean;
}

export interface ServeArgs extends ConnectionArgs {
  readonly name: 'serve';
  readonly listenHost: string;
  readonly listenPort: number;
  /** undefined: the config file's, else /locks. */
  readonly root: string | undefined;
  readonly configFile: string | undefined;
  readonly tokenFile: string | undefined;
  readonly accessLog: boolean;
  readonly sessionTimeoutMs: number;
}

export type CliArgs = RunArgs | ElectArgs | StatusArgs | DevServerArgs | RevokeArgs | ServeArgs | { readonly name: 'help' } | { readonly name: 'version' };

/** Parses `500ms`, `30s`, `2m`, `1h` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string, option: string): number {
  if (/^\s*-\s*\d/.test(text)) throw new UsageError(`${option} must not be negative, got ${JSON.stringify(text)}`);
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${option} must be a duration like 500ms, 30s, 2m or 1h, got ${JSON.stringify(text)}`);
  const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(m[1]) * scale;
  if (!Number.isFinite(ms) || ms > 2_147_483_647) throw new UsageError(`${option} is too large: ${text}`);
  return Math.round(ms);
}

function parseInteger(text: string, option: string, min: number, max?: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > (max ?? Number.MAX_SAFE_INTEGER)) {
    const range = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${option} must be an integer ${range}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** Runs a library validator, turning its ValidationError into a usage error. */
function valid<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ValidationError) throw new UsageError(err.message);
    throw err;
  }
}

const CONNECTION_OPTIONS = {
  connect: { type: 'string' },
  'connect-timeout': { type: 'string' },
  'auth-file': { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
} as const;

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

type OptionSpecs = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * node:util's parseArgs with our own messages. Checked here first, so Node's texts never reach
 * the user: an unknown option, a string option without a value, a flag given a value. A string
 * option takes the next argument as its value even when it starts with "-" (`--timeout -1`,
 * which parseArgs refuses as "ambiguous"), so the option's own check says what is wrong with it.
 */
function parseOptions<O extends OptionSpecs>(argv: readonly string[], options: O) {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      args.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      if (!Object.values(options).some((o) => o.short !== undefined && `-${o.short}` === arg)) throw new UsageError(`unknown option ${arg}`);
      args.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const spec = options[name.slice(2)];
    if (!spec) throw new UsageError(`unknown option ${name}`);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`${name} takes no value, got ${JSON.stringify(arg.slice(eq + 1))}`);
      args.push(arg);
    } else if (eq >= 0) {
      args.push(arg);
    } else {
      const value = argv[i + 1];
      if (value === undefined || value === '--') throw new UsageError(`${name} needs a value`);
      args.push(`${name}=${value}`);
      i++;
    }
  }
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new UsageError((err as Error).message); // not expected after the checks above
  }
}

/** A file option, else its environment variable; an empty value counts as not given. */
function fileOption(value: string | boolean | undefined, env: string | undefined): string | undefined {
  const given = typeof value === 'string' ? value : env;
  return given === undefined || given === '' ? undefined : given;
}

type ConnectionValues = { [K in keyof typeof CONNECTION_OPTIONS]?: string | boolean };

function connection(values: ConnectionValues, env: NodeJS.ProcessEnv, defaultTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): ConnectionArgs {
  const given = typeof values.connect === 'string';
  const connect = given ? values.connect as string : env.ZOOKEEPER_CONNECT || DEFAULT_CONNECT;
  if (connect.trim() === '') throw new UsageError('--connect must not be empty');
  // checked here, so a typo is a usage error before anything is sent (connect() checks it too)
  try {
    parseConnectString(connect);
  } catch (err) {
    if (err instanceof ValidationError) throw new UsageError(`${given ? '--connect' : 'ZOOKEEPER_CONNECT'}: ${err.message}`);
    throw err;
  }
  const timeout = values['connect-timeout'];
  const authFile = fileOption(values['auth-file'], env.ZKURATOR_AUTH_FILE);
  const tlsCa = fileOption(values['tls-ca'], env.ZKURATOR_TLS_CA);
  const tlsCert = fileOption(values['tls-cert'], env.ZKURATOR_TLS_CERT);
  const tlsKey = fileOption(values['tls-key'], env.ZKURATOR_TLS_KEY);
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together (mutual TLS needs both)');
  return {
    connect,
    connectTimeoutMs: typeof timeout === 'string' ? parseDuration(timeout, '--connect-timeout') : defaultTimeoutMs,
    ...(authFile === undefined ? {} : { authFile }),
    ...(tlsCa === undefined ? {} : { tlsCa }),
    ...(tlsCert === undefined ? {} : { tlsCert }),
    ...(tlsKey === undefined ? {} : { tlsKey }),
  };
}

function onePath(positionals: string[], command: string): string {
  const what = command === 'elect' ? 'an election path, e.g. /services/scheduler/leader' : 'a lock path, e.g. /locks/nightly-report';
  if (positionals.length === 0) throw new UsageError(`${command} needs ${what}`);
  if (positionals.length > 1) {
    throw new UsageError(`${command} takes one ${command === 'elect' ? 'election' : 'lock'} path, got ${positionals.length} arguments: ${positionals.join(' ')}` +
      (command === 'run' || command === 'elect' ? ' (put the command after "--")' : ''));
  }
  return valid(() => validateLockPath(positionals[0], command === 'elect' ? 'election path' : undefined));
}

function parseRun(argv: string[], env: NodeJS.ProcessEnv): RunArgs | { name: 'help' } {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const { values, positionals } = parseOptions(own, {
    ...CONNECTION_OPTIONS,
    ...HELP_OPTION,
    read: { type: 'boolean' },
    write: { type: 'boolean' },
    'max-leases': { type: 'string' },
    semaphore: { type: 'string' },
    timeout: { type: 'string' },
    'loss-policy': { type: 'string' },
    'kill-after': { type: 'string' },
    acl: { type: 'string' },
    progress: { type: 'boolean' },
    'no-progress': { type: 'boolean' },
    revocable: { type: 'boolean' },
  });
  if (values.help) return { name: 'help' };
  const path = onePath(positionals, 'run');
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  if (command.length === 0) throw new UsageError('run needs a command after "--", e.g. zkurator run /locks/x -- ./job.sh');
  const kinds = [values.read && '--read', values.write && '--write', values['max-leases'] !== undefined && '--max-leases',
    values.semaphore !== undefined && '--semaphore'].filter(Boolean);
  if (kinds.length > 1) throw new UsageError(`choose one of --read, --write, --max-leases, --semaphore (got ${kinds.join(' and ')})`);
  const mode: LockMode = values.read ? { kind: 'read' } : values.write ? { kind: 'write' } : values.semaphore !== undefined ? {
    kind: 'semaphore', maxLeases: parseInteger(values.semaphore, '--semaphore', 1),
  } : {
    kind: 'mutex',
    maxLeases: values['max-leases'] === undefined ? 1 : parseInteger(values['max-leases'], '--max-leases', 1),
  };
  const policy = lossPolicyOption(values['loss-policy']);
  if (values.progress && values['no-progress']) throw new UsageError('choose one of --progress and --no-progress');
  if (values.revocable && mode.kind === 'semaphore') {
    throw new UsageError('--revocable does not go with --semaphore: a V2 semaphore\'s leases cannot be revoked (nor in Curator)');
  }
  const conn = connection(values, env);
  return {
    name: 'run',
    ...conn,
    path,
    mode,
    timeoutMs: values.timeout === undefined ? undefined : parseDuration(values.timeout, '--timeout'),
    lossPolicy: policy,
    killAfterMs: values['kill-after'] === undefined ? 10_000 : parseDuration(values['kill-after'], '--kill-after'),
    acl: runAcl(values.acl, conn.authFile !== undefined),
    progress: values.progress ? true : values['no-progress'] ? false : undefined,
    revocable: values.revocable === true,
    command: command as [string, ...string[]],
  };
}

function lossPolicyOption(value: string | undefined): LossPolicy {
  const policy = value ?? 'suspended';
  if (policy !== 'suspended' && policy !== 'lost') throw new UsageError(`--loss-policy must be 'suspended' or 'lost', got ${JSON.stringify(policy)}`);
  return policy;
}

function parseElect(argv: string[], env: NodeJS.ProcessEnv, host: string): ElectArgs | { name: 'help' } {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const { values, positionals } = parseOptions(own, {
    ...CONNECTION_OPTIONS,
    ...HELP_OPTION,
    id: { type: 'string' },
    'loss-policy': { type: 'string' },
    'kill-after': { type: 'string' },
    'session-timeout': { type: 'string' },
    acl: { type: 'string' },
  });
  if (values.help) return { name: 'help' };
  const path = onePath(positionals, 'elect');
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  if (command.length === 0) throw new UsageError('elect needs a command after "--", e.g. zkurator elect /services/scheduler/leader -- ./scheduler');
  const id = values.id ?? host;
  if (Buffer.byteLength(id, 'utf8') > 1_000_000) throw new UsageError('--id must be at most 1,000,000 bytes (it is the node\'s data)');
  const conn = connection(values, env);
  return {
    name: 'elect',
    ...conn,
    path,
    id,
    lossPolicy: lossPolicyOption(values['loss-policy']),
    killAfterMs: values['kill-after'] === undefined ? 10_000 : parseDuration(values['kill-after'], '--kill-after'),
    sessionTimeoutMs: values['session-timeout'] === undefined ? 10_000 : Math.max(1, parseDuration(values['session-timeout'], '--session-timeout')),
    acl: runAcl(values.acl, conn.authFile !== undefined),
    command: command as [string, ...string[]],
  };
}

/** --acl: with credentials the default keeps our nodes ours (others may read); without, open. */
function runAcl(value: string | undefined, hasAuth: boolean): CliAcl {
  const acl = value ?? (hasAuth ? 'creator-read' : 'open');
  if (acl !== 'open' && acl !== 'creator' && acl !== 'creator-read') {
    throw new UsageError(`--acl must be open, creator or creator-read, got ${JSON.stringify(acl)}`);
  }
  if (acl !== 'open' && !hasAuth) throw new UsageError(`--acl ${acl} needs credentials (--auth-file or ZKURATOR_AUTH_FILE): the creator is who they name`);
  return acl;
}

function parseStatus(argv: string[], env: NodeJS.ProcessEnv, command: string): StatusArgs | { name: 'help' } {
  const { values, positionals } = parseOptions(argv, {
    ...CONNECTION_OPTIONS, ...HELP_OPTION, 'max-leases': { type: 'string' }, semaphore: { type: 'string' }, election: { type: 'boolean' }, json: { type: 'boolean' },
  });
  if (values.help) return { name: 'help' };
  const kinds = [values['max-leases'] !== undefined && '--max-leases', values.semaphore !== undefined && '--semaphore', values.election && '--election'].filter(Boolean);
  if (kinds.length > 1) throw new UsageError(`choose one of --max-leases, --semaphore and --election (got ${kinds.join(' and ')})`);
  const leases = values.semaphore ?? values['max-leases'];
  return {
    name: 'status',
    ...connection(values, env, ONE_SHOT_CONNECT_TIMEOUT_MS),
    path: onePath(positionals, command),
    maxLeases: leases === undefined ? undefined : parseInteger(leases, values.semaphore !== undefined ? '--semaphore' : '--max-leases', 1),
    election: values.election === true,
    json: values.json === true,
  };
}

function parseDevServer(argv: string[]): DevServerArgs | { name: 'help' } {
  const { values, positionals } = parseOptions(argv, {
    ...HELP_OPTION, port: { type: 'string' }, 'tick-time': { type: 'string' }, backend: { type: 'string' },
  });
  if (values.help) return { name: 'help' };
  if (positionals.length > 0) throw new UsageError(`dev-server takes no arguments, got: ${positionals.join(' ')}`);
  const backend = values.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'local' && backend !== 'docker') {
    throw new UsageError(`--backend must be auto, local or docker, got ${JSON.stringify(backend)}`);
  }
  return {
    name: 'dev-server',
    port: values.port === undefined ? 2181 : parseInteger(values.port, '--port', 0, 65_535),
    tickTimeMs: values['tick-time'] === undefined ? 2_000 : Math.max(1, parseDuration(values['tick-time'], '--tick-time')),
    backend,
  };
}

function parseRevoke(argv: string[], env: NodeJS.ProcessEnv): RevokeArgs | { name: 'help' } {
  const { values, positionals } = parseOptions(argv, { ...CONNECTION_OPTIONS, ...HELP_OPTION, path: { type: 'string' }, force: { type: 'boolean' } });
  if (values.help) return { name: 'help' };
  if (positionals.length !== 1) {
    throw new UsageError('revoke takes one lock node: its full path (/locks/x/_c_<uuid>-lock-0000000003), or its name as ' +
      `zkurator status /locks/x lists it with --path /locks/x; got ${positionals.length} arguments`);
  }
  const node = positionals[0]!;
  const lockPath = values.path === undefined ? undefined : valid(() => validateLockPath(values.path));
  if (lockPath === undefined && !node.startsWith('/')) {
    throw new UsageError(`revoke: ${JSON.stringify(node)} is not a full node path; for a name as status lists it, give its lock path: ` +
      `zkurator revoke --path <lock path> ${node}`);
  }
  if (lockPath !== undefined && (node.includes('/') || node === '' || node === '.' || node === '..')) {
    throw new UsageError(`revoke --path ${lockPath}: give the node's name as status lists it (no "/"), got ${JSON.stringify(node)}`);
  }
  return {
    name: 'revoke',
    ...connection(values, env, ONE_SHOT_CONNECT_TIMEOUT_MS),
    node: lockPath === undefined ? valid(() => validateLockPath(node)) : valid(() => validateLockPath(`${lockPath}/${node}`)).slice(lockPath.length + 1),
    lockPath,
    force: values.force === true,
  };
}

/** `host:port`, `[v6]:port` or a bare port (on 127.0.0.1). */
function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--listen must be host:port, [ipv6]:port or a port, got ${JSON.stringify(text)}`);
  return { host: m[1] || m[2] || '127.0.0.1', port: parseInteger(m[3]!, '--listen port', 0, 65_535) };
}

function parseServe(argv: string[], env: NodeJS.ProcessEnv): ServeArgs | { name: 'help' } {
  const { values, positionals } = parseOptions(argv, {
    ...CONNECTION_OPTIONS, ...HELP_OPTION,
    listen: { type: 'string' }, root: { type: 'string' }, config: { type: 'string' }, 'token-file': { type: 'string' }, 'access-log': { type: 'boolean' },
    'session-timeout': { type: 'string' },
  });
  if (values.help) return { name: 'help' };
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got: ${positionals.join(' ')}`);
  const listen = parseListen(values.listen ?? '127.0.0.1:9989');
  return {
    name: 'serve',
    ...connection(values, env),
    listenHost: listen.host,
    listenPort: listen.port,
    root: values.root === undefined ? undefined : valid(() => validateLockPath(values.root)),
    configFile: values.config,
    tokenFile: values['token-file'],
    accessLog: values['access-log'] === true,
    sessionTimeoutMs: values['session-timeout'] === undefined ? 10_000 : Math.max(1, parseDuration(values['session-timeout'], '--session-timeout')),
  };
}

/**
 * Parses the arguments after `zkurator`; `host` is elect's default `--id`.
 * @throws UsageError
 */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, host: string = hostname()): CliArgs {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': return parseRun(rest, env);
    case 'elect': return parseElect(rest, env, host);
    case 'status':
    case 'ls': return parseStatus(rest, env, command);
    case 'dev-server': return parseDevServer(rest);
    case 'revoke': return parseRevoke(rest, env);
    case 'serve': return parseServe(rest, env);
    case undefined: throw new UsageError('no command given');
    case 'help':
    case '-h':
    case '--help': return { name: 'help' };
    case '-V':
    case '--version': return { name: 'version' };
    default: throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}
