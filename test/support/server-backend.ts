// Where the test rig runs its ZooKeeper JVMs: as local processes from Debian's install (the
// default), or in Docker containers through testcontainers when there is no local install
// and a Docker engine is reachable (or when ZKURATOR_TEST_BACKEND=docker asks for it).
// Either way a server listens on 127.0.0.1:<port> with its config and data in a host dir:
// containers use host networking and bind-mount that dir at the same path.
import { createWriteStream } from 'node:fs';
import { dockerZooKeeperAvailable, zooKeeperImage } from '../../lib/cli/docker-zookeeper.js';
import { localZooKeeperAvailable, spawnZooKeeper, zooKeeperJavaArgs, type JvmOptions } from '../../lib/cli/local-zookeeper.js';

/** One running server JVM. */
export interface ServerRun {
  /** Resolves when the JVM has ended. */
  readonly exited: Promise<void>;
  readonly running: boolean;
  /** SIGTERM (graceful) or SIGKILL, and wait for the end. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export interface ServerSpec {
  configFile: string;
  logFile: string;
  /** Host dir holding the config and data (bind-mounted into a container). */
  dir: string;
  jvm: JvmOptions;
}

export type Backend = 'local' | 'docker';

let chosen: Backend | undefined;

/** The backend for this run: ZKURATOR_TEST_BACKEND, else local if installed, else Docker. */
export function serverBackend(): Backend {
  if (chosen) return chosen;
  const wanted = process.env.ZKURATOR_TEST_BACKEND;
  if (wanted === 'local' || wanted === 'docker') return (chosen = wanted);
  if (wanted) throw new Error(`ZKURATOR_TEST_BACKEND must be "local" or "docker", got ${JSON.stringify(wanted)}`);
  if (localZooKeeperAvailable()) return (chosen = 'local');
  if (dockerZooKeeperAvailable()) return (chosen = 'docker');
  throw new Error(`No ZooKeeper for the tests: install Debian's "zookeeper" package (scripts/install-deps.sh --test installs it and the rest the tests need), or start a Docker engine and build ${zooKeeperImage()} (scripts/docker/build-image.sh), or set ZOOKEEPER_CONNECT=host:port`);
}

export function launchServer(spec: ServerSpec): Promise<ServerRun> {
  return serverBackend() === 'local' ? Promise.resolve(launchLocal(spec)) : launchContainer(spec);
}

function launchLocal(spec: ServerSpec): ServerRun {
  const child = spawnZooKeeper(spec.configFile, spec.logFile, spec.jvm);
  let running = true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { running = false; resolve(); }));
  return {
    exited,
    get running() { return running; },
    async stop(signal) {
      if (!running) return;
      child.kill(signal);
      await exited;
    },
  };
}

async function launchContainer(spec: ServerSpec): Promise<ServerRun> {
  // Ryuk (testcontainers' reaper) is an image from a registry, which is not reachable here;
  // the rig removes its containers itself (stop() below, and destroy() after every run).
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // Host networking: servers are on 127.0.0.1. Without this, testcontainers running inside a
  // container looks for the gateway of Docker's bridge network, which does not exist here.
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
  const log = createWriteStream(spec.logFile, { flags: 'a' });
  const container = await new GenericContainer(zooKeeperImage())
    .withNetworkMode('host')
    .withBindMounts([{ source: spec.dir, target: spec.dir, mode: 'rw' }])
    .withCommand(['java', ...zooKeeperJavaArgs(spec.configFile, { ...spec.jvm, local: false })])
    .withLogConsumer((stream) => stream.pipe(log))
    .start();
  // The engine tells when the container ends, whoever ends it (stop() below, or the JVM dying
  // by itself), as the local backend's child process 'exit' does.
  const handle = (await getContainerRuntimeClient()).container.getById(container.getId());
  let running = true;
  // resolves once the log is complete on disk (a server that exits at start is told by its log)
  const exited = untilContainerEnds(handle, (note) => log.write(`\n[zkurator test rig] ${note}\n`)).then(() => {
    running = false;
    return new Promise<void>((resolve) => { log.once('error', () => resolve()); log.end(() => resolve()); });
  });
  let removal: Promise<unknown> | undefined;
  return {
    exited,
    get running() { return running; },
    async stop(signal) {
      // docker stop: SIGTERM, then SIGKILL after the timeout (0: at once), then removal; also
      // for a container that already ended by itself, so none is left behind
      removal ??= container.stop({ timeout: signal === 'SIGKILL' || !running ? 0 : 10_000 });
      await removal;
      await exited;
    },
  };
}

/** The engine's part of a container the rig waits on. */
export interface ContainerHandle {
  wait(options: { condition: 'not-running' }): Promise<unknown>;
  inspect(): Promise<{ State: { Running: boolean } }>;
}

/**
 * Resolves once the container is not running (or gone). A wait that fails while the container
 * still runs (a dropped engine connection) is asked again, a few times; then the container is
 * reported as ended with a note in its log, so nothing waits on it forever.
 */
export async function untilContainerEnds(handle: ContainerHandle, note: (text: string) => void): Promise<void> {
  for (let failures = 1; ; failures++) {
    try {
      await handle.wait({ condition: 'not-running' });
      return;
    } catch (err) {
      const stillRunning = await handle.inspect().then((info) => info.State.Running, () => false);
      if (!stillRunning) return;
      if (failures >= 5) {
        note(`waiting on the container failed ${failures} times while it runs (${String(err)}); reported as ended`);
        return;
      }
    }
  }
}
