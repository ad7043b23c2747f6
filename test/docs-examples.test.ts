// The guides' examples, run as written: every fenced js/ts/sh block of README.md and
// docs/*.md marked runnable (```js runnable, see docs/testing.md) runs against the shared
// throwaway ZooKeeper of the test rig, exits 0, and prints what the ```output block after it
// shows. The TypeScript ones are type-checked first (tsc, strict, against the built package's
// declarations). So a guide cannot drift from the code.
//
// How a block runs, as a reader would run it:
// - Each guide gets a work dir in a temp folder whose node_modules has `zkurator` (a symlink to
//   this repository, whose `exports` point at dist/), `prom-client` and `@types` (this
//   repository's dev dependencies), and whose node_modules/.bin has the `zkurator` command;
//   that bin folder comes first on PATH, and `npx zkurator` finds it (npm is kept offline). The blocks of one guide run in order in that dir,
//   which is also their HOME, so a file one block writes is there for the next.
// - The guides connect to `127.0.0.1:2181`. That literal is replaced by the rig's server with a
//   chroot of the guide's own (`<rig connect string>/zkurator-docs/<guide>-<random>`), which
//   is also $ZOOKEEPER_CONNECT (the CLI's default and the examples/ files' fallback): every
//   guide starts from an empty tree, so node names and sequence numbers are as the guide shows.
// - A guide whose runnable blocks talk to `http://127.0.0.1:9989` gets a `zkurator serve`
//   (root /locks) of its own on a free port, and that URL is replaced by its address.
// - $ZK_OPS_PASSWORD and $ZK_ORDERS_PASSWORD are set, for the security guide's examples.
// - js blocks run as .mjs files, sh blocks with `bash -e -o pipefail`, ts blocks as tsc's output.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, CreateMode, NodeExistsError } from '../lib/index.js';
import { extractBlocks, outputMatches, RUNNABLE_LANGS, type DocBlock } from './support/doc-blocks.js';
import { GatewayProcess } from './support/gateway-process.js';
import { sharedConnectString } from './support/harness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The connect string the guides use, replaced by the rig's. */
const DOC_CONNECT = '127.0.0.1:2181';
/** The gateway address the guides use, replaced by a gateway started for the guide. */
const DOC_GATEWAY = 'http://127.0.0.1:9989';
/** How long one block may run. */
const BLOCK_TIMEOUT_MS = 20_000;

/**
 * The js/ts/sh blocks that are not marked runnable, each with why it cannot run here. Every such
 * block must be listed (matched by its file and a piece of its text) and every entry must match
 * one block, so a new example is either run or excluded on purpose.
 */
const NOT_RUNNABLE: ReadonlyArray<{ file: string; contains: string; why: string }> = [
  { file: 'README.md', contains: 'npm install zkurator', why: 'installs from the registry' },
  { file: 'README.md', contains: 'npm run demo', why: 'installs Debian packages, needs a Curator JVM and runs for about a minute' },
  { file: 'README.md', contains: 'npx zkurator dev-server', why: 'needs root for apt-get; the server runs in the foreground until Ctrl-C' },
  { file: 'README.md', contains: 'zkurator serve --root /locks', why: 'runs in the foreground (the block after it runs against the gateway this test starts)' },
  { file: 'README.md', contains: 'npm run test:all', why: 'the whole suite' },
  { file: 'docs/benchmarks.md', contains: 'npm run bench', why: 'the benchmark runs for many minutes' },
  { file: 'docs/cli.md', contains: 'zkurator dev-server --port 0', why: 'both commands run in the foreground until Ctrl-C' },
  { file: 'docs/cli.md', contains: '--tls-ca ca.pem', why: 'needs a server with a TLS port and certificate files' },
  { file: 'docs/gateway.md', contains: 'zkurator serve --connect zk1:2181', why: 'runs in the foreground; example host names' },
  { file: 'docs/testing.md', contains: 'npm run test:all', why: 'the whole suite' },
  { file: 'docs/testing.md', contains: 'dist/test/docs-examples.test.js', why: 'runs this very test' },
  { file: 'docs/testing.md', contains: 'docker-compose up -d', why: 'needs a Docker engine and the locally built image, and runs the whole suite' },
  { file: 'docs/testing.md', contains: 'scripts/test-docker.sh --ci', why: 'needs root and a Docker engine; the whole suite on that backend (about 7 minutes), or a subset and the compose smoke test' },
];

