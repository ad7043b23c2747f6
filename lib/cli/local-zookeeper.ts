// A throwaway ZooKeeper server run from the local install (Debian's `zookeeper` package: jars
// in /usr/share/java, started with `java`). Used by `zkurator dev-server`, the demo and the
// test rig, so all three start servers the same way.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWatchedServer } from './watched-server.js';

const JAVA_DIR = '/usr/share/java';
const SERVER_JARS = [
  'zookeeper.jar', 'zookeeper-jute.jar', 'netty-handler.jar', 'netty-transport.jar',
  'netty-common.jar', 'netty-buffer.jar', 'netty-resolver.jar', 'netty-codec.jar',
  'netty-transport-native-epoll.jar', 'netty-transport-native-unix-common.jar',
  'slf4j-api.jar', 'slf4j-simple.jar', 'metrics-core.jar', 'snappy-java.jar', 'commons-io.jar',
  'audience-annotations.jar', 'commons-cli.jar',
];

export const STANDALONE_MAIN = 'org.apache.zookeeper.server.ZooKeeperServerMain';
export const QUORUM_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

/** True when ZooKeeper's jars and a `java` to run them are installed. */
export function localZooKeeperAvailable(): boolean {
  return existsSync(join(JAVA_DIR, 'zookeeper.jar')) && spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The server's class path: Debian's jars that exist here, or (`local: false`, for a Debian
 * container image) all of them.
 */
export function zooKeeperServerClasspath(local = true): string {
  return SERVER_JARS.map((j) => join(JAVA_DIR, j)).filter((p) => !local || existsSync(p)).join(':');
}

/**
 * A free loopback port: `port` itself if it can be bound (rejects with EADDRINUSE if not),
 * or any free one for 0.
 */
export function freeLoopbackPort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(bound));
    });
  });
}

export interface ServerConfig {
  dataDir: string;
  clientPort: number;
  /** ms; sessions may last 2..20 ticks. */
  tickTime: number;
  /** More zoo.cfg lines (ensemble members, container reaping...). */
  extra?: readonly string[];
}

/**
 * zoo.cfg lines for a loopback-only server. fsync is off (forceSync=no): these servers are
 * throwaway, and with it on the disk, not the lock code, sets the pace.
 */
export function zooCfgLines(config: ServerConfig): string[] {
  return [
    `tickTime=${config.tickTime}`,
    `dataDir=${config.dataDir}`,
    `clientPort=${config.clientPort}`,
    'clientPortAddress=127.0.0.1',
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
    'maxClientCnxns=0',
    'forceSync=no',
    ...(config.extra ?? []),
  ];
}

/**
 * The JVM flags of a throwaway server (dev-server, tests): a fast start and a small footprint
 * (the C1 JIT only, the serial GC, a small heap), not the throughput of a long-running server.
 */
export const FAST_START_JVM_FLAGS: readonly string[] = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

export interface JvmOptions {
  /** STANDALONE_MAIN (default) or QUORUM_MAIN. */
  mainClass?: string;
  /**
   * JVM flags (heap, GC, JIT) in place of {@link FAST_START_JVM_FLAGS}, e.g. a benchmark's server
   * run as in production.
   */
  flags?: readonly string[];
  /** Extra -D properties. */
  jvmProps?: readonly string[];
  /** False when the JVM runs in a container: the class path is not checked against this host. */
  local?: boolean;
}

/** The `java` arguments that run a server from `configFile` (also used inside containers). */
export function zooKeeperJavaArgs(configFile: string, options: JvmOptions = {}): string[] {
  return [
    ...(options.flags ?? FAST_START_JVM_FLAGS), '-Dzookeeper.admin.enableServer=false',
    ...(options.jvmProps ?? []), '-cp', zooKeeperServerClasspath(options.local ?? true), options.mainClass ?? STANDALONE_MAIN, configFile,
  ];
}

/** Starts a server JVM with its output going to `logFile`. */
export function spawnZooKeeper(configFile: string, logFile: string, options: JvmOptions = {}): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    return spawn('java', zooKeeperJavaArgs(configFile, options), { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
}

/** A running standalone server with its own temp dir; `stop()` kills it and removes the dir. */
export interface LocalServer {
  readonly connectString: string;
  readonly port: number;
  readonly dir: string;
  /** Pid of the server's JVM (local), or of the `docker run` client (docker); undefined if it never started. */
  readonly pid: number | undefined;
  /** The container's name (docker backend). */
  readonly container?: string;
  /** Resolves when the server process exits (for whatever reason). */
  readonly exited: Promise<void>;
  /** The end of the server log, for error messages. */
  logTail(): string;
  stop(): Promise<void>;
}

/** A fresh temp dir with a standalone server's zoo.cfg and empty data dir. */
export function prepareStandalone(port: number, tickTime: number): { dir: string; configFile: string; logFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'zkurator-dev-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const configFile = join(dir, 'zoo.cfg');
  writeFileSync(configFile, zooCfgLines({ dataDir, clientPort: port, tickTime }).join('\n') + '\n');
  return { dir, configFile, logFile: join(dir, 'server.log') };
}

/**
 * Starts a standalone server on a free `port`, under a watchdog that kills it and removes its
 * dir when this process goes, however it goes (see server-watchdog.ts). Readiness is the
 * caller's to check.
 */
export async function startLocalZooKeeper(port: number, tickTime: number): Promise<LocalServer> {
  const { dir, configFile, logFile } = prepareStandalone(port, tickTime);
  const server = await startWatchedServer({ command: ['java', ...zooKeeperJavaArgs(configFile)], logFile, dir });
  return { connectString: `127.0.0.1:${port}`, port, dir, pid: server.pid, exited: server.exited, logTail: server.logTail, stop: server.stop };
}
