// Parsing of the CLI's credential and TLS options and of run --acl (pure logic, no server).
import { expect } from 'chai';
import { parseCli, UsageError } from '../../lib/cli/args.js';
import { parseAuthFile } from '../../lib/cli/secrets.js';
import { CliFailure } from '../../lib/cli/cli-failure.js';

describe('CLI credential and TLS options (unit)', () => {
  it('file options come from the flag, else the environment variable; an empty variable counts as unset', () => {
    const env = { ZKURATOR_AUTH_FILE: '/env/auth', ZKURATOR_TLS_CA: '/env/ca', ZKURATOR_TLS_CERT: '', ZKURATOR_TLS_KEY: '' };
    expect(parseCli(['status', '/x'], env)).to.deep.include({ authFile: '/env/auth', tlsCa: '/env/ca' });
    expect(parseCli(['status', '/x'], env)).not.to.have.any.keys('tlsCert', 'tlsKey');
    expect(parseCli(['status', '/x', '--auth-file', '/flag/auth'], env)).to.deep.include({ authFile: '/flag/auth' });
    expect(parseCli(['status', '/x'], {})).not.to.have.any.keys('authFile', 'tlsCa', 'tlsCert', 'tlsKey');
    expect(() => parseCli(['status', '/x', '--tls-key', 'k'], {})).to.throw(UsageError, /--tls-cert and --tls-key go together/);
    expect(parseCli(['status', '/x'], { ZKURATOR_TLS_CERT: 'c', ZKURATOR_TLS_KEY: 'k' })).to.deep.include({ tlsCert: 'c', tlsKey: 'k' });
  });

  it('run --acl: creator-read by default with credentials, open without; a creator ACL needs credentials', () => {
    expect(parseCli(['run', '/x', '--', 'true'], {})).to.deep.include({ acl: 'open' });
    expect(parseCli(['run', '/x', '--', 'true'], { ZKURATOR_AUTH_FILE: '/a' })).to.deep.include({ acl: 'creator-read' });
    expect(parseCli(['run', '/x', '--auth-file', '/a', '--acl', 'creator', '--', 'true'], {})).to.deep.include({ acl: 'creator' });
    expect(() => parseCli(['run', '/x', '--acl', 'creator-read', '--', 'true'], {})).to.throw(UsageError, /needs credentials/);
    expect(() => parseCli(['run', '/x', '--auth-file', '/a', '--acl', 'everyone', '--', 'true'], {})).to.throw(UsageError, /--acl must be open, creator or creator-read/);
  });

  it('auth files: "<scheme> <credentials>" lines, comments and blanks skipped; a bad line is named by number, never shown', () => {
    expect(parseAuthFile('# c\n\n  digest a:b c  \r\nip 127.0.0.1\n', 'f')).to.deep.equal([
      { scheme: 'digest', credentials: 'a:b c' }, { scheme: 'ip', credentials: '127.0.0.1' },
    ]);
    let err: unknown;
    try {
      parseAuthFile('digest ok:1\nsecret-without-scheme\n', 'f');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(CliFailure);
    expect((err as CliFailure).exitCode).to.equal(64);
    expect((err as Error).message).to.contain('line 2').and.not.contain('secret-without-scheme');
    expect(() => parseAuthFile('# nothing\n', 'f')).to.throw(CliFailure, /no credentials/);
  });
});
