// The published package as a user gets it: the CommonJS build for require(), the ESM build for
// import, declarations for both that type-check without skipLibCheck and show nothing marked
// @internal, and a file list (npm pack) with the sources its source maps point to.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedConnectString, uniquePath } from './support/harness.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** A throwaway project whose node_modules/zkurator is this repository (as `npm link` would make it). */
function consumerProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zkurator-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'zkurator'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  return dir;
}

async function node(cwd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, args, { cwd, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } });
}

/**
 * The environment for an npm the test runs as a user would: without the npm_* variables of the
 * `npm test` that runs the suite (its config, its package), which would steer the inner npm.
 */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

/** A script that connects with the module `zk`, takes and releases a Mutex, and prints what it saw. */
function lockScript(path: string): string {
  return `
    const client = await zk.connect(${JSON.stringify(sharedConnectString())}, { sessionTimeout: 6000 });
    try {
      const lease = await new zk.Mutex(client, ${JSON.stringify(path)}).acquire({ timeout: 10000 });
      const children = await client.getChildren(${JSON.stringify(path)});
      await lease.release();
      const after = await client.getChildren(${JSON.stringify(path)}).catch(() => []);
      let busy;
      try { await new zk.Mutex(client, '/zookeeper/x'); } catch (err) { busy = err instanceof zk.ValidationError && err.code; }
      return { node: lease.path, children, after, busy };
    } finally {
      await client.close();
    }`;
}

