// How the guides' code blocks are read for the examples test: the runnable marker, the output
// block that belongs to a runnable block, and how printed output is compared with it.
import { expect } from 'chai';
import { extractBlocks, outputMatches } from '../support/doc-blocks.js';

describe('guide code blocks: runnable marker and shown output', () => {
  const guide = [
    '# Guide',
    '```js runnable',
    "console.log('a');",
    '```',
    'It prints:',
    '```output',
    'a',
    '```',
    '```sh',
    'npm run bench',
    '```',
    '- In a list:',
    '  ```ts runnable',
    '  const x: number = 1;',
    '    console.log(x);',
    '  ```',
    '',
  ].join('\n');

  it('reads the language, the marker, the text and the output block that follows a runnable block', () => {
    const blocks = extractBlocks('g.md', guide);
    expect(blocks.map((b) => [b.line, b.lang, b.runnable, b.code, b.expectedOutput])).to.deep.equal([
      [2, 'js', true, "console.log('a');", 'a'],
      [9, 'sh', false, 'npm run bench', undefined],
      [13, 'ts', true, 'const x: number = 1;\n  console.log(x);', undefined],
    ]);
  });

  it('refuses an output block that no runnable block precedes, and a runnable block it cannot run', () => {
    expect(() => extractBlocks('g.md', '```sh\nls\n```\n```output\nx\n```\n')).to.throw(/g\.md:4: an output block must follow a runnable block/);
    expect(() => extractBlocks('g.md', '```java runnable\nclass A {}\n```\n')).to.throw(/g\.md:1: 'java' blocks cannot be run/);
    expect(() => extractBlocks('g.md', '```js runnable\nx\n')).to.throw(/line 1: code fence never closed/);
  });

  it('compares output line by line, trailing spaces and newlines aside', () => {
    expect(outputMatches('a\nb', 'a  \nb\n\n')).to.equal(true);
    expect(outputMatches('a\nb', 'a\nb\nc')).to.equal(false);
    expect(outputMatches('a\nb', 'a\nc')).to.equal(false);
    expect(outputMatches('a.b', 'axb')).to.equal(false); // no regex leaks through
  });

  it('`...` in a line matches any text in that line, never a line break', () => {
    expect(outputMatches('holding /locks/x/_c_...-lock-...', 'holding /locks/x/_c_1f4f-lock-0000000003')).to.equal(true);
    expect(outputMatches('holding ... done', 'holding a\nb done')).to.equal(false);
    expect(outputMatches('token ...n', 'token 42')).to.equal(false);
  });

  it('a line of only `...` matches any number of lines, none included', () => {
    expect(outputMatches('a\n...\nz', 'a\nz')).to.equal(true);
    expect(outputMatches('a\n...\nz', 'a\nb\nc\nz')).to.equal(true);
    expect(outputMatches('...\nz', 'x\ny\nz')).to.equal(true);
    expect(outputMatches('a\n...', 'a\nb')).to.equal(true);
    expect(outputMatches('a\n...', 'a')).to.equal(true);
    expect(outputMatches('...', 'anything\nat all')).to.equal(true);
    expect(outputMatches('a\n...\nz', 'a\nb\nz\nextra')).to.equal(false);
    expect(outputMatches('a\n...\nz', 'b\nz')).to.equal(false);
  });
});
