// The CLI on a secured ensemble: --auth-file / ZKURATOR_AUTH_FILE, --tls-ca/--tls-cert/--tls-key
// and their environment variables, a protected lock path (exit 77 with what was refused, no
// stack trace), and no secret ever printed. Real executable, real servers.
import { expect } from 'chai';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMode, Mutex, Perms, digestId, type ACL, type ZkClient } from '../lib/index.js';
import { CliProcess } from './support/cli-process.js';
import { childrenOf, newClient, sharedConnectString, uniquePath } from './support/harness.js';
import { makeTestPki, type TestPki } from './support/tls-pki.js';
import { ZkCluster } from './support/zk-server.js';

const SECRET = 'cli-very-secret-password';
const USER = 'cli-user';
const AUTH = [{ scheme: 'digest', credentials: `${USER}:${SECRET}` }];

/** A lock path where only USER may do anything and everyone else has `othersPerms`. */
async function protectedPath(admin: ZkClient, othersPerms: number): Promise<string> {
  const path = uniquePath('cli-acl');
  await admin.createContainers(path.slice(0, path.lastIndexOf('/')));
  const acl: ACL[] = [{ perms: Perms.ALL, id: digestId(USER, SECRET) }];
  if (othersPerms) acl.push({ perms: othersPerms, id: { scheme: 'world', id: 'anyone' } });
  await admin.create(path, Buffer.alloc(0), CreateMode.PERSISTENT, acl);
  return path;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  const r = await new CliProcess(args, env).exited;
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('zkurator CLI with credentials and TLS', function () {
  this.timeout(60_000);
  let dir: string;
  let authFile: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zkurator-cli-sec-'));
    authFile = join(dir, 'auth');
    writeFileSync(authFile, `# ZooKeeper credentials\n\ndigest ${USER}:${SECRET}\n`);
    chmodSync(authFile, 0o600);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('status on a path it may not read: exit 77 naming getChildren and READ, no stack trace; with --auth-file (or ZKURATOR_AUTH_FILE) it lists, data it may not read shown as such, the secret never printed', async () => {
    const admin = await newClient({ auth: AUTH });
    const path = await protectedPath(admin, 0);
    const holder = await newClient({ auth: AUTH });
    // a holder whose node only its identity may read (Curator's ACLProvider with CREATOR_ALL_ACL does this)
    const lease = await new Mutex(holder, path, { acl: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }] }).acquire({ timeout: 5_000 });

    const denied = await cli(['status', path, '--connect', sharedConnectString()]);
    expect(denied.code, denied.out).to.equal(77);
    expect(denied.out).to.contain('permission denied').and.contain(`lacks READ permission on ${path}`).and.contain('--auth-file');
    expect(denied.out).not.to.match(/\n\s+at /);

    const viaFlag = await cli(['status', path, '--connect', sharedConnectString(), '--auth-file', authFile, '--json']);
    expect(viaFlag.code, viaFlag.out).to.equal(0);
    const json = JSON.parse(viaFlag.out) as { holders: number; participants: Array<{ path: string; data: string; dataReadable?: boolean }> };
    expect(json.holders).to.equal(1);
    expect(json.participants[0]).to.include({ path: lease.path });
    const viaEnv = await cli(['status', path, '--connect', sharedConnectString()], { ZKURATOR_AUTH_FILE: authFile });
    expect(viaEnv.code, viaEnv.out).to.equal(0);
    expect(viaEnv.out).to.contain('holder');
    // other credentials: the listing is refused again; the node of another identity unreadable
    const otherAuth = join(dir, 'other-auth');
    writeFileSync(otherAuth, 'digest someone:else\n', { mode: 0o644 });
    chmodSync(otherAuth, 0o644); // whatever the umask
    const other = await cli(['status', path, '--connect', sharedConnectString(), '--auth-file', otherAuth]);
    expect(other.code).to.equal(77);
    expect(other.out).to.contain(`warning: --auth-file ${otherAuth} can be read by other users (mode 0644)`);
    expect(viaFlag.out + viaEnv.out).not.to.contain('warning'); // mode 0600
    for (const r of [denied, viaFlag, viaEnv, other]) expect(r.out).not.to.contain(SECRET).and.not.to.contain('someone:else');
    await lease.release();

    // a readable lock path but a node of another identity: listed, its data shown as unreadable
    const open = uniquePath('cli-acl-open');
    const hidden = await new Mutex(holder, open, { acl: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }] }).acquire({ timeout: 5_000 });
    const table = await cli(['status', open, '--connect', sharedConnectString()]);
    expect(table.code, table.out).to.equal(0);
    expect(table.out).to.contain('(no READ)').and.contain(hidden.path.slice(open.length + 1));
    const asJson = await cli(['status', open, '--connect', sharedConnectString(), '--json']);
    expect((JSON.parse(asJson.out) as { participants: Array<{ dataReadable?: boolean }> }).participants[0]!.dataReadable).to.equal(false);
  });

  it('run on a path only its credentials may create under: with --auth-file it runs; without, exit 77 naming the refused right and nothing left', async () => {
    const admin = await newClient({ auth: AUTH });
    const path = await protectedPath(admin, Perms.READ);
    const ok = await cli(['run', path, '--connect', sharedConnectString(), '--auth-file', authFile, '--', 'sh', '-c', 'echo "held $ZKURATOR_LOCK_NODE"']);
    expect(ok.code, ok.out).to.equal(0);
    expect(ok.out).to.match(new RegExp(`held ${path}/_c_`));
    const denied = await cli(['run', path, '--connect', sharedConnectString(), '--timeout', '5s', '--', 'true']);
    expect(denied.code, denied.out).to.equal(77);
    expect(denied.out).to.contain(`lacks CREATE permission on ${path}`).and.contain('no node was left behind');
    expect(denied.out).not.to.match(/\n\s+at /);
    expect(await childrenOf(admin, path)).to.deep.equal([]);
  });

  it('run --acl: with credentials the lock path it creates is ours and readable by all (creator-read) unless told otherwise; without credentials a creator ACL is a usage error', async () => {
    const admin = await newClient({ auth: AUTH });
    const mine = `${uniquePath('cli-acl-default')}/lock`;
    // held while we look, so the (empty) container cannot be reaped in between
    const running = new CliProcess(['run', mine, '--connect', sharedConnectString(), '--auth-file', authFile, '--', 'sh', '-c', 'echo "held $ZKURATOR_LOCK_NODE"; read line']);
    const node = (await running.waitFor(/held (\S+)/))[1]!;
    const creatorRead = [{ perms: Perms.ALL, id: digestId(USER, SECRET) }, { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];
    expect(await admin.getACL(mine)).to.deep.equal(creatorRead);
    expect(await admin.getACL(node)).to.deep.equal(creatorRead);
    running.send('done');
    expect((await running.exited).code).to.equal(0);
    const open = `${uniquePath('cli-acl-open')}/lock`;
    const openRun = new CliProcess(['run', open, '--connect', sharedConnectString(), '--auth-file', authFile, '--acl', 'open', '--', 'sh', '-c', 'echo held; read line']);
    await openRun.waitFor(/held/);
    expect(await admin.getACL(open)).to.deep.equal([{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }]);
    openRun.send('done');
    expect((await openRun.exited).code).to.equal(0);
    const noAuth = await cli(['run', open, '--connect', sharedConnectString(), '--acl', 'creator', '--', 'true']);
    expect(noAuth.code).to.equal(64);
    expect(noAuth.out).to.contain('--acl creator needs credentials');
  });

  it('bad credential files: unreadable is exit 66, a malformed line exit 64 naming the line but not its content; --tls-cert without --tls-key is a usage error', async () => {
    const missing = await cli(['status', '/x', '--connect', sharedConnectString(), '--auth-file', join(dir, 'nope')]);
    expect(missing.code).to.equal(66);
    expect(missing.out).to.contain('cannot read it (ENOENT)');
    const bad = join(dir, 'bad-auth');
    writeFileSync(bad, `# ok\ndigest${SECRET}\n`);
    const malformed = await cli(['status', '/x', '--connect', sharedConnectString(), '--auth-file', bad]);
    expect(malformed.code).to.equal(64);
    expect(malformed.out).to.contain('line 2').and.not.contain(SECRET);
    const half = await cli(['status', '/x', '--connect', sharedConnectString(), '--tls-cert', bad]);
    expect(half.code).to.equal(64);
    expect(half.out).to.contain('--tls-cert and --tls-key go together');
  });

  describe('over mutual TLS', () => {
    let pki: TestPki;
    let server: ZkCluster | undefined;
    before(async function () {
      this.timeout(90_000);
      pki = makeTestPki();
      server = await ZkCluster.standalone({ secure: { keyStore: pki.keyStore, trustStore: pki.trustStore, password: pki.storePassword, clientAuth: 'need' } });
    });
    after(async () => {
      await server?.destroy();
      pki?.remove();
    });

    it('--tls-ca/--tls-cert/--tls-key (and ZKURATOR_TLS_*) reach a secureClientPort; a wrong CA is exit 69 saying what failed', async () => {
      const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'client.pem'), key: join(dir, 'client.key'), other: join(dir, 'other-ca.pem') };
      writeFileSync(files.ca, pki.ca);
      writeFileSync(files.cert, pki.client.cert);
      writeFileSync(files.key, pki.client.key, { mode: 0o600 });
      writeFileSync(files.other, pki.otherCa);
      const cs = server!.members[0]!.secureConnectString;
      const path = uniquePath('cli-tls');
      const flags = await cli(['run', path, '--connect', cs, '--tls-ca', files.ca, '--tls-cert', files.cert, '--tls-key', files.key, '--', 'sh', '-c', 'echo tls-held']);
      expect(flags.code, flags.out).to.equal(0);
      expect(flags.out).to.contain('tls-held');
      const env = await cli(['status', path, '--connect', cs], { ZKURATOR_TLS_CA: files.ca, ZKURATOR_TLS_CERT: files.cert, ZKURATOR_TLS_KEY: files.key });
      expect(env.code, env.out).to.equal(0);
      const wrongCa = await cli(['status', path, '--connect', cs, '--connect-timeout', '20s', '--tls-ca', files.other, '--tls-cert', files.cert, '--tls-key', files.key]);
      expect(wrongCa.code, wrongCa.out).to.equal(69);
      expect(wrongCa.out).to.match(/TLS: .*(certificate|CERT)/i);
      expect(wrongCa.out).not.to.contain(pki.client.key.toString('utf8').split('\n')[1]!);
    });
  });
});
