// `zkurator revoke <node>` (the real executable, real server): asks a revocable holder to
// release, refuses nodes that are not lock nodes without writing, and exits like the other
// commands on bad input (64, before any connection) and an unreachable server (69).
import { expect } from 'chai';
import { Mutex, Semaphore } from '../lib/index.js';
import { CliProcess, killRunningClis, runCli } from './support/cli-process.js';
import { childrenOf, newClient, sharedConnectString, uniquePath } from './support/harness.js';

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

  it('takes the name as status lists it with --path (a V2 semaphore\'s leases too); a bare name without --path says to add it', async () => {
    const client = await newClient();
    const path = uniquePath('cli-revoke-name');
    const lease = await new Mutex(client, path, { revocable: true }).acquire();
    const env = { ZOOKEEPER_CONNECT: sharedConnectString() };
    const name = lease.path.slice(path.length + 1);
    const status = await runCli(['status', path], env);
    expect(status.stdout).to.contain(name); // what status prints is what revoke takes
    const bare = await runCli(['revoke', name], env);
    expect(bare.code).to.equal(64);
    expect(bare.stderr).to.contain(`revoke: "${name}" is not a full node path; for a name as status lists it, give its lock path: zkurator revoke --path <lock path> ${name}`);
    const byName = await runCli(['revoke', '--path', path, name], env);
    expect(byName.stderr).to.equal('');
    expect(byName.code).to.equal(0);
    expect(byName.stdout).to.contain(`revocation requested: ${lease.path}`);
    await lease.release();
    const missing = await runCli(['revoke', '--path', path, name], env);
    expect(missing.code).to.equal(66);
    expect(missing.stderr).to.contain(`no node ${name} under ${path}`);
    // a V2 semaphore: status lists the lease's name; it lives under <path>/leases (and its holder is not revocable)
    const semPath = uniquePath('cli-revoke-sem');
    const [semLease] = await new Semaphore(client, semPath, { maxLeases: 2 }).acquire();
    const refused = await runCli(['revoke', '--path', semPath, semLease!.nodeName], env);
    expect(refused.code).to.equal(65);
    expect(refused.stderr).to.contain(`the holder of ${semLease!.path} did not make its lock revocable`);
    await semLease!.release();
  });

  it('a holder that is not revocable: exit 65, nothing written; --force writes (and says the holder will not hear it)', async () => {
    const client = await newClient();
    const path = uniquePath('cli-revoke-not-revocable');
    const lease = await new Mutex(client, path).acquire();
    const before = (await client.getData(lease.path)).data;
    const env = { ZOOKEEPER_CONNECT: sharedConnectString() };
    const refused = await runCli(['revoke', lease.path], env);
    expect(refused.code).to.equal(65);
    expect(refused.stderr).to.contain(`zkurator: the holder of ${lease.path} did not make its lock revocable (a revocable lock's node is created empty; ` +
      `this one holds ${JSON.stringify(before.toString())}): it would never hear the request, and writing it would overwrite that data. Nothing was written; --force writes anyway`);
    expect((await client.getData(lease.path)).data).to.deep.equal(before);
    const forced = await runCli(['revoke', lease.path, '--force'], env);
    expect(forced.code).to.equal(0);
    expect(forced.stdout).to.contain(`revocation written (--force): ${lease.path}`);
    expect((await client.getData(lease.path)).data.toString()).to.equal('__REVOKE__');
    await lease.release();
  });

  it('run --revocable: a revocation request stops the command (SIGTERM), releases the lock and exits 76', async () => {
    const path = uniquePath('cli-run-revocable');
    const env = { ZOOKEEPER_CONNECT: sharedConnectString() };
    const script = "process.on('SIGTERM', () => { console.log('command got SIGTERM'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);";
    const run = new CliProcess(['run', path, '--revocable', '--', process.execPath, '-e', script], env);
    await run.waitFor(/ready/);
    const client = await newClient();
    const [name] = await childrenOf(client, path);
    expect((await client.getData(`${path}/${name}`)).data.length).to.equal(0); // a revocable node starts empty
    const revoked = await runCli(['revoke', '--path', path, name!], env);
    expect(revoked.code, revoked.stderr).to.equal(0);
    const exit = await run.exited;
    expect(exit.code).to.equal(76);
    expect(exit.stdout).to.contain('command got SIGTERM');
    expect(exit.stderr).to.contain(`zkurator: revocation of ${path}/${name} requested: releasing the lock; stopping the command (SIGTERM, SIGKILL after 10s)`);
    expect(await childrenOf(client, path)).to.deep.equal([]);
    const semaphore = await runCli(['run', path, '--revocable', '--semaphore', '2', '--', 'true'], env);
    expect(semaphore.code).to.equal(64);
    expect(semaphore.stderr).to.contain('--revocable does not go with --semaphore');
  });

  it('bad arguments exit 64 with the usage, before any connection; an unreachable server exits 69', async () => {
    for (const args of [['revoke'], ['revoke', 'relative'], ['revoke', '/a', '/b'], ['revoke', '/a', '--bogus'], ['revoke', '/a/'],
      ['revoke', '--path', '/a', 'b/c'], ['revoke', '--path', 'relative', 'b']]) {
      const result = await runCli([...args, '--connect', '127.0.0.1:1']);
      expect(result.code, args.join(' ')).to.equal(64);
      expect(result.stderr, args.join(' ')).to.contain('Usage:');
    }
    const unreachable = await runCli(['revoke', '/a/b', '--connect', '127.0.0.1:1', '--connect-timeout', '1s']);
    expect(unreachable.code).to.equal(69);
  });
});
