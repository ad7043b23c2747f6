// The API reference is generated from the doc comments (TypeDoc, `npm run docs`). Its run here
// fails on a broken {@link}, on an exported symbol (or a member of one) without a doc comment, and
// on a public type that the reference would name but not include: every such warning is an error.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('API reference (TypeDoc over the doc comments)', () => {
  it('builds with no warning: every export documented, every {@link} resolved', async function () {
    this.timeout(180_000);
    const typedoc = fileURLToPath(new URL('node_modules/typedoc/bin/typedoc', `file://${ROOT}`));
    let output: string;
    try {
      const { stdout, stderr } = await run(process.execPath, [typedoc, '--emit', 'none'], { cwd: ROOT, timeout: 170_000 });
      output = stdout + stderr;
    } catch (err) {
      const failed = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`typedoc failed:\n${failed.stdout ?? ''}${failed.stderr ?? failed.message}`);
    }
    // eslint-disable-next-line no-control-regex
    const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain.split('\n').filter((line) => /\[(warning|error)\]/.test(line))).to.deep.equal([]);
  });
});
