// The failover section of RESULTS.md (pure): percentiles as the other workloads take them, the
// table with both contenders, and `BENCH_ONLY=failover npm run bench` rewriting only its section.
import { expect } from 'chai';
import { FAILOVER_HEADING, failoverSection, percentile, withFailoverSection, type FailoverFigures } from '../../scripts/bench/failover-bench-section.js';

describe('bench: the failover section of RESULTS.md', () => {
  it('percentiles by nearest rank: p50 the middle, p99 of fewer than 100 samples the slowest', () => {
    expect(percentile([5, 1, 3], 0.5)).to.equal(3);
    expect(percentile([4, 1, 3, 2], 0.5)).to.equal(2);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 0.99)).to.equal(20);
    expect(percentile(Array.from({ length: 200 }, (_, i) => i + 1), 0.99)).to.equal(198);
    expect(Number.isNaN(percentile([], 0.5))).to.equal(true);
  });

  it('one row per contender: close(), session loss, and its split into the member\'s and the server\'s parts', () => {
    const figures = (base: number): FailoverFigures => ({
      close: [base, base + 1, base + 2], lossTotal: [4000 + base, 4100 + base], lossReaction: [base, base * 2], lossServer: [3990, 4090],
    });
    const lines = failoverSection({
      figures: { zkurator: figures(2), curator: figures(5) }, startedAt: new Date('2026-12-01T10:20:30Z'), loadBefore: 1.04, loadAfter: 2.5,
      machine: '2 x CPU, node v22.0.0', sessionTimeoutMs: 4000, tickTimeMs: 2000, warmUp: { close: 10, loss: 1 }, command: 'BENCH_ONLY=failover npm run bench',
    });
    expect(lines[0]).to.equal(`\n${FAILOVER_HEADING} (2 members, a process each)\n`);
    expect(lines[1]).to.equal('Measured 2026-12-01 10:20 UTC on 2 x CPU, node v22.0.0; load average 1.0 when it started, 2.5 when it ended (`BENCH_ONLY=failover npm run bench`).\n');
    expect(lines[4]).to.equal('| zkurator LeaderLatch | 3.00 | 4.00 | 4002 | 4102 | 2.00 | 4.00 | 3990 | 4090 |');
    expect(lines[5]).to.equal('| Curator 5.4.0 LeaderLatch | 6.00 | 7.00 | 4005 | 4105 | 5.00 | 10.00 | 3990 | 4090 |');
    expect(lines.join('\n')).to.contain('session timeout 4000 ms, tickTime 2000 ms');
    expect(lines.join('\n')).to.contain('close(): 3 rounds per contender (after 10 not measured)');
  });

  it('replaces its section in the middle or at the end, or adds it; other sections stay', () => {
    const fresh = [`\n${FAILOVER_HEADING} (2 members, a process each)\n`, '| new |'];
    const middle = `# r\n\n### W1 x\n\n| w1 |\n\n${FAILOVER_HEADING} (old)\n\n| old |\n- note\n\n### Gateway y\n\n| g |\n`;
    expect(withFailoverSection(middle, fresh)).to.equal(`# r\n\n### W1 x\n\n| w1 |\n\n${FAILOVER_HEADING} (2 members, a process each)\n\n| new |\n\n### Gateway y\n\n| g |\n`);
    expect(withFailoverSection(`# r\n\n${FAILOVER_HEADING} (old)\n| old |\n`, fresh)).to.equal(`# r\n\n${FAILOVER_HEADING} (2 members, a process each)\n\n| new |\n`);
    expect(withFailoverSection('# r\n\n### W1\n| w1 |\n', fresh)).to.equal(`# r\n\n### W1\n| w1 |\n\n${FAILOVER_HEADING} (2 members, a process each)\n\n| new |\n`);
  });
});
