// RESULTS.md quotes the command that reproduces a benchmark run, with every setting it was given.
import { expect } from 'chai';
import { benchCommand } from '../../scripts/bench/bench-command.js';

describe('bench: the command a run is quoted with', () => {
  it('is npm run bench with no setting', () => {
    expect(benchCommand({ PATH: '/usr/bin' })).to.equal('npm run bench');
  });

  it('names every BENCH_ setting, BENCH_ONLY first, and quotes a value with spaces or semicolons', () => {
    expect(benchCommand({
      BENCH_ZK_JVM: '-Xmx256m -XX:+UseSerialGC', BENCH_ONLY: 'w1,gateway', HOME: '/root',
      BENCH_ZK_CONFIG: 'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory', BENCH_ROUNDS: '1',
    })).to.equal('BENCH_ONLY=w1,gateway BENCH_ROUNDS=1 BENCH_ZK_CONFIG=serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory '
      + 'BENCH_ZK_JVM="-Xmx256m -XX:+UseSerialGC" npm run bench');
  });
});