/** README.md and every docs/*.md, in a stable order. */
function guideFiles(): string[] {
  const docs = readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).sort();
  return ['README.md', ...docs.map((f) => `docs/${f}`)];
}

function blocksOf(file: string): DocBlock[] {
  return extractBlocks(file, readFileSync(join(repoRoot, file), 'utf8'));
}

const guides = guideFiles().map((file) => ({ file, slug: file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-'), blocks: blocksOf(file) }));
const runnable = guides.flatMap((g) => g.blocks.filter((b) => b.runnable));

interface Outcome { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs a command in its own process group; on timeout the whole group is killed. */
function runProcess(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${BLOCK_TIMEOUT_MS} ms]`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, BLOCK_TIMEOUT_MS);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

describe('guide examples (README.md, docs/*.md) run as written', function () {
  this.timeout(60_000);
  let work: string;
  let typeCheck: Outcome;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'zkurator-docs-'));
    const modules = join(work, 'node_modules');
    mkdirSync(join(modules, '.bin'), { recursive: true });
    symlinkSync(repoRoot, join(modules, 'zkurator'), 'dir');
    symlinkSync(join(repoRoot, 'node_modules', 'prom-client'), join(modules, 'prom-client'), 'dir');
    symlinkSync(join(repoRoot, 'node_modules', '@types'), join(modules, '@types'), 'dir');
    const bin = join(modules, '.bin', 'zkurator');
    writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'dist', 'lib', 'cli', 'main.js')}" "$@"\n`);
    chmodSync(bin, 0o755);
    writeFileSync(join(work, 'package.json'), `${JSON.stringify({ private: true, type: 'module' })}\n`);
    writeFileSync(join(work, 'tsconfig.json'), `${JSON.stringify({
      compilerOptions: {
        target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], module: 'NodeNext', moduleResolution: 'NodeNext',
        strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true, types: ['node'],
        rootDir: '.', outDir: 'ts-out', noEmitOnError: true,
      },
      include: ['ts/**/*.ts'],
    }, null, 2)}\n`);
    for (const g of guides) mkdirSync(join(work, g.slug));
    // Every ts block is compiled once, here, so that a single guide's tests (mocha -g) have it.
    for (const b of runnable.filter((r) => RUNNABLE_LANGS.get(r.lang) === 'ts')) {
      mkdirSync(join(work, 'ts', guideOf(b).slug), { recursive: true });
      writeFileSync(join(work, 'ts', guideOf(b).slug, `block-${b.line}.ts`), b.code);
    }
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    typeCheck = await runProcess(process.execPath, [tsc, '-p', join(work, 'tsconfig.json')], work, process.env);
  });

  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('every js/ts/sh block is marked runnable or listed here with why it cannot run', () => {
    const unmarked = guides.flatMap((g) => g.blocks.filter((b) => RUNNABLE_LANGS.has(b.lang) && !b.runnable));
    const unlisted = unmarked.filter((b) => !NOT_RUNNABLE.some((n) => n.file === b.file && b.code.includes(n.contains)));
    expect(unlisted.map((b) => `${b.file}:${b.line}`), 'mark them ```js runnable, or list them in NOT_RUNNABLE').to.deep.equal([]);
    const stale = NOT_RUNNABLE.filter((n) => unmarked.filter((b) => n.file === b.file && b.code.includes(n.contains)).length !== 1);
    expect(stale.map((n) => `${n.file}: ${n.contains}`), 'each entry must match exactly one unmarked block').to.deep.equal([]);
    expect(runnable.length).to.be.greaterThan(20);
  });

  it('the TypeScript examples type-check (tsc --strict against the built package types)', () => {
    expect(runnable.some((b) => RUNNABLE_LANGS.get(b.lang) === 'ts')).to.equal(true);
    expect(typeCheck.code, typeCheck.stdout + typeCheck.stderr).to.equal(0);
  });

  for (const guide of guides) {
    const blocks = guide.blocks.filter((b) => b.runnable);
    if (blocks.length === 0) continue;
    describe(guide.file, function () {
      let connectString: string;
      let gateway: GatewayProcess | undefined;
      const dir = (): string => join(work, guide.slug);

      before(async function () {
        this.timeout(60_000);
        const chroot = `/zkurator-docs/${guide.slug}-${randomUUID().slice(0, 8)}`;
        const admin = await connect(sharedConnectString());
        try {
          for (const path of ['/zkurator-docs', chroot]) {
            await admin.create(path, Buffer.alloc(0), CreateMode.PERSISTENT).catch((err: unknown) => {
              if (!(err instanceof NodeExistsError)) throw err;
            });
          }
        } finally {
          await admin.close();
        }
        connectString = `${sharedConnectString()}${chroot}`;
        if (blocks.some((b) => b.code.includes(DOC_GATEWAY))) gateway = await GatewayProcess.start({ connectString, root: '/locks' });
      });

      after(async () => {
        await gateway?.stop();
      });

      for (const block of blocks) {
        it(`${block.file}:${block.line} (${block.lang})${block.expectedOutput === undefined ? '' : ', output as shown'}`, async () => {
          const code = block.code.replaceAll(DOC_CONNECT, connectString).replaceAll(DOC_GATEWAY, gateway?.url ?? DOC_GATEWAY);
          const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ZKURATOR_')));
          Object.assign(env, {
            PATH: `${join(work, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
            HOME: dir(),
            ZOOKEEPER_CONNECT: connectString,
            ZK_OPS_PASSWORD: 'ops-secret',
            ZK_ORDERS_PASSWORD: 'orders-secret',
            npm_config_offline: 'true', // `npx zkurator` finds the local one, and never asks the registry
          });
          let out: Outcome;
          switch (RUNNABLE_LANGS.get(block.lang)) {
            case 'js': {
              const file = join(dir(), `block-${block.line}.mjs`);
              writeFileSync(file, code);
              out = await runProcess(process.execPath, [file], dir(), env);
              break;
            }
            case 'ts': {
              expect(typeCheck.code, `the TypeScript examples do not compile:\n${typeCheck.stdout}${typeCheck.stderr}`).to.equal(0);
              // The compiled output of the type-check above, with the connect string replaced.
              const compiled = join(work, 'ts-out', 'ts', guide.slug, `block-${block.line}.js`);
              const file = join(dir(), `block-${block.line}.mjs`);
              writeFileSync(file, readFileSync(compiled, 'utf8').replaceAll(DOC_CONNECT, connectString).replaceAll(DOC_GATEWAY, gateway?.url ?? DOC_GATEWAY));
              out = await runProcess(process.execPath, [file], dir(), env);
              break;
            }
            default: {
              const file = join(dir(), `block-${block.line}.sh`);
              writeFileSync(file, code);
              out = await runProcess('bash', ['-e', '-o', 'pipefail', file], dir(), env);
            }
          }
          const shown = `\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr}`;
          expect(out.code, `exit code${shown}`).to.equal(0);
          if (block.expectedOutput !== undefined) {
            expect(outputMatches(block.expectedOutput, out.stdout), `output differs from the guide's:\n--- expected\n${block.expectedOutput}${shown}`).to.equal(true);
          }
        });
      }
    });
  }
});

function guideOf(block: DocBlock): { slug: string } {
  return guides.find((g) => g.file === block.file)!;
}
