// A real 3-node ensemble for one mocha suite: started before its tests, destroyed after.
import { ZkCluster } from './zk-server.js';

/** Registers before/after hooks in the calling suite; the getter returns the ensemble. */
export function useEnsemble(size = 3): () => ZkCluster {
  let ensemble: ZkCluster | undefined;
  before(async function () {
    this.timeout(120_000);
    ensemble = await ZkCluster.ensemble(size);
  });
  after(async () => {
    await ensemble?.destroy();
  });
  return () => {
    if (!ensemble) throw new Error('ensemble not started');
    return ensemble;
  };
}
