// The CLI's argument rules (pure logic: no process, no server).
import { expect } from 'chai';
import { parseCli, parseDuration, USAGE, UsageError, type ElectArgs, type RunArgs, type ServeArgs, type StatusArgs } from '../../lib/cli/args.js';
import { formatElection, formatTable } from '../../lib/cli/status-command.js';

describe('zkurator CLI arguments (pure logic)', () => {
  it('parses durations: ms, s, m, h, bare seconds; rejects the rest', () => {
    expect([parseDuration('500ms', 'x'), parseDuration('30s', 'x'), parseDuration('2m', 'x'), parseDuration('1h', 'x'), parseDuration('1.5', 'x'), parseDuration('0', 'x')])
      .to.deep.equal([500, 30_000, 120_000, 3_600_000, 1_500, 0]);
    for (const bad of ['', 'soon', '-1s', '1d', '1e3', '3 s s', '999999999h']) {
      expect(() => parseDuration(bad, '--timeout'), bad).to.throw(UsageError, /--timeout/);
    }
  });

  it('run: path, mode, timeout, policy and the command after "--" (options after it belong to the command)', () => {
    const args = parseCli(['run', '/locks/a', '--write', '--timeout', '2s', '--loss-policy', 'lost', '--', 'rsync', '--timeout', '5', '-a'], {}) as RunArgs;
    expect(args).to.deep.include({ name: 'run', path: '/locks/a', mode: { kind: 'write' }, timeoutMs: 2_000, lossPolicy: 'lost', killAfterMs: 10_000, progress: undefined });
    expect(args.command).to.deep.equal(['rsync', '--timeout', '5', '-a']);
    expect(args.connect).to.equal('127.0.0.1:2181');
    expect((parseCli(['run', '/a', '--max-leases', '3', '--', 'x'], {}) as RunArgs).mode).to.deep.equal({ kind: 'mutex', maxLeases: 3 });
    expect((parseCli(['run', '/a', '--', 'x'], {}) as RunArgs).timeoutMs).to.equal(undefined);
  });

  it('elect: path, id (the host name by default), loss policy, grace period, session timeout, ACL and the command after "--"', () => {
    const args = parseCli(['elect', '/services/s/leader', '--id', 'node-a', '--kill-after', '3s', '--session-timeout', '4s', '--loss-policy', 'lost', '--', 'job', '--id', 'x'], {}, 'host-1') as ElectArgs;
    expect(args).to.deep.include({ name: 'elect', path: '/services/s/leader', id: 'node-a', killAfterMs: 3_000, sessionTimeoutMs: 4_000, lossPolicy: 'lost', acl: 'open' });
    expect(args.command).to.deep.equal(['job', '--id', 'x']);
    expect(parseCli(['elect', '/e', '--', 'job'], {}, 'host-1')).to.deep.include({ id: 'host-1', killAfterMs: 10_000, sessionTimeoutMs: 10_000, lossPolicy: 'suspended' });
    expect(parseCli(['elect', '/e', '--id', '', '--', 'job'], {}, 'host-1')).to.deep.include({ id: '' }); // Curator's default id
    expect(parseCli(['elect', '/e', '--auth-file', 'f', '--', 'job'], {}, 'h')).to.deep.include({ acl: 'creator-read' });
    expect((parseCli(['status', '/e', '--election'], {}) as StatusArgs).election).to.equal(true);
    expect((parseCli(['status', '/e'], {}) as StatusArgs).election).to.equal(false);
  });

  it('connection: --connect beats ZOOKEEPER_CONNECT beats the default', () => {
    expect(parseCli(['status', '/a'], { ZOOKEEPER_CONNECT: 'zk1:2181,zk2:2181' })).to.deep.include({ connect: 'zk1:2181,zk2:2181', connectTimeoutMs: 5_000 });
    expect(parseCli(['ls', '/a', '--connect', 'h:1', '--connect-timeout', '3s'], { ZOOKEEPER_CONNECT: 'zk1:2181' })).to.deep.include({ name: 'status', connect: 'h:1', connectTimeoutMs: 3_000 });
  });

  it('--connect-timeout defaults: 5s for the one-shot status and revoke, 15s for run and serve; --help says so', () => {
    expect(parseCli(['status', '/a'], {})).to.deep.include({ connectTimeoutMs: 5_000 });
    expect(parseCli(['revoke', '/a/_c_x-lock-0000000000'], {})).to.deep.include({ connectTimeoutMs: 5_000 });
    expect(parseCli(['run', '/a', '--', 'x'], {})).to.deep.include({ connectTimeoutMs: 15_000 });
    expect(parseCli(['serve'], {})).to.deep.include({ connectTimeoutMs: 15_000 });
    expect(parseCli(['status', '/a', '--connect-timeout', '20s'], {})).to.deep.include({ connectTimeoutMs: 20_000 });
    expect(USAGE).to.contain('--connect-timeout <dur>    how long to wait for ZooKeeper (default 15s; 5s for the one-shot status and\n' +
      '                             revoke)');
  });

  it('rejects bad input with a message naming the problem', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /no command/],
      [['nope'], /unknown command "nope"/],
      [['run', '/a'], /needs a command after "--"/],
      [['run', '--', 'x'], /needs a lock path/],
      [['run', '/a', 'b', '--', 'x'], /one lock path.*put the command after "--"/],
      [['run', 'a', '--', 'x'], /must be absolute/],
      [['run', '/a', '--read', '--max-leases', '2', '--', 'x'], /choose one of --read, --write, --max-leases/],
      [['run', '/a', '--max-leases', '1.5', '--', 'x'], /--max-leases must be an integer/],
      [['run', '/a', '--loss-policy', 'never', '--', 'x'], /--loss-policy must be/],
      [['run', '/a', '--progress', '--no-progress', '--', 'x'], /--progress and --no-progress/],
      [['run', '/a', '--timeout', '--', 'x'], /--timeout/],
      [['dev-server', '--port', '70000'], /--port must be an integer from 0 to 65535/],
      [['dev-server', '--backend', 'k8s'], /--backend must be/],
      [['status', '/a', '--connect', ''], /--connect must not be empty/],
      [['elect', '/a'], /elect needs a command after "--"/],
      [['elect', '--', 'x'], /elect needs an election path, e\.g\. \/services\/scheduler\/leader/],
      [['elect', '/a', 'b', '--', 'x'], /elect takes one election path.*put the command after "--"/],
      [['elect', 'a', '--', 'x'], /election path must be absolute/],
      [['elect', '/a', '--loss-policy', 'never', '--', 'x'], /--loss-policy must be/],
      [['elect', '/a', '--acl', 'creator', '--', 'x'], /--acl creator needs credentials/],
      [['elect', '/a', '--read', '--', 'x'], /unknown option --read/],
      [['elect', '/a', '--id', 'x'.repeat(1_000_001), '--', 'x'], /--id must be at most 1,000,000 bytes/],
      [['status', '/a', '--election', '--max-leases', '2'], /choose one of --max-leases, --semaphore and --election \(got --max-leases and --election\)/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseCli(argv, {}), argv.join(' ')).to.throw(UsageError, message);
    }
  });

  it('negative numbers and missing values get our own messages, never node:util\'s ("ambiguous")', () => {
    const cases: Array<[string[], string]> = [
      [['run', '/a', '--timeout', '-1', '--', 'x'], '--timeout must not be negative, got "-1"'],
      [['run', '/a', '--timeout=-1', '--', 'x'], '--timeout must not be negative, got "-1"'],
      [['run', '/a', '--timeout', '-5s', '--', 'x'], '--timeout must not be negative, got "-5s"'],
      [['run', '/a', '--max-leases', '-1', '--', 'x'], '--max-leases must be an integer >= 1, got "-1"'],
      [['status', '/a', '--max-leases', '-1'], '--max-leases must be an integer >= 1, got "-1"'],
      [['run', '/a', '--kill-after', '-2', '--', 'x'], '--kill-after must not be negative, got "-2"'],
      [['status', '/a', '--connect-timeout', '-1'], '--connect-timeout must not be negative, got "-1"'],
      [['dev-server', '--port', '-1'], '--port must be an integer from 0 to 65535, got "-1"'],
      [['run', '/a', '--timeout', '--read', '--', 'x'], '--timeout must be a duration like 500ms, 30s, 2m or 1h, got "--read"'],
      [['run', '/a', '--timeout'], '--timeout needs a value'],
      [['status', '/a', '--max-leases'], '--max-leases needs a value'],
      [['run', '/a', '--bogus', '--', 'x'], 'unknown option --bogus'],
      [['run', '/a', '--bogus=1', '--', 'x'], 'unknown option --bogus'],
      [['status', '/a', '-x'], 'unknown option -x'],
      [['status', '/a', '--json=yes'], '--json takes no value, got "yes"'],
    ];
    for (const [argv, message] of cases) {
      let error: unknown;
      try {
        parseCli(argv, {});
      } catch (err) {
        error = err;
      }
      expect(error, argv.join(' ')).to.be.instanceOf(UsageError);
      expect((error as Error).message, argv.join(' ')).to.equal(message);
    }
    // a value that starts with "-" is still a value where one is valid
    expect((parseCli(['status', '/a', '--connect', 'h:1', '-h'], {}))).to.deep.equal({ name: 'help' });
    expect((parseCli(['run', '/a', '--timeout', '0', '--', 'x'], {}) as RunArgs).timeoutMs).to.equal(0);
  });

  it('serve: loopback 127.0.0.1:9989 by default; --listen host:port, [v6]:port or a port; files and flags', () => {
    const plain = parseCli(['serve'], {}) as ServeArgs;
    expect([plain.listenHost, plain.listenPort, plain.root, plain.configFile, plain.tokenFile, plain.accessLog]).to.deep.equal(['127.0.0.1', 9989, undefined, undefined, undefined, false]);
    const full = parseCli(['serve', '--listen', '[::1]:0', '--root', '/gw', '--config', 'c.json', '--token-file', 't', '--access-log'], {}) as ServeArgs;
    expect([full.listenHost, full.listenPort, full.root, full.configFile, full.tokenFile, full.accessLog]).to.deep.equal(['::1', 0, '/gw', 'c.json', 't', true]);
    expect((parseCli(['serve', '--listen', '0.0.0.0:80'], {}) as ServeArgs).listenHost).to.equal('0.0.0.0');
    expect([plain.sessionTimeoutMs, (parseCli(['serve', '--session-timeout', '4s'], {}) as ServeArgs).sessionTimeoutMs]).to.deep.equal([10_000, 4_000]);
    expect((parseCli(['serve', '--listen', '8080'], {}) as ServeArgs)).to.include({ listenHost: '127.0.0.1', listenPort: 8080 });
    for (const [argv, message] of [
      [['serve', '--listen', 'host'], /--listen must be host:port/],
      [['serve', '--listen', 'h:70000'], /--listen port must be an integer from 0 to 65535/],
      [['serve', '--root', 'relative'], /absolute/],
      [['serve', 'extra'], /serve takes no arguments/],
    ] as const) {
      expect(() => parseCli(argv, {}), argv.join(' ')).to.throw(UsageError, message);
    }
  });

  it('status table: holders first, columns aligned, data escaped', () => {
    const at = new Date(1_000_000);
    const table = formatTable({
      path: '/a', recipe: 'mutex', maxLeases: 1, participants: [
        { name: 'n-lock-0000000001', path: '/a/n-lock-0000000001', kind: 'lock', state: 'holder', waitingOn: undefined, sequence: '0000000001', sessionId: 'abc', createdAt: at, czxid: 5n, data: '10.0.0.1', origin: 'curator' },
        { name: 'n-lock-0000000002', path: '/a/n-lock-0000000002', kind: 'lock', state: 'waiting', waitingOn: '/a/n-lock-0000000001', sequence: '0000000002', sessionId: 'abcdef', createdAt: at, czxid: 6n, data: 'x\ny', origin: 'unknown' },
      ],
    }, 1_012_000);
    expect(table).to.equal([
      '/a (mutex): 1 holding, 1 waiting',
      '#  STATE    KIND  AGE  SESSION  ORIGIN   DATA      NODE',
      '1  holder   lock  12s  abc      curator  10.0.0.1  n-lock-0000000001',
      '2  waiting  lock  12s  abcdef   unknown  x\\ny      n-lock-0000000002',
      '',
    ].join('\n'));
  });

  it('election table: the leader first, ids quoted, a conflict named with the leader each recipe sees', () => {
    const at = new Date(1_000_000);
    const member = (name: string, kind: 'latch' | 'selector' | 'foreign', id: string, isLeader: boolean) => ({
      name, path: `/e/${name}`, kind, id, isLeader, waitingOn: undefined, sessionId: 'abc', createdAt: at, czxid: 5n,
    });
    expect(formatElection({
      path: '/e', kind: 'latch', leader: member('_c_1-latch-0000000000', 'latch', 'node a', true),
      participants: [member('_c_1-latch-0000000000', 'latch', 'node a', true), member('_c_2-latch-0000000001', 'latch', '', false)],
    }, 1_003_000)).to.equal([
      '/e (LeaderLatch election): leader "node a", 2 members',
      '#  ROLE     KIND   ID        AGE  SESSION  NODE',
      '1  leader   latch  "node a"  3s   abc      _c_1-latch-0000000000',
      '2  waiting  latch  ""        3s   abc      _c_2-latch-0000000001',
      '',
    ].join('\n'));
    expect(formatElection({
      path: '/e', kind: 'mixed', leader: undefined,
      participants: [member('_c_1-latch-0000000000', 'latch', 'j', true), member('_c_2-lock-0000000001', 'selector', 's', true), member('x', 'foreign', '', false)],
    }, 1_003_000).split('\n')[0]).to.equal('/e (CONFLICT: LeaderLatch and LeaderSelector members on one path): 2 members; '
      + 'each recipe sees a leader of its own: "j" (LeaderLatch) and "s" (LeaderSelector); use one recipe per path');
    expect(formatElection({ path: '/e', kind: 'none', leader: undefined, participants: [] }, 0)).to.equal('/e (election): no leader, 0 members\n');
  });
});
