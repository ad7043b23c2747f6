// `zkurator dev-server`: a throwaway ZooKeeper for demos and experiments. Prints the connection
// string on stdout (so `export ZOOKEEPER_CONNECT=$(zkurator dev-server &)` style use works),
// runs until Ctrl-C or SIGTERM, then removes the server and its data.
import { connect } from '../framework/zk-client.js';
import type { DevServerArgs } from './args.js';
import { CliFailure } from './cli-failure.js';
import { dockerZooKeeperAvailable, startDockerZooKeeper, zooKeeperImage } from './docker-zookeeper.js';
import { ExitCode } from './exit-codes.js';
import type { TextSink } from './queue-progress.js';
import { freeLoopbackPort, localZooKeeperAvailable, startLocalZooKeeper, type LocalServer } from './local-zookeeper.js';


function chooseBackend(wanted: DevServerArgs['backend']): 'local' | 'docker' {
  if (wanted === 'local' && !localZooKeeperAvailable()) {
    throw new CliFailure(ExitCode.UNAVAILABLE, 'no local ZooKeeper: install Debian\'s "zookeeper" package (scripts/install-deps.sh) and a Java runtime');
  }
  if (wanted === 'docker' && !dockerZooKeeperAvailable()) {
    throw new CliFailure(ExitCode.UNAVAILABLE, `no Docker engine with the image ${zooKeeperImage()} (build it with scripts/docker/build-image.sh)`);
  }
  if (wanted !== 'auto') return wanted;
  if (localZooKeeperAvailable()) return 'local';
  if (dockerZooKeeperAvailable()) return 'docker';
  throw new CliFailure(ExitCode.UNAVAILABLE, `no ZooKeeper to start: install Debian's "zookeeper" package, or start Docker and build ${zooKeeperImage()} (scripts/docker/build-image.sh)`);
}

/** Starts a server and resolves once it accepts sessions; rejects (server removed) if it dies first. */
export async function startDevServer(port: number, tickTimeMs: number, backend: 'local' | 'docker'): Promise<LocalServer> {
  let bound: number;
  try {
    bound = await freeLoopbackPort(port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliFailure(ExitCode.UNAVAILABLE, `port ${port} on 127.0.0.1 is in use (another ZooKeeper?); use --port 0 for any free port`);
    }
    throw err;
  }
  const server = backend === 'local' ? startLocalZooKeeper(bound, tickTimeMs) : await startDockerZooKeeper(bound, tickTimeMs);
  const died = server.exited.then(() => {
    throw new CliFailure(ExitCode.INTERNAL, `ZooKeeper exited during start-up:\n${server.logTail()}`);
  });
  try {
    const probe = await Promise.race([connect(server.connectString, { connectTimeout: 60_000 }), died]);
    await probe.close();
  } catch (err) {
    await server.stop();
    throw err;
  }
  died.catch(() => undefined);
  return server;
}

export async function devServerCommand(args: DevServerArgs, stdout: TextSink, stderr: TextSink): Promise<number> {
  const backend = chooseBackend(args.backend);
  const server = await startDevServer(args.port, args.tickTimeMs, backend);
  stdout.write(`${server.connectString}\n`);
  stderr.write(`zkurator: ZooKeeper (${backend}) serving on ${server.connectString}, data in ${server.dir}\n` +
    `zkurator: export ZOOKEEPER_CONNECT=${server.connectString}   (Ctrl-C stops and removes it)\n`);
  const outcome = await new Promise<'signal' | 'exited'>((resolve) => {
    const onSignal = (): void => resolve('signal');
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, onSignal);
    void server.exited.then(() => resolve('exited'));
  });
  const tail = outcome === 'exited' ? server.logTail() : '';
  await server.stop();
  if (outcome === 'exited') throw new CliFailure(ExitCode.INTERNAL, `ZooKeeper exited unexpectedly:\n${tail}`);
  return ExitCode.OK;
}
