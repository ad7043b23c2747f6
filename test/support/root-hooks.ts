// Mocha root hooks: one standalone ZooKeeper for the whole run (or ZOOKEEPER_CONNECT), and a
// check that every test closed what it opened and sent nothing malformed through a TcpProxy.
import { ZkCluster } from './zk-server.js';
import { serverBackend } from './server-backend.js';
import { closeTrackedClients, setSharedConnectString } from './harness.js';
import { TcpProxy } from './tcp-proxy.js';
import { watchForExit } from './exit-watch.js';

let cluster: ZkCluster | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(120_000);
    const external = process.env.ZOOKEEPER_CONNECT;
    if (external) {
      setSharedConnectString(external);
      return;
    }
    serverBackend(); // fails with instructions when there is no way to start a server
    cluster = await ZkCluster.standalone();
    setSharedConnectString(cluster.connectString);
  },
  async afterEach(): Promise<void> {
    await closeTrackedClients();
    TcpProxy.checkAll(); // a malformed stream through a proxy fails the test that made it
  },
  async afterAll(): Promise<void> {
    await cluster?.destroy();
  },
};

/** Mocha's global teardown: from here on the process must exit by itself (see exit-watch.ts). */
export function mochaGlobalTeardown(): void {
  watchForExit();
}
