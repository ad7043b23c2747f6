// `zkurator revoke <node>` (the real executable, real server): asks a revocable holder to
// release, refuses nodes that are not lock nodes without writing, and exits like the other
// commands on bad input (64, before any connection) and an unreachable server (69).
import { expect } from 'chai';
import { Mutex } from '../lib/index.js';
import { killRunningClis, runCli } from './support/cli-process.js';
import { newClient, sharedConnectString, uniquePath } from './support/harness.js';

describe('zkurator revoke (the real executable, real server)', function () {
  this.timeout(30_000);

  afterEach(async () => {
    await killRunningClis();
  });

  it('asks a revocable holder to release (exit 0); the holder hears it', async () => {
    const client = await newClient();
    const lease = await new Mutex(client, uniquePath('cli-revoke'), { revocable: true }).acquire();
    const heard = new Promise<void>((resolve) => { lease.onRevokeRequested(() => resolve()); });
    const result = await runCli(['revoke', lease.path], { ZOOKEEPER_CONNECT: sharedConnectString() });
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain(`revocation requested: ${lease.path} (session ${client.sessionId})`);
    await heard;
    expect(lease.revokeSignal.aborted).to.equal(true);
    await lease.release();
  });

  it('a missing node exits 66; a node that is not a lock node (persistent) exits 65 and is not written', async () => {
    const client = await newClient();
    const path = uniquePath('cli-revoke-missing');
    const missing = await runCli(['revoke', `${path}/_c_x-lock-0000000000`], { ZOOKEEPER_CONNECT: sharedConnectString() });
    expect(missing.code).to.equal(66);
    expect(missing.stderr).to.match(/no node/);
    await client.createContainers(path);
    await client.setData(path, Buffer.from('config'));
    const persistent = await runCli(['revoke', path], { ZOOKEEPER_CONNECT: sharedConnectString() });
    expect(persistent.code).to.equal(65);
    expect(persistent.stderr).to.match(/not a lock node/);
    expect((await client.getData(path)).data.toString()).to.equal('config');
  });

  it('bad arguments exit 64 with the usage, before any connection; an unreachable server exits 69', async () => {
    for (const args of [['revoke'], ['revoke', 'relative'], ['revoke', '/a', '/b'], ['revoke', '/a', '--bogus'], ['revoke', '/a/']]) {
      const result = await runCli([...args, '--connect', '127.0.0.1:1']);
      expect(result.code, args.join(' ')).to.equal(64);
      expect(result.stderr, args.join(' ')).to.contain('Usage:');
    }
    const unreachable = await runCli(['revoke', '/a/b', '--connect', '127.0.0.1:1', '--connect-timeout', '1s']);
    expect(unreachable.code).to.equal(69);
  });
});
