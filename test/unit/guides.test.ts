// The guides hold together: the README stays a front page that links every guide and states
// the test command CI runs, and every relative link and anchor between README.md and docs/*.md
// leads somewhere.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractBlocks } from '../support/doc-blocks.js';
import { headingAnchors, relativeLinks, slugOf } from '../support/doc-links.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');
const guides = readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);

describe('the guides: README front page and the links between guides', () => {
  it('the README is a front page of at most 300 lines', () => {
    expect(read('README.md').split('\n').length).to.be.at.most(300);
  });

  it('the README links every guide in docs/', () => {
    const linked = new Set(relativeLinks(read('README.md')).map((l) => normalize(l.path)));
    expect(guides.filter((g) => !linked.has(g))).to.deep.equal([]);
  });

  it('the README states the test command CI runs, npm run test:all, in a shell block', () => {
    const shell = extractBlocks('README.md', read('README.md')).filter((b) => b.lang === 'sh');
    expect(shell.some((b) => b.code.trim() === 'npm run test:all')).to.equal(true);
    const ci = read('.ci/run').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(ci.at(-1)).to.equal('npm run test:all');
    expect((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['test:all']).to.be.a('string');
  });

  it('every relative link of README.md and docs/*.md leads to a file, and every anchor to a heading', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...guides]) {
      for (const link of relativeLinks(read(file))) {
        const target = link.path === '' ? file : normalize(join(dirname(file), link.path));
        if (!existsSync(join(repoRoot, target))) {
          broken.push(`${file}:${link.line}: no file ${target}`);
          continue;
        }
        if (link.anchor !== undefined && !headingAnchors(read(target)).has(link.anchor)) {
          broken.push(`${file}:${link.line}: no heading #${link.anchor} in ${target}`);
        }
      }
    }
    expect(broken).to.deep.equal([]);
  });

  it('anchors are made as GitHub makes them', () => {
    expect(slugOf('Read-write locks')).to.equal('read-write-locks');
    expect(slugOf('Several holders: `maxLeases`')).to.equal('several-holders-maxleases');
    expect(slugOf('`import` or `require`')).to.equal('import-or-require');
    expect(slugOf('Docker backend (testcontainers)')).to.equal('docker-backend-testcontainers');
    expect(slugOf('zkurator and Curator')).to.equal('zkurator-and-curator');
    expect([...headingAnchors('# A\n## Usage\n```sh\n# not a heading\n```\n## Usage\n')]).to.deep.equal(['a', 'usage', 'usage-1']);
    expect(relativeLinks('see [x](a.md#b), `[not](c.md)`, [web](https://x.org), ![pic](p.png)\n```\n[code](d.md)\n```'))
      .to.deep.equal([{ line: 1, path: 'a.md', anchor: 'b' }, { line: 1, path: 'p.png' }]);
  });
});
