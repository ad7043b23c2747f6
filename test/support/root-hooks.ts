// Mocha root hooks: one standalone ZooKeeper for the whole run (or ZOOKEEPER_CONNECT), and a
// check that every test closed what it opened.
import { ZkCluster } from './zk-server.js';
import { serverBackend } from './server-backend.js';
import { closeTrackedClients, setSharedConnectString } from './harness.js';

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
  },
  async afterAll(): Promise<void> {
    await cluster?.destroy();
  },
};