describe('the package: CommonJS and ESM entry points, declarations, file list', function () {
  this.timeout(60_000);
  let project: string | undefined;

  afterEach(() => {
    if (project) rmSync(project, { recursive: true, force: true });
    project = undefined;
  });

  it('require() of the package root path loads the CommonJS build, which takes and releases a Mutex on the server', async () => {
    project = consumerProject();
    const path = uniquePath('cjs-root');
    const { stdout, stderr } = await node(project, ['-e', `
      const zk = require(${JSON.stringify(ROOT)});
      (async () => { ${lockScript(path)} })().then(
        (r) => console.log(JSON.stringify({ ...r, resolved: require.resolve(${JSON.stringify(ROOT)}) })),
        (e) => { console.error(e); process.exit(1); });
    `]);
    expect(stderr).to.equal(''); // no warning either (the library never prints)
    const out = JSON.parse(stdout) as { node: string; children: string[]; after: string[]; busy: string; resolved: string };
    expect(out.resolved).to.equal(join(ROOT, 'dist/cjs/index.js'));
    expect(out.node.startsWith(`${path}/_c_`)).to.equal(true);
    expect(out.children.map((c) => `${path}/${c}`)).to.deep.equal([out.node]);
    expect(out.after).to.deep.equal([]);
    expect(out.busy).to.equal('VALIDATION');
  });

  it('require("zkurator") and import("zkurator") resolve through "exports" to the CJS and ESM builds; both lock; instanceof does not cross them', async () => {
    project = consumerProject();
    const [cjsPath, esmPath] = [uniquePath('cjs-name'), uniquePath('esm-name')];
    writeFileSync(join(project, 'both.mjs'), `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const cjs = require('zkurator');
      const esm = await import('zkurator');
      async function lock(zk, path) { ${lockScript('PATH').replace(/"PATH"/g, 'path')} }
      const results = { cjs: await lock(cjs, ${JSON.stringify(cjsPath)}), esm: await lock(esm, ${JSON.stringify(esmPath)}) };
      const resolved = { cjs: require.resolve('zkurator'), esm: import.meta.resolve('zkurator') };
      // the dual-package hazard, as documented: two copies of every class
      const err = new cjs.ValidationError('x');
      const hazard = { sameClass: cjs.ValidationError === esm.ValidationError, crossInstanceof: err instanceof esm.ValidationError, code: err.code };
      const client = await esm.connect(${JSON.stringify(sharedConnectString())});
      try {
        new cjs.Mutex(client, '/a');
        hazard.mixed = 'accepted';
      } catch (e) {
        hazard.mixed = e.message;
      } finally {
        await client.close();
      }
      console.log(JSON.stringify({ results, resolved, hazard }));
    `);
    const { stdout, stderr } = await node(project, ['both.mjs']);
    expect(stderr).to.equal('');
    const out = JSON.parse(stdout) as {
      results: Record<'cjs' | 'esm', { node: string; children: string[]; after: string[]; busy: string }>;
      resolved: { cjs: string; esm: string };
      hazard: { sameClass: boolean; crossInstanceof: boolean; code: string; mixed: string };
    };
    expect(out.resolved).to.deep.equal({ cjs: join(ROOT, 'dist/cjs/index.js'), esm: `file://${join(ROOT, 'dist/lib/index.js')}` });
    for (const [kind, path] of [['cjs', cjsPath], ['esm', esmPath]] as const) {
      const r = out.results[kind];
      expect(r.node.startsWith(`${path}/_c_`), kind).to.equal(true);
      expect(r.children.map((c) => `${path}/${c}`)).to.deep.equal([r.node]);
      expect(r.after).to.deep.equal([]);
      expect(r.busy).to.equal('VALIDATION');
    }
    expect(out.hazard).to.deep.equal({
      sameClass: false, crossInstanceof: false, code: 'VALIDATION',
      mixed: 'client is a ZkClient from another copy of zkurator (one loaded with require() and one with import, or two installs): take connect() and the locks from the same one',
    });
  });

  it('a TypeScript consumer with moduleResolution node10 resolves both entry points, zkurator and zkurator/gateway (typesVersions)', async () => {
    project = consumerProject();
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(project, 'node_modules', '@types'), 'dir');
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: {
      strict: true, module: 'CommonJS', moduleResolution: 'node10', target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'],
      noEmit: true, skipLibCheck: true, types: ['node'], esModuleInterop: true,
    }, files: ['main.ts'] }));
    writeFileSync(join(project, 'main.ts'), `
      import { connect, Mutex, type Lease } from 'zkurator';
      import * as gateway from 'zkurator/gateway';
      export async function main(): Promise<string[]> {
        const client = await connect('127.0.0.1:2181');
        const lease: Lease = await new Mutex(client, '/a').acquire({ timeout: 1 });
        await lease.release();
        return Object.keys(gateway);
      }
    `);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', project], { cwd: project, timeout: 60_000 }).then(() => 'ok', (e: { stdout?: string }) => e.stdout ?? String(e));
    expect(result).to.equal('ok');
  });

  it('the declarations type-check for an ESM and a CommonJS consumer with skipLibCheck off, and contain nothing marked @internal', async () => {
    project = consumerProject();
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(project, 'node_modules', '@types'), 'dir');
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: {
      strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'],
      noEmit: true, skipLibCheck: false, types: ['node'],
    }, files: ['esm.mts', 'cjs.cts'] }));
    writeFileSync(join(project, 'esm.mts'), `
      import { connect, Mutex, ReadWriteLock, ChrootNotFoundError, ConnectTimeoutError, type Lease, type ConnectAttempt } from 'zkurator';
      const client = await connect('127.0.0.1:2181');
      const lease: Lease = await new Mutex(client, '/a').acquire({ timeout: 1 });
      const read: Lease = await (await new ReadWriteLock(client, '/b').writeLock.acquire()).downgrade();
      const attempts: readonly ConnectAttempt[] = new ConnectTimeoutError('h:1', 1).attempts;
      export { lease, read, attempts, ChrootNotFoundError };
    `);
    writeFileSync(join(project, 'cjs.cts'), `
      import zk = require('zkurator');
      export = async function main(): Promise<string> {
        const client = await zk.connect('127.0.0.1:2181');
        const lease: zk.Lease = await new zk.Mutex(client, '/a').acquire({ timeout: 1 });
        await lease.release();
        return lease.path;
      };
    `);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', project], { cwd: project, timeout: 60_000 }).then(() => 'ok', (e: { stdout?: string }) => e.stdout ?? String(e));
    expect(result).to.equal('ok');
    const { stdout } = await run('grep', ['-rl', '--include=*.d.ts', '@internal', join(ROOT, 'dist/lib'), join(ROOT, 'dist/cjs')]).catch((e: { code?: number; stdout: string }) => {
      if (e.code === 1) return { stdout: '' }; // grep: no match
      throw e;
    });
    expect(stdout).to.equal('');
  });

  it('npm pack: both builds, the CJS marker, and every source a source map names; no tests, no scripts but the image build', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, timeout: 60_000 });
    const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
    const files = new Set(pack!.files.map((f) => f.path));
    for (const must of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/cli/main.js',
      'dist/lib/cli/server-watchdog.js', // run by the dev-server as a separate process: nothing imports it
      'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'lib/index.ts', 'lib/zookeeper/session.ts']) {
      expect(files.has(must), must).to.equal(true);
    }
    // scripts/: only the image build script that `zkurator dev-server --backend docker` tells users to run
    expect(files.has('scripts/docker/build-image.sh'), 'scripts/docker/build-image.sh').to.equal(true);
    expect([...files].filter((f) => (/^(dist\/)?(test|scripts)\//.test(f) && f !== 'scripts/docker/build-image.sh') || f.startsWith('dist/cjs/cli/'))).to.deep.equal([]);
    expect(JSON.parse(readFileSync(join(ROOT, 'dist/cjs/package.json'), 'utf8'))).to.deep.equal({ type: 'commonjs' });
    const maps = [...files].filter((f) => f.endsWith('.js.map'));
    expect(maps.length).to.be.above(20);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const packed = normalize(join(dirname(map), source));
        expect(files.has(packed), `${map} -> ${source}`).to.equal(true);
        expect(existsSync(join(ROOT, packed))).to.equal(true);
      }
    }
  });

  it('npm pack, then npm install --engine-strict of the tarball into an empty project adds one package, zkurator; import and require("zkurator") load it, and it locks; zkurator/gateway loads both ways', async function () {
    this.timeout(180_000);
    project = mkdtempSync(join(tmpdir(), 'zkurator-install-'));
    const { stdout: packed } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: ROOT, env: npmEnv(), timeout: 60_000 });
    const tarball = join(project, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
    const app = join(project, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "private": true }\n');
    // as a user installs it, on the Node first on PATH (the line the suite runs on): a package
    // that claims this Node in `engines` and needs nothing else installs with --engine-strict
    await run('npm', ['install', '--engine-strict', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app, env: npmEnv(), timeout: 150_000 });
    const lock = JSON.parse(readFileSync(join(app, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages)).to.deep.equal(['node_modules/zkurator']);
    const installed = join(app, 'node_modules', 'zkurator');
    const [cjsPath, esmPath] = [uniquePath('installed-cjs'), uniquePath('installed-esm')];
    writeFileSync(join(app, 'both.mjs'), `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const cjs = require('zkurator');
      const esm = await import('zkurator');
      async function lock(zk, path) { ${lockScript('PATH').replace(/"PATH"/g, 'path')} }
      const results = { cjs: await lock(cjs, ${JSON.stringify(cjsPath)}), esm: await lock(esm, ${JSON.stringify(esmPath)}) };
      const gateway = [typeof (await import('zkurator/gateway')).createGateway, typeof require('zkurator/gateway').createGateway];
      console.log(JSON.stringify({ results, gateway, resolved: { cjs: require.resolve('zkurator'), esm: import.meta.resolve('zkurator') } }));
    `);
    const { stdout, stderr } = await node(app, ['both.mjs']);
    expect(stderr).to.equal('');
    const out = JSON.parse(stdout) as {
      results: Record<'cjs' | 'esm', { node: string; children: string[]; after: string[]; busy: string }>;
      gateway: string[];
      resolved: { cjs: string; esm: string };
    };
    expect(out.gateway, 'zkurator/gateway by import and require').to.deep.equal(['function', 'function']);
    expect(out.resolved).to.deep.equal({ cjs: join(installed, 'dist/cjs/index.js'), esm: `file://${join(installed, 'dist/lib/index.js')}` });
    for (const [kind, path] of [['cjs', cjsPath], ['esm', esmPath]] as const) {
      const r = out.results[kind];
      expect(r.node.startsWith(`${path}/_c_`), kind).to.equal(true);
      expect(r.children.map((c) => `${path}/${c}`)).to.deep.equal([r.node]);
      expect(r.after).to.deep.equal([]);
      expect(r.busy).to.equal('VALIDATION');
    }
  });

  it('a package ready to publish: the Apache-2.0 LICENSE, repository, bugs and homepage; every relative link of the packed markdown is packed too', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, timeout: 60_000 });
    const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
    const files = new Set(pack!.files.map((f) => f.path));
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).to.contain('Apache License');
    expect(license).to.contain('Version 2.0, January 2004');
    expect(license).to.contain('END OF TERMS AND CONDITIONS');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.license).to.equal('Apache-2.0');
    expect(pkg.repository).to.have.property('url').that.matches(/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/);
    expect(pkg.bugs).to.have.property('url').that.matches(/^https:\/\/github\.com\/.+\/issues$/);
    expect(pkg.homepage).to.match(/^https:\/\//);
    // A link (or image) that works in the repository must work in node_modules/zkurator too.
    const markdown = [...files].filter((f) => f.endsWith('.md'));
    expect(markdown).to.include.members(['README.md', 'CHANGELOG.md']);
    for (const doc of markdown) {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target!)) continue;
        const packed = normalize(join(dirname(doc), target!.split('#')[0]!));
        expect(files.has(packed), `${doc} links to ${target}, which is not in the package`).to.equal(true);
      }
    }
  });

  it('the zkurator command is executable after a build (npx zkurator in a fresh clone runs it, it does not get "Permission denied")', () => {
    const mode = statSync(join(ROOT, 'dist/lib/cli/main.js')).mode;
    expect(mode & 0o111, `mode ${mode.toString(8)}`).to.equal(0o111);
    expect(readFileSync(join(ROOT, 'dist/lib/cli/main.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).to.equal(true);
  });
});
