// Real ZooKeeper servers for the tests: standalone or a 3-node ensemble on free loopback
// ports, each with a fresh data dir, started from Debian's jars (see environment.md).
// Every process we start is tracked by pid and killed on stop; we never touch others.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUORUM_MAIN, STANDALONE_MAIN, zooCfgLines, type JvmOptions } from '../../lib/cli/local-zookeeper.js';
import { launchServer, type ServerRun } from './server-backend.js';
import { freePort } from './ports.js';
import { fourLetterWord } from './four-letter.js';
import { pollUntil } from './poll.js';

export interface ServerOptions {
  /** ZooKeeper tickTime in ms; min session timeout is 2 ticks, max 20 ticks. */
  tickTime?: number;
  /** Container reaping interval (znode.container.checkIntervalMs), for container tests. */
  containerCheckIntervalMs?: number;
  /** Extra zoo.cfg lines. */
  extraConfig?: string[];
  /** Extra JVM system properties, e.g. `-Dzookeeper.extendedTypesEnabled=true` (TTL nodes). */
  jvmProps?: string[];
  /**
   * JVM flags (heap, GC, JIT) in place of the fast-start ones every test server uses
   * (FAST_START_JVM_FLAGS); the benchmark runs its server with production's.
   */
  jvmFlags?: readonly string[];
  /** Also serve TLS on a `secureClientPort` (standalone only; the plain clientPort stays open). */
  secure?: SecureClientPort;
}

/**
 * A TLS client port: Java key and trust stores (PKCS12 files, copied into the server's dir
 * so a container sees them too) and whether clients must present a certificate.
 */
export interface SecureClientPort {
  keyStore: string;
  trustStore: string;
  /** Password of both stores. */
  password: string;
  /** `need`: mutual TLS, a client without a certificate the trust store accepts is refused. */
  clientAuth: 'none' | 'want' | 'need';
}

/** True once something accepts TCP connections on the loopback `port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = netConnect({ host: '127.0.0.1', port });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => { sock.destroy(); resolve(false); });
  });
}

interface MemberSpec {
  id: number;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
}

/** One ZooKeeper server (standalone, or one member of an ensemble), local or in a container. */
export class ZkServerProcess {
  private run: ServerRun | undefined;

  constructor(
    readonly id: number,
    readonly clientPort: number,
    private readonly configFile: string,
    private readonly logFile: string,
    /** Host dir with every member's config and data (a container mounts it). */
    private readonly dir: string,
    private readonly jvm: JvmOptions,
    /** The TLS client port, when the server has one. */
    readonly securePort?: number,
  ) {}

  get connectString(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  /** Connection string of the TLS port (throws when the server has none). */
  get secureConnectString(): string {
    if (this.securePort === undefined) throw new Error(`server ${this.id} has no secureClientPort`);
    return `127.0.0.1:${this.securePort}`;
  }

  get running(): boolean {
    return this.run?.running ?? false;
  }

  /** Starts the JVM (use waitServing for readiness). */
  async start(): Promise<void> {
    if (this.running) throw new Error(`server ${this.id} already running`);
    this.run = await launchServer({ configFile: this.configFile, logFile: this.logFile, dir: this.dir, jvm: this.jvm });
  }

  /**
   * Waits until the server answers `srvr` as serving and (with a secureClientPort) that port
   * accepts connections too: it is bound after the plain one.
   */
  async waitServing(timeoutMs = 30_000): Promise<void> {
    await pollUntil(async () => {
      if (!this.running) throw new Error(`server ${this.id} exited before serving; the end of its log (${this.logFile}, removed with its cluster):\n${await this.logTail()}`);
      try {
        const srvr = await fourLetterWord(this.clientPort, 'srvr');
        if (!/Mode: (standalone|leader|follower)/.test(srvr)) return false;
      } catch {
        return false;
      }
      return this.securePort === undefined || accepts(this.securePort);
    }, { timeoutMs, intervalMs: 100, what: `ZooKeeper server ${this.id} serving on ${this.clientPort}${this.securePort === undefined ? '' : ` and ${this.securePort}`}` });
  }

  /** The last lines of the server's log, once the process has ended and its log is complete. */
  private async logTail(lines = 30): Promise<string> {
    await this.run?.exited;
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `  | ${l}`).join('\n');
    } catch (err) {
      return `  (no log: ${String(err)})`;
    }
  }

  /** The server's mode from `srvr` ("leader", "follower", "standalone"), or undefined. */
  async mode(): Promise<string | undefined> {
    try {
      return /Mode: (\w+)/.exec(await fourLetterWord(this.clientPort, 'srvr'))?.[1];
    } catch {
      return undefined;
    }
  }

  /** SIGTERM (graceful) or SIGKILL the process and wait for it to exit. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): Promise<void> {
    await this.run?.stop(signal);
  }
}

function writeConfig(dir: string, lines: string[]): string {
  const file = join(dir, 'zoo.cfg');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function baseConfig(dataDir: string, clientPort: number, opts: ServerOptions): string[] {
  return zooCfgLines({ dataDir, clientPort, tickTime: opts.tickTime ?? 500, extra: opts.extraConfig ?? [] });
}

/**
 * zoo.cfg lines for a TLS client port, its stores copied into `dir`. ZooKeeper 3.8 turns
 * every zoo.cfg key it does not know into the system property `zookeeper.<key>`, which is
 * where it reads these from (`zookeeper.serverCnxnFactory`, `zookeeper.ssl.*`): no -D needed.
 * TLS needs the Netty connection factory (NIO has no TLS).
 */
