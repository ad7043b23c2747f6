// The same throwaway server as local-zookeeper.ts, but in a Docker container, for machines
// with a Docker engine and no local ZooKeeper. Host networking only: the server listens on
// 127.0.0.1:<port> exactly like a local one (and works where Docker has no bridge network).
// The image is built locally by scripts/docker/build-image.sh (shipped in the package); no
// registry is needed.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { prepareStandalone, zooKeeperJavaArgs, type LocalServer } from './local-zookeeper.js';
import { startWatchedServer } from './watched-server.js';

/** The image scripts/docker/build-image.sh builds (override with ZKURATOR_ZOOKEEPER_IMAGE). */
export function zooKeeperImage(): string {
  return process.env.ZKURATOR_ZOOKEEPER_IMAGE || 'zkurator/zookeeper:3.8';
}

/** True when a Docker engine answers and has the ZooKeeper image. */
export function dockerZooKeeperAvailable(): boolean {
  return spawnSync('docker', ['image', 'inspect', zooKeeperImage()], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/**
 * The script that builds the image, where it is on this machine: in a clone, or in the
 * installed package (package.json's `files` ships it). dist/lib/cli/ -> the package root.
 */
export function buildImageScript(): string {
  return fileURLToPath(new URL('../../../scripts/docker/build-image.sh', import.meta.url));
}

/** Why no server can be started in Docker (for the user: what to do), or undefined when one can. */
export function dockerZooKeeperProblem(): string | undefined {
  if (dockerZooKeeperAvailable()) return undefined;
  const engine = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore', timeout: 10_000 });
  if ((engine.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return 'no `docker` command (install Docker)';
  if (engine.error !== undefined || engine.status !== 0) return 'no Docker engine answers (`docker version` fails)';
  return `the image ${zooKeeperImage()} is missing; build it on this machine (no registry needed; root and debootstrap, a few minutes): ` +
    `sudo bash ${buildImageScript()}`;
}

/**
 * Starts a standalone server container on 127.0.0.1:`port` (host network), its config and
 * data in a host temp dir bind-mounted at the same path. The `docker run` client stays
 * attached (its output is the server log) under the watchdog, which removes the container and
 * the dir when this process goes, however it goes (see server-watchdog.ts). Readiness is the
 * caller's to check.
 */
export async function startDockerZooKeeper(port: number, tickTime: number): Promise<LocalServer> {
  const { dir, configFile, logFile } = prepareStandalone(port, tickTime);
  const container = `zkurator-dev-${randomUUID().slice(0, 8)}`;
  const server = await startWatchedServer({
    command: ['docker', 'run', '--rm', '--network', 'host', '--name', container, '-v', `${dir}:${dir}`,
      zooKeeperImage(), 'java', ...zooKeeperJavaArgs(configFile, { local: false })],
    stopCommand: ['docker', 'rm', '-f', container],
    logFile,
    dir,
  });
  return { connectString: `127.0.0.1:${port}`, port, dir, pid: server.pid, container, exited: server.exited, logTail: server.logTail, stop: server.stop };
}
