// ZooKeeper's error codes by name: ours must be exactly KeeperException.Code of the installed
// ZooKeeper (test/peer/KeeperCodes.java prints it), with no off-by-one anywhere.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { compileAgainstCurator, curatorClasspath } from '../scripts/curator-java.js';
import {
  AuthFailedError, BadVersionError, ConnectionLossError, NoAuthError, NoNodeError, NodeExistsError, NotEmptyError,
  SessionExpiredError, ZooKeeperError,
} from '../lib/errors.js';
import { zooKeeperError } from '../lib/zookeeper/zookeeper-error.js';
import { connect } from '../lib/index.js';
import { ErrorCode, errorCodeName } from '../lib/zookeeper/protocol.js';
import { ZkCluster } from './support/zk-server.js';

const root = join(import.meta.dirname, '..', '..');
const outDir = join(root, 'dist', 'keeper-codes');

describe('ZooKeeper error codes against KeeperException.Code (zookeeper 3.8 jar)', function () {
  this.timeout(60_000);
  let java: Array<[string, number]>;

  before(() => {
    compileAgainstCurator(join(root, 'test', 'peer', 'KeeperCodes.java'), outDir);
    const out = execFileSync('java', ['-cp', curatorClasspath([outDir]), 'KeeperCodes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    java = out.trim().split('\n').map((line) => {
      const [name, value] = line.split(' ');
      return [name!, Number(value)];
    });
  });

  it('names every code exactly as ZooKeeper does, and has no code ZooKeeper lacks', () => {
    expect(java.length).to.be.greaterThan(30);
    for (const [name, value] of java) expect(errorCodeName(value), `code ${value}`).to.equal(name);
    expect(Object.entries(ErrorCode).sort((a, b) => a[1] - b[1])).to.deep.equal([...java].sort((a, b) => a[1] - b[1]));
    expect(errorCodeName(-126)).to.equal('UNKNOWN_-126');
  });

  it('turns every code into a typed error carrying its name, code, operation and path', () => {
    const classes: Record<string, unknown> = {
      NONODE: NoNodeError, NODEEXISTS: NodeExistsError, NOTEMPTY: NotEmptyError, NOAUTH: NoAuthError,
      BADVERSION: BadVersionError, AUTHFAILED: AuthFailedError, CONNECTIONLOSS: ConnectionLossError,
      OPERATIONTIMEOUT: ConnectionLossError, SESSIONEXPIRED: SessionExpiredError,
    };
    for (const [name, value] of java.filter(([n]) => n !== 'OK')) {
      const err = zooKeeperError(value, 'create', '/a/b');
      expect(err, name).to.be.instanceOf((classes[name] ?? ZooKeeperError) as new () => Error);
      if (err instanceof ZooKeeperError) {
        expect(err.zkCode, name).to.equal(value);
        expect(err.zkName, name).to.equal(name);
        expect(err.code, name).to.equal(`ZK_${name}`);
        expect(err.message, name).to.include('/a/b').and.include(name);
      } else {
        expect(err.message, name).to.include(name);
      }
    }
  });
});

describe('a server that enforces authentication (enforce.auth.enabled=true)', function () {
  this.timeout(60_000);
  let server: ZkCluster;

  before(async () => {
    server = await ZkCluster.standalone({ extraConfig: ['enforce.auth.enabled=true', 'enforce.auth.schemes=digest'] });
  });

  after(async () => {
    await server.destroy();
  });

  it('refuses an unauthenticated request with SESSIONCLOSEDREQUIRESASLAUTH (-124), named', async () => {
    const client = await connect(server.connectString, { sessionTimeout: 6_000 });
    try {
      const err = await client.getChildren('/').then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ZooKeeperError);
      expect((err as ZooKeeperError).zkCode).to.equal(-124);
      expect((err as ZooKeeperError).zkName).to.equal('SESSIONCLOSEDREQUIRESASLAUTH');
    } finally {
      await client.close();
    }
  });

  it('serves a client that sends digest credentials', async () => {
    const client = await connect(server.connectString, { sessionTimeout: 6_000, auth: [{ scheme: 'digest', credentials: 'app:secret' }] });
    try {
      expect(await client.getChildren('/')).to.include('zookeeper');
    } finally {
      await client.close();
    }
  });
});
