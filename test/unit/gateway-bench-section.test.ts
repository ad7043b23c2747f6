// `BENCH_ONLY=gateway npm run bench` rewrites only the gateway section of RESULTS.md: the
// other sections keep the figures of their own full run.
import { expect } from 'chai';
import { gatewaySection, roundsText, withGatewaySection, type GatewaySectionInput } from '../../scripts/bench/gateway-bench-section.js';
import type { ScenarioResult, ServiceRunResult } from '../../scripts/bench/http-lock-driver.js';

const HEADING = '### Gateway: lock + release round trips through `zkurator serve` over keep-alive HTTP';

const fresh = [`\n${HEADING} (10 round trips per scenario)\n`, '| new |'];

describe('bench: the gateway section of RESULTS.md', () => {
  it('replaces the section in the middle and keeps what follows', () => {
    const before = `# results\n\n### W1 x\n\n| w1 |\n\n${HEADING} (5 round trips per scenario)\n\n| old |\n- old note\n\n### W4 y\n\n| w4 |\n`;
    expect(withGatewaySection(before, fresh)).to.equal(`# results\n\n### W1 x\n\n| w1 |\n\n${HEADING} (10 round trips per scenario)\n\n| new |\n\n### W4 y\n\n| w4 |\n`);
  });

  it('replaces the section at the end', () => {
    expect(withGatewaySection(`# r\n\n${HEADING} (5)\n| old |\n`, fresh)).to.equal(`# r\n\n${HEADING} (10 round trips per scenario)\n\n| new |\n`);
  });

  it('adds the section when there is none', () => {
    expect(withGatewaySection('# r\n\n### W1\n| w1 |\n', fresh)).to.equal(`# r\n\n### W1\n| w1 |\n\n${HEADING} (10 round trips per scenario)\n\n| new |\n`);
  });
});

describe('bench: the gateway section against etcd (medians, ratios)', () => {
  const scenario = (name: string, cyclesPerSec: number, p99Ms: number): ScenarioResult => ({
    name, clients: 1, resources: 1, cycles: 100, cyclesPerSec, p50Ms: p99Ms / 4, p99Ms, rssPeakMb: cyclesPerSec / 10,
  });
  /** One round: the same rate and p99 for the two scenarios but for a factor on the second. */
  const run = (cyclesPerSec: number, p99Ms: number, rss = 50): ServiceRunResult => ({
    scenarios: [scenario('1 client', cyclesPerSec, p99Ms), scenario('64 clients, one resource', cyclesPerSec / 2, p99Ms * 10)],
    rssIdleMb: rss, rssAfterMb: rss + 10,
  });
  const input = (w1CyclesPerSec?: number): GatewaySectionInput => ({
    cycles: 100, warmupCycles: 100,
    runs: {
      // medians: 400/s p99 8 ms; the rounds in another order than their medians
      'zkurator': [run(500, 8), run(300, 9), run(400, 4, 70)],
      'etcd-lease-per-client': [run(1000, 2), run(800, 4), run(1200, 3, 30)],
      'etcd-lease-per-lock': [run(600, 5, 20), run(600, 5, 40), run(600, 5)],
    },
    startedAt: new Date('2026-12-01T10:20:30Z'), loadBefore: 1.04, loadAfter: 2.96,
    machine: '2 x CPU, node v22.0.0', etcd: 'etcd 3.4.23 (Debian etcd-server)', zooKeeper: 'ZooKeeper 3.8.0 standalone', command: 'BENCH_ONLY=gateway npm run bench',
    ...(w1CyclesPerSec === undefined ? {} : { w1CyclesPerSec }),
  });

  it('says when, where and how loaded, under the heading the section is found by', () => {
    const lines = gatewaySection(input());
    expect(lines[0]).to.equal(`\n${HEADING}, against etcd's lock API (100 round trips per scenario)\n`);
    expect(lines[1]).to.equal('Measured 2026-12-01 10:20 UTC on 2 x CPU, node v22.0.0, etcd 3.4.23 (Debian etcd-server); load average 1.0 when it started, 3.0 when it ended; '
      + '3 rounds, each running zkurator serve, then etcd, lease per client, then etcd, lease per lock; medians (`BENCH_ONLY=gateway npm run bench`).\n');
  });

  it('puts the three contenders side by side with the medians, and the ratios zkurator / etcd with a lease per client', () => {
    const lines = gatewaySection(input());
    expect(lines[2]).to.equal('| scenario | zkurator serve | etcd, lease per client | etcd, lease per lock | zkurator / etcd (lease per client) | p99 zkurator / etcd (lease per client) |');
    expect(lines[4]).to.equal('| 1 client | 400/s, p50 2.00 ms, p99 8.00 ms | 1,000/s, p50 0.75 ms, p99 3.00 ms | 600/s, p50 1.25 ms, p99 5.00 ms | **0.40x** | 2.67x |');
    expect(lines[5]).to.equal('| 64 clients, one resource | 200/s, p50 20.00 ms, p99 80.00 ms | 500/s, p50 7.50 ms, p99 30.00 ms | 300/s, p50 12.50 ms, p99 50.00 ms | **0.40x** | 2.67x |');
  });

  it('lists every contender and scenario with each round\'s rate and the server\'s RSS', () => {
    const lines = gatewaySection(input());
    expect(lines).to.include('| zkurator serve | 1 client | 400 (500, 300, 400) | 2.00 | 8.00 | 40.0 |');
    expect(lines).to.include('| etcd, lease per client | 64 clients, one resource | 500 (500, 400, 600) | 7.50 | 30.00 | 50.0 |');
    // zkurator: medians over its fresh gateways; etcd, one server for all: its first and last figures
    expect(lines.find((l) => l.startsWith('- server RSS'))).to.match(/^- server RSS: zkurator serve 50\.0 MB after start-up, 60\.0 MB after the last scenario \(medians.*; etcd 50\.0 MB before the first etcd run, 60\.0 MB after the last /);
  });

  it('says that each driver ran the scenarios unmeasured first, and how many round trips, or that it did not', () => {
    expect(gatewaySection(input()).find((l) => l.startsWith('- same driver'))).to.match(/first runs the three scenarios unmeasured, 100 round trips each, so that the driver and the service are warm/);
    expect(gatewaySection({ ...input(), warmupCycles: 0 }).find((l) => l.startsWith('- same driver'))).to.match(/measures at once/);
  });

  it('compares 1 client with the library\'s own W1 cycle only when the run measured it', () => {
    expect(gatewaySection(input()).some((l) => l.includes('W1'))).to.equal(false);
    expect(gatewaySection(input(1600))).to.include('- zkurator serve, 1 client, against the library\'s own W1 cycle in this run: 0.25x (400/s vs 1,600/s)');
  });

  it('the section it makes replaces itself in RESULTS.md', () => {
    const results = ['# r', ...gatewaySection(input()), '\n### W9 later\n| w9 |', ''].join('\n'); // as the benchmark writes it
    expect(withGatewaySection(results, fresh)).to.equal(`# r\n\n${HEADING} (10 round trips per scenario)\n\n| new |\n\n### W9 later\n| w9 |\n`);
  });
  it('says how many rounds the figures come from: "1 round", never "1 rounds" (and no median of one)', () => {
    expect(roundsText(1)).to.equal('1 round (its own figures, no median)');
    expect(roundsText(3)).to.equal('3 rounds, medians');
  });
});
