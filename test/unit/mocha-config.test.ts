// Running one test file runs that file only: `npx mocha dist/test/x.test.js` and
// `npm test -- dist/test/x.test.js` used to run the whole suite, because mocha adds a config
// file's spec to the files named on the command line. Checked with mocha's --dry-run (lists
// the tests, runs none, starts no server).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MOCHA = fileURLToPath(new URL('../../../node_modules/mocha/bin/mocha.js', import.meta.url));

/** The test files and the number of tests mocha would run with these arguments. */
async function dryRun(args: string[]): Promise<{ files: Set<string>; tests: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [MOCHA, '--dry-run', '--reporter', 'json', ...args], {
    cwd: ROOT, timeout: 60_000, maxBuffer: 64 * 1024 * 1024,
  });
  const report = JSON.parse(stdout) as { stats: { tests: number }; tests: Array<{ file: string }> };
  return { files: new Set(report.tests.map((t) => t.file.slice(ROOT.length))), tests: report.stats.tests };
}

describe('mocha settings: one named file runs alone, no file runs the suite', function () {
  this.timeout(60_000);

  it('a file named on the command line (or with --spec) runs alone', async () => {
    for (const args of [['dist/test/unit/timer.test.js'], ['--spec', 'dist/test/unit/timer.test.js'], ['--spec=dist/test/unit/timer.test.js']]) {
      const { files, tests } = await dryRun(args);
      expect([...files], args.join(' ')).to.deep.equal(['dist/test/unit/timer.test.js']);
      expect(tests, args.join(' ')).to.be.above(0);
    }
  });

  it('without a file named, every test file of dist/test runs', async () => {
    const { files } = await dryRun([]);
    expect(files.has('dist/test/unit/timer.test.js')).to.equal(true);
    expect(files.has('dist/test/mutex.test.js')).to.equal(true);
    expect(files.size).to.be.above(40);
  });
});
