// connect() and its failures: a connect string that cannot be right fails at once as bad input;
// one that is fine but reaches no server fails at the connect timeout with a ConnectTimeoutError
// naming every server tried and what happened to it (refused, name not resolved, no answer).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { lookup } from 'node:dns/promises';
import { connect, ConnectTimeoutError, HostNotFoundError, ValidationError } from '../lib/index.js';
import { fourLetterWord } from './support/four-letter.js';
import { newClient, sharedServerPort } from './support/harness.js';
import { freePort } from './support/ports.js';

async function failure(connectString: string, options: Parameters<typeof connect>[1]): Promise<{ err: unknown; ms: number }> {
  const started = performance.now();
  const err = await connect(connectString, options).then(async (client) => {
    await client.close();
    return new Error(`connect(${connectString}) succeeded`);
  }, (e: unknown) => e);
  return { err, ms: performance.now() - started };
}

describe('connect(): bad connect strings and unreachable servers', function () {
  this.timeout(30_000);

  const bad: Array<[string, RegExp]> = [
    ['garbage', /server address "garbage" in connect string "garbage" has no port/],
    ['127.0.0.1:notaport', /bad port "notaport" in connect string "127.0.0.1:notaport": expected 1-65535/],
    [',,,', /connect string ",,," has an empty server address/],
    ['127.0.0.1:99999', /bad port "99999" in connect string "127.0.0.1:99999": expected 1-65535/],
    ['127.0.0.1:0', /bad port "0"/],
    ['', /must not be empty/],
    ['127.0.0.1:2181,', /empty server address/],
    [':2181', /bad host name ""/],
    ['bad_host:2181', /bad host name "bad_host"/],
    ['[::1]2181', /expected \[ipv6\]:port/],
    ['127.0.0.1:2181/locks/', /bad chroot "\/locks\/".*must not end with "\/"/],
    ['127.0.0.1:2181/a//b', /bad chroot .*empty segment/],
    ['127.0.0.1:2181/a\u{1F600}', /bad chroot .*character U\+d83d is not allowed/],
  ];
  for (const [connectString, message] of bad) {
    it(`rejects ${JSON.stringify(connectString)} at once with ValidationError (no socket, no wait)`, async () => {
      const { err, ms } = await failure(connectString, { connectTimeout: 20_000 });
      expect(err, String(err)).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).message).to.match(message);
      expect((err as ValidationError).code).to.equal('VALIDATION');
      expect(ms).to.be.below(500);
    });
  }

  for (const sessionTimeout of [2 ** 31, 0, -1, 1.5, Number.NaN, Infinity]) {
    it(`rejects sessionTimeout ${String(sessionTimeout)} at once with ValidationError (out of the int32 the protocol carries, or not a duration)`, async () => {
      const { err, ms } = await failure('127.0.0.1:2181', { sessionTimeout, connectTimeout: 20_000 });
      expect(err, String(err)).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).message).to.match(/sessionTimeout must be a positive integer number of milliseconds up to 2147483647/);
      expect(ms).to.be.below(500);
    });
  }

  it('exposes the session timeout the server granted (clamped to its 20 ticks), not the one asked for', async () => {
    const client = await newClient({ sessionTimeout: 2 ** 31 - 1 });
    const conf = await fourLetterWord(sharedServerPort(), 'conf');
    const max = Number(/maxSessionTimeout=(\d+)/.exec(conf)?.[1]);
    expect(max).to.be.greaterThan(0);
    expect(client.negotiatedSessionTimeout).to.equal(max);
  });

  it('ConnectTimeoutError names every server and what happened: refused, host name not resolved', async () => {
    const port = await freePort(); // nothing listens there
    const unknownHost = `zkurator-${randomUUID().slice(0, 8)}.invalid`; // reserved TLD: never resolves
    const connectString = `127.0.0.1:${port},${unknownHost}:2181`;
    const { err, ms } = await failure(connectString, { connectTimeout: 3_000 });
    expect(err, String(err)).to.be.instanceOf(ConnectTimeoutError);
    const timeout = err as ConnectTimeoutError;
    expect(ms).to.be.at.least(2_950);
    expect(timeout.connectString).to.equal(connectString);
    expect(timeout.attempts.map((a) => a.server)).to.deep.equal([`127.0.0.1:${port}`, `${unknownHost}:2181`]);
    expect(timeout.attempts[0]!.error).to.match(new RegExp(`^connection refused \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)$`));
    expect(timeout.attempts[1]!.error).to.match(/^host name not resolved \(getaddrinfo (ENOTFOUND|EAI_AGAIN) /);
    expect(timeout.message).to.equal(`could not connect to ZooKeeper at ${connectString} within 3000 ms: ` +
      `127.0.0.1:${port}: ${timeout.attempts[0]!.error}; ${unknownHost}:2181: ${timeout.attempts[1]!.error}`);
    expect(timeout.lastError).to.be.oneOf(timeout.attempts.map((a) => `${a.server}: ${a.error}`));
  });

  it('a URL where a connect string belongs says it looks like a URL and what to write instead', async () => {
    for (const [url, bare] of [['http://127.0.0.1:2181', '127.0.0.1:2181'], ['zk://zk1:2181,zk2:2181/app/', 'zk1:2181,zk2:2181/app']] as const) {
      const { err } = await failure(url, {});
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as Error).message).to.equal(`connect string "${url}" looks like a URL (${url.slice(0, url.indexOf(':'))}://...); ` +
        `a ZooKeeper connect string is host:port[,host:port...][/chroot] with no scheme, e.g. "${bare}"`);
    }
  });

  it('every host name unknown to DNS: HostNotFoundError at once, not after the connect timeout (EAI_AGAIN: retried until it)', async () => {
    const [a, b] = [`zkurator-${randomUUID().slice(0, 8)}.invalid`, `zkurator-${randomUUID().slice(0, 8)}.invalid`]; // reserved TLD
    const connectString = `${a}:2181,${b}:2182/app`;
    // What this machine's resolver answers decides what connect() must do: "no such name" is
    // final, "no answer" (EAI_AGAIN, e.g. no DNS server reachable) may change on the next try.
    const answer = await lookup(a).then(() => 'resolved', (e: NodeJS.ErrnoException) => e.code);
    if (answer === 'ENOTFOUND') {
      // a connect timeout longer than this test's own: waiting it out fails the test
      const { err } = await failure(connectString, { connectTimeout: 120_000 });
      expect(err, String(err)).to.be.instanceOf(HostNotFoundError);
      const e = err as HostNotFoundError;
      expect(e.code).to.equal('HOST_NOT_FOUND');
      expect(e.connectString).to.equal(connectString);
      expect(e.attempts.map((x) => x.server)).to.deep.equal([`${a}:2181`, `${b}:2182`]);
      for (const attempt of e.attempts) expect(attempt.error).to.match(/^host name not resolved \(getaddrinfo ENOTFOUND /);
      expect(e.message).to.match(new RegExp(`^cannot connect to ZooKeeper at ${connectString}: no host name of the connect string resolves \\(.*\\); check the connect string$`));
    } else {
      expect(answer).to.equal('EAI_AGAIN');
      const { err } = await failure(connectString, { connectTimeout: 1_500 });
      expect(err, String(err)).to.be.instanceOf(ConnectTimeoutError);
      expect((err as Error).message).to.contain('temporary DNS failure');
    }
  });

  it('ConnectTimeoutError for a server that accepts but never answers: "no answer to the session handshake"', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const { err } = await failure(`127.0.0.1:${port}`, { connectTimeout: 2_500, sessionTimeout: 1_000 });
      expect(err, String(err)).to.be.instanceOf(ConnectTimeoutError);
      const [attempt] = (err as ConnectTimeoutError).attempts;
      expect(attempt?.server).to.equal(`127.0.0.1:${port}`);
      expect(attempt?.error).to.match(/^connected, but no answer to the session handshake (within 1000 ms|yet \(after \d+ ms\)(; the attempt before: connected, but no answer to the session handshake within 1000 ms)?)$/);
      expect((err as Error).message).to.contain(`127.0.0.1:${port}: connected, but no answer to the session handshake`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
