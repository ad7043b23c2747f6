// The gateway's HTTP layer (node:http, no framework) over real HTTP: what a client that sends
// something wrong is told (each 400 names the field, one problem type for them all, 413 states
// the limit, 415 says what to send), keep-alive, HEAD, and what a closing gateway answers.
import { expect } from 'chai';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway } from '../lib/gateway/index.js';
import { childrenOf, newClient, untilChildren } from './support/harness.js';
import { startGateway, uniqueRoot, useGateways, type TestGateway } from './support/gateway-fixture.js';

interface Problem { type: string; title: string; status: number; detail: string }

interface RawAnswer { status: number; headers: IncomingHttpHeaders; text: string }

/** One request over node:http, body written as given (chunked when `chunks` is set). */
function raw(gw: TestGateway, method: string, path: string, options: { body?: string; chunks?: string[]; headers?: Record<string, string>; agent?: Agent } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${gw.base}${path}`, { method, headers: options.headers, agent: options.agent ?? false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (options.chunks) {
      for (const c of options.chunks) req.write(c);
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

describe('gateway HTTP layer (real HTTP)', function () {
  this.timeout(30_000);
  useGateways();

  it('every 400 is one problem type, "invalid-request", whose detail names the field and says what it must be', async () => {
    const gw = await startGateway({ root: uniqueRoot(), lifetime: { max: 600 } });
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, Promise<Response>, RegExp]> = [
      ['unknown field', gw.post('/locks/a', { title: 'x', ttl: 5 }), /^unknown field "ttl" in the body \(known: "title", "lifetime", "wait", "mode", "maxLeases"\)$/],
      ['wrong type', gw.post('/locks/a', { lifetime: '5' }), /^body\.lifetime must be a number from 0 to 600, got "5" \(a string\)$/],
      ['out of range', gw.post('/locks/a', { lifetime: 601 }), /^body\.lifetime must be a number from 0 to 600, got 601$/],
      ['not an integer', gw.post('/locks/a', { maxLeases: 1.5 }), /^body\.maxLeases must be an integer from 1 to 10000, got 1\.5$/],
      ['not a mode', gw.post('/locks/a', { mode: 'exclusive' }), /^body\.mode must be one of "mutex", "read", "write", "semaphore", got "exclusive"$/],
      ['title too long', gw.post('/locks/a', { title: 'x'.repeat(201) }), /^body\.title must be at most 200 characters, got 201$/],
      ['not an object', gw.http('/locks/a', { method: 'POST', body: '[1]', headers: json }), /^the body must be a JSON object, got an array$/],
      ['bad JSON', gw.http('/locks/a', { method: 'POST', body: '{"title":', headers: json }), /^the body is not valid JSON: /],
      ['unknown refresh field', gw.post('/locks/a/0000000001-m00000000000040008000000000000000/refresh', { ttl: 1 }), /^unknown field "ttl" in the body \(known: "lifetime"\)$/],
      ['bad resource', gw.post('/locks/a%20b', {}), /^resource must match \[A-Za-z0-9._-\]\{1,200\} and not be "\." or "\.\.", got "a b"$/],
      ['bad escape', gw.post('/locks/a%zz', {}), /^resource in the path is not valid percent-encoding: "a%zz"$/],
      ['unknown query parameter', gw.http('/locks?details=true'), /^unknown query parameter "details" \(known: "detail"\)$/],
      ['query parameter twice', gw.http('/locks?detail=true&detail=false'), /^query parameter "detail" is given more than once$/],
      ['bad query value', gw.http('/locks?detail=maybe'), /^query parameter detail must be one of "true", "false", "1", "0", got "maybe"$/],
      ['maxLeases with read', gw.post('/locks/a', { mode: 'read', maxLeases: 2 }), /^maxLeases applies to modes "mutex" and "semaphore" only/],
      ['pool query', gw.http('/get/?host=a&pool=p&x=1'), /^unknown query parameter "x" \(known: "host", "pool"\)$/],
    ];
    for (const [what, pending, detail] of cases) {
      const res = await pending;
      expect(res.status, what).to.equal(400);
      expect(res.headers.get('content-type'), what).to.equal('application/problem+json');
      const problem = await res.json() as Problem;
      expect([problem.type, problem.title, problem.status], what).to.deep.equal(['urn:zkurator:gateway:invalid-request', 'Invalid request', 400]);
      expect(problem.detail, what).to.match(detail);
    }
    expect(await childrenOf(gw.client, gw.gateway.settings.root)).to.deep.equal([]);
  });

  it('413 states the limit, for a declared length and for a chunked body, and closes the connection; 415 says what to send', async () => {
    const root = uniqueRoot();
    const gw = await startGateway({ root, bodyLimit: 1_024 });
    const big = JSON.stringify({ title: 'x'.repeat(2_000) });
    const declared = await raw(gw, 'POST', '/locks/a', { body: big, headers: { 'content-type': 'application/json', 'content-length': String(big.length) } });
    const chunked = await raw(gw, 'POST', '/locks/a', { chunks: [big.slice(0, 600), big.slice(600)], headers: { 'content-type': 'application/json' } });
    for (const [what, res] of [['declared', declared], ['chunked', chunked]] as const) {
      expect(res.status, what).to.equal(413);
      expect(res.headers.connection, what).to.equal('close');
      const problem = JSON.parse(res.text) as Problem;
      expect([problem.type, problem.title], what).to.deep.equal(['urn:zkurator:gateway:body-too-large', 'Request body too large']);
      expect(problem.detail, what).to.equal("the request body is larger than this gateway's limit of 1024 bytes (bodyLimit in its config)");
    }
    const form = await raw(gw, 'POST', '/locks/a', { body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).to.equal(415);
    expect(JSON.parse(form.text)).to.deep.include({ type: 'urn:zkurator:gateway:unsupported-media-type', status: 415 });
    expect((JSON.parse(form.text) as Problem).detail).to.match(/Content-Type: application\/json .* not "application\/x-www-form-urlencoded"$/);
    // JSON with a charset or a +json type is JSON; an empty body takes every default
    const charset = await raw(gw, 'POST', '/locks/b', { body: '{"title":"c"}', headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(charset.status).to.equal(201);
    const empty = await raw(gw, 'POST', '/locks/c', { body: '', headers: { 'content-type': 'application/json', 'content-length': '0' } });
    expect(empty.status).to.equal(201);
    expect(JSON.parse(empty.text)).to.include({ title: '', mode: 'mutex' });
    expect((await childrenOf(gw.client, root)).sort()).to.deep.equal(['b', 'c']);
  });

  it('keep-alive: one connection carries many requests; HEAD / sends the headers only; an unknown route is a 404 problem naming it', async () => {
    const gw = await startGateway({ root: uniqueRoot() });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    try {
      for (let i = 0; i < 5; i++) {
        const res = await new Promise<RawAnswer>((resolve, reject) => {
          const req = httpRequest(`${gw.base}/healthz`, { agent }, (r) => {
            sockets.add(r.socket);
            r.resume().on('end', () => resolve({ status: r.statusCode!, headers: r.headers, text: '' }));
          });
          req.on('error', reject).end();
        });
        expect(res.status).to.equal(200);
        expect(res.headers.connection).to.equal('keep-alive');
      }
      expect(sockets.size).to.equal(1);
    } finally {
      agent.destroy();
    }
    const head = await raw(gw, 'HEAD', '/');
    expect([head.status, head.text, head.headers['content-type']]).to.deep.equal([200, '', 'text/html; charset=utf-8']);
    expect(Number(head.headers['content-length'])).to.be.above(1_000);
    const nope = await raw(gw, 'DELETE', '/locks');
    expect(nope.status).to.equal(404);
    expect(JSON.parse(nope.text)).to.deep.equal({ type: 'urn:zkurator:gateway:not-found', title: 'Not found', status: 404, detail: 'no route DELETE /locks' });
    expect((await raw(gw, 'GET', '/locks/')).status).to.equal(200); // a trailing slash is ignored
    expect((await raw(gw, 'GET', '/get?host=h&pool=p')).text).to.equal('YES'); // and so is a missing one
  });

  it('a request that comes once the gateway is closing is answered 503 "shutting-down" and its connection closed; a waiter in flight gets 503 too', async () => {
    // Mounted on a server of the test's own, which the gateway's close() does not stop, so the
    // late request surely reaches the handler.
    const client = await newClient();
    const gateway = await createGateway({ client, root: uniqueRoot() });
    const server = createServer(gateway.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const post = (body: object): Promise<Response> => fetch(`${base}/locks/a`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect((await post({})).status).to.equal(201);
      const waiter = post({ wait: 30 });
      await untilChildren(client, `${gateway.settings.root}/a`, 2);
      const closing = gateway.close();
      const late = await new Promise<RawAnswer>((resolve, reject) => {
        httpRequest(`${base}/healthz`, (r) => {
          let text = '';
          r.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve({ status: r.statusCode!, headers: r.headers, text }));
        }).on('error', reject).end();
      });
      expect(late.status).to.equal(503);
      expect(late.headers.connection).to.equal('close');
      expect(JSON.parse(late.text)).to.include({ type: 'urn:zkurator:gateway:shutting-down', status: 503 });
      const answered = await waiter;
      expect(answered.status).to.equal(503);
      expect(await answered.json()).to.include({ type: 'urn:zkurator:gateway:shutting-down' });
      await closing;
      expect(await childrenOf(client, `${gateway.settings.root}/a`)).to.deep.equal([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
