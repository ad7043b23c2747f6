// `zkurator serve` as a real child process: config and token files, SIGTERM (stop accepting,
// answer waiters, release every lock, close the session, exit 0); and the package's
// zkurator/gateway entry point, which `import 'zkurator'` never loads.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CliProcess, killRunningClis, runCli } from './support/cli-process.js';
import { childrenOf, newClient, sharedConnectString, untilChildren } from './support/harness.js';
import { startGateway, uniqueRoot, useGateways } from './support/gateway-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

describe('zkurator serve (the real executable)', function () {
  this.timeout(60_000);
  useGateways();
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'zkurator-serve-')); });
  afterEach(async () => {
    await killRunningClis();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves with a config and a token file; SIGTERM answers the waiter 503, releases every lock, closes the session, exits 0', async () => {
    const root = uniqueRoot();
    writeFileSync(join(dir, 'gateway.json'), JSON.stringify({ lifetime: { default: 120, max: 600 }, pools: { deploy: { expire: 300 } } }));
    writeFileSync(join(dir, 'token'), 'tok-123\n');
    const serve = new CliProcess(['serve', '--connect', sharedConnectString(), '--listen', '127.0.0.1:0', '--root', root,
      '--config', join(dir, 'gateway.json'), '--token-file', join(dir, 'token')]);
    const [, base] = await serve.waitFor(/listening on (http:\/\/\S+)/);
    const auth = { authorization: 'Bearer tok-123' };
    const post = (path: string, body: object): Promise<Response> => fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { ...auth, 'content-type': 'application/json' } });
    expect((await fetch(`${base}/locks`)).status).to.equal(401);
    const a = await post('/locks/a', {});
    expect(a.status).to.equal(201);
    expect((await a.json() as { lifetime: number }).lifetime).to.equal(120); // the config's default
    expect((await post('/locks/b', { mode: 'write' })).status).to.equal(201);
    expect(await (await fetch(`${base}/get/?host=h1&pool=deploy`, { headers: auth })).text()).to.equal('YES');
    const waiter = post('/locks/a', { wait: 50 });
    const client = await newClient();
    await untilChildren(client, `${root}/a`, 2);
    expect((await client.getChildren(root)).sort()).to.deep.equal(['a', 'b', 'deploy']);

    serve.signal('SIGTERM');
    const answered = await waiter;
    expect(answered.status).to.equal(503);
    expect((await answered.json() as { title: string }).title).to.equal('Gateway shutting down');
    const exit = await serve.exited;
    expect(exit.code).to.equal(0);
    expect(exit.stderr).to.match(/SIGTERM: releasing every lock and closing/);
    for (const resource of ['a', 'b', 'deploy']) expect(await childrenOf(client, `${root}/${resource}`), resource).to.deep.equal([]);
    expect(await fetch(`${base}/healthz`).then(() => 'answered', () => 'refused')).to.equal('refused');
  });

  it('SIGTERM on an idle gateway with open connections (an idle keep-alive one, one that sent nothing, one halfway through its headers) exits 0 at once', async () => {
    const root = uniqueRoot();
    const serve = new CliProcess(['serve', '--connect', sharedConnectString(), '--listen', '127.0.0.1:0', '--root', root]);
    const [, base, port] = await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets: Socket[] = [];
    try {
      const taken = await new Promise<number>((resolve, reject) => {
        httpRequest(`${base}/locks/idle`, { method: 'POST', agent }, (r) => { r.resume().on('end', () => resolve(r.statusCode!)); }).on('error', reject).end();
      });
      expect(taken).to.equal(201);
      for (const first of ['', 'GET /healthz HTTP/1.1\r\nHost: x\r\n']) {
        const socket = netConnect(Number(port), '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        if (first) socket.write(first);
        sockets.push(socket);
      }
      const signalled = performance.now();
      serve.signal('SIGTERM');
      const exit = await serve.exited;
      // It closes its connections, releases the lock and its session, in milliseconds; a
      // shutdown that waits on a connection or a timer shows here as seconds.
      expect(performance.now() - signalled).to.be.below(1_000);
      expect(exit.code).to.equal(0);
      expect(await childrenOf(await newClient(), `${root}/idle`)).to.deep.equal([]); // its lock went with it
    } finally {
      agent.destroy();
      for (const s of sockets) s.destroy();
    }
  });

  it('a gateway killed with SIGKILL: its session expires and its locks go to the next waiter (another instance)', async () => {
    const root = uniqueRoot();
    const serve = new CliProcess(['serve', '--connect', sharedConnectString(), '--listen', '127.0.0.1:0', '--root', root, '--session-timeout', '2s']);
    const [, base] = await serve.waitFor(/listening on (http:\/\/\S+)/);
    const held = await fetch(`${base}/locks/k`, { method: 'POST', body: '{"lifetime": 600}', headers: { 'content-type': 'application/json' } });
    expect(held.status).to.equal(201);
    const other = await startGateway({ root });
    const waiting = other.post('/locks/k', { wait: 30 });
    await untilChildren(other.client, `${root}/k`, 2);
    const killedAt = performance.now();
    serve.signal('SIGKILL');
    expect((await serve.exited).signal).to.equal('SIGKILL');
    const res = await waiting;
    expect(res.status).to.equal(201); // granted once the dead instance's session expired, long before its lifetime
    expect(performance.now() - killedAt).to.be.below(15_000);
    expect(await childrenOf(other.client, `${root}/k`)).to.have.length(1);
  });

  it('bad settings are exit 64 before anything listens: a bad config file, an empty token file, a bad --listen', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ lifetime: { max: -1 } }));
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ lifetimes: {} }));
    writeFileSync(join(dir, 'empty'), '\n');
    const cs = sharedConnectString();
    const bad = await runCli(['serve', '--connect', cs, '--listen', '127.0.0.1:0', '--config', join(dir, 'bad.json')]);
    expect(bad.code).to.equal(64);
    expect(bad.stderr).to.match(/lifetime\.max must be a number of seconds/);
    const typo = await runCli(['serve', '--connect', cs, '--config', join(dir, 'typo.json')]);
    expect([typo.code, typo.stderr.trim()]).to.deep.equal([64, `zkurator: ${join(dir, 'typo.json')} has unknown key "lifetimes" (known: root, lifetime, wait, bodyLimit, reapInterval, pools)`]);
    const empty = await runCli(['serve', '--connect', cs, '--token-file', join(dir, 'empty')]);
    expect(empty.code).to.equal(64);
    expect(empty.stderr).to.match(/is empty/);
    const listen = await runCli(['serve', '--connect', cs, '--listen', 'nowhere']);
    expect(listen.code).to.equal(64);
    expect(listen.stderr).to.match(/--listen must be host:port/);
  });

  it('zkurator/gateway resolves for import and require; require of zkurator loads none of the gateway', async () => {
    const project = mkdtempSync(join(tmpdir(), 'zkurator-consumer-'));
    try {
      writeFileSync(join(project, 'package.json'), '{ "private": true }\n');
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(ROOT, join(project, 'node_modules', 'zkurator'), 'dir'); // as npm link would
      writeFileSync(join(project, 'check.mjs'), `
        import { createRequire } from 'node:module';
        const require = createRequire(import.meta.url);
        const lib = require('zkurator');
        const gatewayLoaded = () => Object.keys(require.cache).some((k) => k.includes('/gateway/'));
        const before = gatewayLoaded();
        const esm = await import('zkurator/gateway');
        const cjs = require('zkurator/gateway');
        console.log(JSON.stringify({ lib: typeof lib.Mutex, before, esm: typeof esm.createGateway, cjs: typeof cjs.createGateway,
          esmPath: import.meta.resolve('zkurator/gateway'), cjsPath: require.resolve('zkurator/gateway') }));
      `);
      const { stdout } = await promisify(execFile)(process.execPath, ['check.mjs'], { cwd: project, timeout: 30_000 });
      expect(JSON.parse(stdout)).to.deep.equal({
        lib: 'function', before: false, esm: 'function', cjs: 'function',
        esmPath: `file://${ROOT}/dist/lib/gateway/index.js`, cjsPath: `${ROOT}/dist/cjs/gateway/index.js`,
      });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

