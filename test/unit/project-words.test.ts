// Tests, code and scripts speak the project's own words: no reference to a tracker's numbering
// (the word "issue" and a number) in a test title or a comment, where a reader without that tracker is lost.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|cjs|mjs|java|py|sh)$/.test(entry.name) ? [full] : [];
  });
}

describe('project words: no tracker numbers in tests, code or scripts', () => {
  it('no "issue N" in lib/, test/, scripts/ or examples/', () => {
    const found = ['lib', 'test', 'scripts', 'examples'].flatMap((dir) => sources(path.join(ROOT, dir))).flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (/\bissue\s+#?\d+/i.test(line) ? [`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).to.deep.equal([]);
  });
});
