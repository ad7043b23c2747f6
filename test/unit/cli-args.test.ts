// The CLI's argument rules (pure logic: no process, no server).
import { expect } from 'chai';
import { parseCli, parseDuration, UsageError, type RunArgs } from '../../lib/cli/args.js';
import { formatTable } from '../../lib/cli/status-command.js';

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

  it('connection: --connect beats ZOOKEEPER_CONNECT beats the default', () => {
    expect(parseCli(['status', '/a'], { ZOOKEEPER_CONNECT: 'zk1:2181,zk2:2181' })).to.deep.include({ connect: 'zk1:2181,zk2:2181', connectTimeoutMs: 15_000 });
    expect(parseCli(['ls', '/a', '--connect', 'h:1', '--connect-timeout', '3s'], { ZOOKEEPER_CONNECT: 'zk1:2181' })).to.deep.include({ name: 'status', connect: 'h:1', connectTimeoutMs: 3_000 });
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
    ];
    for (const [argv, message] of cases) {
      expect(() => parseCli(argv, {}), argv.join(' ')).to.throw(UsageError, message);
    }
  });

  it('status table: holders first, columns aligned, data escaped', () => {
    const at = new Date(1_000_000);
    const table = formatTable({
      path: '/a', recipe: 'mutex', maxLeases: 1, participants: [
        { name: 'n-lock-0000000001', path: '/a/n-lock-0000000001', kind: 'lock', state: 'holder', waitingOn: undefined, sequence: '0000000001', sessionId: 'abc', createdAt: at, data: '10.0.0.1' },
        { name: 'n-lock-0000000002', path: '/a/n-lock-0000000002', kind: 'lock', state: 'waiting', waitingOn: '/a/n-lock-0000000001', sequence: '0000000002', sessionId: 'abcdef', createdAt: at, data: 'x\ny' },
      ],
    }, 1_012_000);
    expect(table).to.equal([
      '/a (mutex): 1 holding, 1 waiting',
      '#  STATE    KIND  AGE  SESSION  DATA      NODE',
      '1  holder   lock  12s  abc      10.0.0.1  n-lock-0000000001',
      '2  waiting  lock  12s  abcdef   x\\ny      n-lock-0000000002',
      '',
    ].join('\n'));
  });
});
