// `zkurator dev-server`: a throwaway ZooKeeper for demos and experiments. Prints the connection
// string on stdout (so `export ZOOKEEPER_CONNECT=$(zkurator dev-server &)` style use works),
// runs until Ctrl-C, SIGTERM or SIGHUP, or until the process that started it ends, then removes
// the server and its data. Killed outright (SIGKILL), it takes them along all the same: the
// server runs under a watchdog that ends it when this process's pipe closes.
import { connect } from '../framework/zk-client.js';
import type { DevServerArgs } from './args.js';
import { CliFailure } from './cli-failure.js';
import { dockerZooKeeperProblem, startDockerZooKeeper } from './docker-zookeeper.js';
import { ExitCode } from './exit-codes.js';
import type { TextSink } from './queue-progress.js';
import { freeLoopbackPort, localZooKeeperAvailable, startLocalZooKeeper, type LocalServer } from './local-zookeeper.js';
import { whenParentEnds } from './parent-watch.js';

/** What a user of the package does to get a local server: one command, no clone needed. */
const INSTALL_LOCAL = 'install Debian\'s "zookeeper" package, which brings a Java runtime: sudo apt-get install --no-install-recommends zookeeper';

function chooseBackend(wanted: DevServerArgs['backend']): 'local' | 'docker' {
  if (wanted === 'local' && !localZooKeeperAvailable()) {
    throw new CliFailure(ExitCode.UNAVAILABLE, `no local ZooKeeper (Debian's jars in /usr/share/java, and java): ${INSTALL_LOCAL}`);
  }
  if (wanted === 'docker') {
    const problem = dockerZooKeeperProblem();
    if (problem !== undefined) throw new CliFailure(ExitCode.UNAVAILABLE, `cannot start ZooKeeper in Docker: ${problem}`);
    return 'docker';
  }
  if (wanted === 'local' || localZooKeeperAvailable()) return 'local';
  const problem = dockerZooKeeperProblem();
  if (problem === undefined) return 'docker';
  throw new CliFailure(ExitCode.UNAVAILABLE, `no ZooKeeper to start: ${INSTALL_LOCAL}; or, to run it in Docker: ${problem}`);
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
  const server = backend === 'local' ? await startLocalZooKeeper(bound, tickTimeMs) : await startDockerZooKeeper(bound, tickTimeMs);
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
  // Listening from the start: a signal that came before the handlers (during start-up, or
  // just after the banner) would end this process with the signal's default action. A second
  // Ctrl-C while the server starts still ends it at once (`once`), and the watchdog cleans up.
  let stopRequested = false;
  const stopSignal = new Promise<'stop'>((resolve) => {
    const requestStop = (): void => {
      stopRequested = true;
      resolve('stop');
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, requestStop);
    whenParentEnds(requestStop);
  });
  const server = await startDevServer(args.port, args.tickTimeMs, backend);
  if (!stopRequested) {
    stdout.write(`${server.connectString}\n`);
    const serverProcess = server.container === undefined ? `pid ${server.pid ?? '?'}` : `container ${server.container}`;
    stderr.write(`zkurator: ZooKeeper (${backend}, ${serverProcess}) serving on ${server.connectString}, data in ${server.dir}\n` +
      `zkurator: export ZOOKEEPER_CONNECT=${server.connectString}   (Ctrl-C stops and removes it)\n`);
  }
  const outcome = await Promise.race([stopSignal, server.exited.then(() => 'exited' as const)]);
  const tail = outcome === 'exited' ? server.logTail() : '';
  await server.stop();
  if (outcome === 'exited') throw new CliFailure(ExitCode.INTERNAL, `ZooKeeper exited unexpectedly:\n${tail}`);
  return ExitCode.OK;
}
