// The same throwaway server as local-zookeeper.ts, but in a Docker container, for machines
// with a Docker engine and no local ZooKeeper. Host networking only: the server listens on
// 127.0.0.1:<port> exactly like a local one (and works where Docker has no bridge network).
// The image is built locally by scripts/docker/build-image.sh; no registry is needed.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import { prepareStandalone, zooKeeperJavaArgs, type LocalServer } from './local-zookeeper.js';

const run = promisify(execFile);

/** The image scripts/docker/build-image.sh builds (override with ZKURATOR_ZOOKEEPER_IMAGE). */
export function zooKeeperImage(): string {
  return process.env.ZKURATOR_ZOOKEEPER_IMAGE || 'zkurator/zookeeper:3.8';
}

/** True when a Docker engine answers and has the ZooKeeper image. */
export function dockerZooKeeperAvailable(): boolean {
  return spawnSync('docker', ['image', 'inspect', zooKeeperImage()], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/**
 * Starts a standalone server container on 127.0.0.1:`port` (host network), its config and
 * data in a host temp dir bind-mounted at the same path. Readiness is the caller's to check.
 */
export async function startDockerZooKeeper(port: number, tickTime: number): Promise<LocalServer> {
  const { dir, configFile } = prepareStandalone(port, tickTime);
  const name = `zkurator-dev-${randomUUID().slice(0, 8)}`;
  try {
    await run('docker', ['run', '-d', '--rm', '--network', 'host', '--name', name, '-v', `${dir}:${dir}`,
      zooKeeperImage(), 'java', ...zooKeeperJavaArgs(configFile, { local: false })]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const waiter = spawn('docker', ['wait', name], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => waiter.once('exit', () => resolve()));
  return {
    connectString: `127.0.0.1:${port}`,
    port,
    dir,
    exited,
    logTail: () => spawnSync('docker', ['logs', '--tail', '15', name], { encoding: 'utf8' }).stdout ?? '',
    stop: async () => {
      await run('docker', ['rm', '-f', name]).catch(() => undefined);
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
