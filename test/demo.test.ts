// `npm run demo` must keep working: run its program (already built) with fewer rounds.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../scripts/demo/demo.js', import.meta.url));

describe('npm run demo', function () {
  this.timeout(90_000);

  it('two zkurator workers and a Curator worker share a mutex and a read-write lock; exclusion holds; it exits by itself', async () => {
    const child = spawn(process.execPath, [DEMO], { env: { ...process.env, DEMO_ROUNDS: '2' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, out).to.equal(0);
    for (const who of ['node-1', 'node-2', 'curator']) {
      expect(out.match(new RegExp(`${who} acquired mutex`, 'g')), who).to.have.length(2);
    }
    expect(out).to.contain('mutex:      6 holds by 3 workers, never two at once');
    expect(out).to.match(/read-write: 12 holds, up to \d readers at once, writers always alone/);
    expect(out).to.contain('exclusion held across zkurator and Curator.');
  });
});
