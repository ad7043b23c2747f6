// `BENCH_ONLY=gateway npm run bench` rewrites only the gateway section of RESULTS.md: the
// other sections keep the figures of their own full run.
import { expect } from 'chai';
import { withGatewaySection } from '../../scripts/bench/gateway-bench.js';

const HEADING = '### Gateway: lock + release round trips through `zkurator serve` over keep-alive HTTP';

describe('bench: the gateway section of RESULTS.md', () => {
  const fresh = [`\n${HEADING} (10 round trips per scenario)\n`, '| new |'];

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