function secureConfig(dir: string, port: number, secure: SecureClientPort): string[] {
  const keyStore = join(dir, 'keystore.p12');
  const trustStore = join(dir, 'truststore.p12');
  copyFileSync(secure.keyStore, keyStore);
  copyFileSync(secure.trustStore, trustStore);
  return [
    `secureClientPort=${port}`,
    'secureClientPortAddress=127.0.0.1',
    'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
    `ssl.keyStore.location=${keyStore}`,
    `ssl.keyStore.password=${secure.password}`,
    'ssl.keyStore.type=PKCS12',
    `ssl.trustStore.location=${trustStore}`,
    `ssl.trustStore.password=${secure.password}`,
    'ssl.trustStore.type=PKCS12',
    `ssl.clientAuth=${secure.clientAuth}`,
  ];
}

function jvm(mainClass: string, opts: ServerOptions): JvmOptions {
  return {
    mainClass,
    ...(opts.jvmFlags === undefined ? {} : { flags: opts.jvmFlags }),
    jvmProps: [
      ...(opts.containerCheckIntervalMs === undefined ? [] : [`-Dznode.container.checkIntervalMs=${opts.containerCheckIntervalMs}`]),
      ...(opts.jvmProps ?? []),
    ],
  };
}

/** A standalone server or an ensemble, with helpers to stop, kill and restart members. */
export class ZkCluster {
  private constructor(
    readonly members: ZkServerProcess[],
    private readonly rootDir: string,
    /** A standalone server's data dir (for {@link wipe}). */
    private readonly dataDir?: string,
  ) {}

  /** Client connection string over every member. */
  get connectString(): string {
    return this.members.map((m) => m.connectString).join(',');
  }

  static async standalone(opts: ServerOptions = {}): Promise<ZkCluster> {
    const root = mkdtempSync(join(tmpdir(), 'zkurator-zk-'));
    const clientPort = await freePort();
    const securePort = opts.secure ? await freePort() : undefined;
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const tls = opts.secure && securePort !== undefined ? secureConfig(root, securePort, opts.secure) : [];
    const cfg = writeConfig(root, [...baseConfig(dataDir, clientPort, opts), ...tls]);
    const server = new ZkServerProcess(1, clientPort, cfg, join(root, 'server.log'), root, jvm(STANDALONE_MAIN, opts), securePort);
    const cluster = new ZkCluster([server], root, dataDir);
    try {
      await server.start();
      await server.waitServing();
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
    return cluster;
  }

  static async ensemble(size = 3, opts: ServerOptions = {}): Promise<ZkCluster> {
    if (opts.secure) throw new Error('secure: standalone servers only');
    const root = mkdtempSync(join(tmpdir(), 'zkurator-ens-'));
    const specs: MemberSpec[] = [];
    for (let id = 1; id <= size; id++) {
      specs.push({ id, clientPort: await freePort(), quorumPort: await freePort(), electionPort: await freePort() });
    }
    const serverLines = specs.map((s) => `server.${s.id}=127.0.0.1:${s.quorumPort}:${s.electionPort}`);
    const members = specs.map((s) => {
      const dir = join(root, `server${s.id}`);
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'myid'), `${s.id}\n`);
      const cfg = writeConfig(dir, [
        ...baseConfig(dataDir, s.clientPort, opts),
        'initLimit=20', 'syncLimit=10', 'electionPortBindRetry=0',
        ...serverLines,
      ]);
      return new ZkServerProcess(s.id, s.clientPort, cfg, join(dir, 'server.log'), root, jvm(QUORUM_MAIN, opts));
    });
    const cluster = new ZkCluster(members, root);
    try {
      await Promise.all(members.map((m) => m.start()));
      await Promise.all(members.map((m) => m.waitServing(60_000)));
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
    return cluster;
  }

  member(id: number): ZkServerProcess {
    const m = this.members.find((x) => x.id === id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  /** The current leader of an ensemble (undefined for standalone or during an election). */
  async leader(): Promise<ZkServerProcess | undefined> {
    for (const m of this.members) {
      if (m.running && (await m.mode()) === 'leader') return m;
    }
    return undefined;
  }

  async restart(id: number): Promise<void> {
    const m = this.member(id);
    if (!m.running) await m.start();
    await m.waitServing(60_000);
  }

  /**
   * Standalone only: kills the server, deletes its data and starts it again empty on the same
   * port, as a cluster scaled to zero and back (no session, no node survives).
   */
  async wipe(): Promise<void> {
    const dataDir = this.dataDir;
    const server = this.members[0];
    if (dataDir === undefined || !server) throw new Error('wipe(): standalone servers only');
    await server.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir);
    await server.start();
    await server.waitServing();
  }

  /** Stops every member and removes the data dirs. */
  async destroy(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop('SIGKILL')));
    rmSync(this.rootDir, { recursive: true, force: true });
  }
}
