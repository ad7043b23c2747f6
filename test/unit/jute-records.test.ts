// The client's codec against ZooKeeper's own: every record the client writes must come out
// byte for byte as ZooKeeper's jute classes write it, and every record it reads must decode
// ZooKeeper's bytes to the right values (test/peer/JuteVectors.java prints the reference).
// Then a fuzz: arbitrary and mutated bytes may only ever end in a JuteDecodeError.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { compileAgainstCurator, curatorClasspath } from '../../scripts/curator-java.js';
import { FrameDecoder } from '../../lib/zookeeper/framing.js';
import { JuteDecodeError, JuteReader, JuteWriter } from '../../lib/zookeeper/jute.js';
import {
  type ACL, type Stat, readACL, readACLList, readConnectResponse, readMultiResponse, readReplyHeader, readStat,
  readStringList, readWatcherEvent, writeACL, writeAuthPacket, writeConnectRequest, writeCreateRequest,
  writeMultiRequest, writePathVersion, writePathWatch, writeRequestHeader, writeSetACLRequest, writeSetDataRequest,
  writeSetWatches, writeStat,
} from '../../lib/zookeeper/records.js';

const root = join(import.meta.dirname, '..', '..', '..');
const outDir = join(root, 'dist', 'jute-vectors');

function javaVectors(): Map<string, Buffer> {
  compileAgainstCurator(join(root, 'test', 'peer', 'JuteVectors.java'), outDir);
  const out = execFileSync('java', ['-cp', curatorClasspath([outDir]), 'JuteVectors'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const map = new Map<string, Buffer>();
  for (const line of out.trim().split('\n')) {
    const [name, hex] = line.split(' ');
    map.set(name!, Buffer.from(hex ?? '', 'hex'));
  }
  return map;
}

const stat: Stat = {
  czxid: 0x100000001n, mzxid: 0x100000002n, ctime: 1700000000123n, mtime: 1700000000456n, version: 7, cversion: 3,
  aversion: 1, ephemeralOwner: 0x1234567890abcdefn, dataLength: 5, numChildren: 2, pzxid: -0x7ffffffffffffff0n,
};
const acls: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }, { perms: 1, id: { scheme: 'digest', id: 'user:aGFzaA==' } }];
const passwd = Buffer.from(Array.from({ length: 16 }, (_, i) => (i * 17) & 0xff));
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

function written(fn: (w: JuteWriter) => void): string {
  const w = new JuteWriter(8); // small on purpose: growth is exercised too
  fn(w);
  return w.toBuffer().toString('hex');
}

/** Reads a whole record and checks nothing is left over. */
function read<T>(bytes: Buffer, fn: (r: JuteReader) => T): T {
  const r = new JuteReader(bytes);
  const value = fn(r);
  expect(r.remaining, 'bytes left after the record').to.equal(0);
  return value;
}

describe('jute records against ZooKeeper\'s own classes (zookeeper-jute 3.8)', function () {
  this.timeout(60_000);
  let ref: Map<string, Buffer>;
  const hex = (name: string): string => {
    const b = ref.get(name);
    if (!b) throw new Error(`no reference vector ${name}`);
    return b.toString('hex');
  };

  before(() => {
    ref = javaVectors();
  });

  it('writes every request record exactly as ZooKeeper does', () => {
    const cases: Array<[string, (w: JuteWriter) => void]> = [
      ['ConnectRequest', (w) => writeConnectRequest(w, { protocolVersion: 0, lastZxidSeen: 0x55n, timeOut: 10000, sessionId: 0x1000badn, passwd, readOnly: false })],
      ['RequestHeader', (w) => writeRequestHeader(w, 42, 12)],
      ['CreateRequest', (w) => writeCreateRequest(w, { path: '/a/b', data: utf8('data'), acl: acls, flags: 3 })],
      ['CreateTTLRequest', (w) => writeCreateRequest(w, { path: '/t', data: utf8('x'), acl: acls.slice(0, 1), flags: 5, ttl: 60000n })],
      ['DeleteRequest', (w) => writePathVersion(w, '/a/b', 7)],
      ['ExistsRequest', (w) => writePathWatch(w, '/a', true)],
      ['GetDataRequest', (w) => writePathWatch(w, '/a', false)],
      ['SetDataRequest', (w) => writeSetDataRequest(w, '/a', utf8('v2'), -1)],
      ['GetChildrenRequest', (w) => writePathWatch(w, '/a', true)],
      ['GetChildren2Request', (w) => writePathWatch(w, '/a', false)],
      ['GetACLRequest', (w) => w.ustring('/a')],
      ['SetACLRequest', (w) => writeSetACLRequest(w, '/a', acls, 2)],
      ['SyncRequest', (w) => w.ustring('/a')],
      ['AuthPacket', (w) => writeAuthPacket(w, 'digest', utf8('user:secret'))],
      ['SetWatches', (w) => writeSetWatches(w, { relativeZxid: 0x77n, dataWatches: ['/d1', '/d2'], existWatches: ['/e1'], childWatches: ['/c1', '/c2', '/c3'] })],
      ['MultiRequest', (w) => writeMultiRequest(w, [
        { type: 'create', path: '/m/a', data: utf8('1'), acl: acls.slice(0, 1), mode: 3 },
        { type: 'create', path: '/m/c', data: Buffer.alloc(0), acl: acls.slice(0, 1), mode: 4 },
        { type: 'delete', path: '/m/b', version: 4 },
        { type: 'setData', path: '/m/c', data: utf8('22'), version: -1 },
        { type: 'check', path: '/m', version: 9 },
      ])],
      ['Stat', (w) => writeStat(w, stat)],
      ['ACL', (w) => writeACL(w, acls[1]!)],
    ];
    for (const [name, fn] of cases) expect(written(fn), name).to.equal(hex(name));
  });

  it('writes a null buffer as length -1, as ZooKeeper does', () => {
    expect(written((w) => w.ustring('/a').buffer(null).vector(acls.slice(0, 1), (x, a) => writeACL(x, a)).int(4)))
      .to.equal(hex('CreateRequestNullData'));
  });

  it('reads every reply record ZooKeeper writes', () => {
    expect(read(ref.get('Stat')!, readStat)).to.deep.equal(stat);
    expect(read(ref.get('ACL')!, readACL)).to.deep.equal(acls[1]);
    expect(read(ref.get('ConnectResponse')!, readConnectResponse)).to.deep.equal({ protocolVersion: 0, timeOut: 4000, sessionId: 0x1000badn, passwd, readOnly: false });
    // Without the trailing read-only flag (as servers before 3.4 answer): an expired session.
    expect(read(ref.get('ConnectResponseExpired')!, readConnectResponse)).to.deep.equal({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    expect(read(ref.get('ReplyHeader')!, readReplyHeader)).to.deep.equal({ xid: 42, zxid: 0x300000007n, err: -101 });
    expect(read(ref.get('WatcherEvent')!, readWatcherEvent)).to.deep.equal({ type: 2, state: 3, path: '/locks/é-1' });
    expect(read(ref.get('CreateResponse')!, (r) => r.string('path'))).to.equal('/a/b0000000001');
    expect(read(ref.get('Create2Response')!, (r) => ({ path: r.string('path'), stat: readStat(r) }))).to.deep.equal({ path: '/a/b0000000001', stat });
    expect(read(ref.get('ExistsResponse')!, readStat)).to.deep.equal(stat);
    expect(read(ref.get('GetDataResponse')!, (r) => ({ data: r.buffer(), stat: readStat(r) }))).to.deep.equal({ data: utf8('hello'), stat });
    expect(read(ref.get('SetDataResponse')!, readStat)).to.deep.equal(stat);
    expect(read(ref.get('GetChildrenResponse')!, readStringList)).to.deep.equal(['x', 'lock-0000000001', '日本']);
    expect(read(ref.get('GetChildren2Response')!, (r) => ({ children: readStringList(r), stat: readStat(r) }))).to.deep.equal({ children: ['b', 'c'], stat });
    expect(read(ref.get('GetACLResponse')!, (r) => ({ acl: readACLList(r), stat: readStat(r) }))).to.deep.equal({ acl: acls, stat });
    expect(read(ref.get('SetACLResponse')!, readStat)).to.deep.equal(stat);
    expect(read(ref.get('SyncResponse')!, (r) => r.string('path'))).to.equal('/a');
  });

  it('reads multi results, successful and failed, as ZooKeeper writes them', () => {
    expect(read(ref.get('MultiResponse')!, readMultiResponse)).to.deep.equal([
      { type: 'create', path: '/m/a0000000003' },
      { type: 'create', path: '/m/c', stat },
      { type: 'delete' },
      { type: 'setData', stat },
      { type: 'check' },
    ]);
    expect(read(ref.get('MultiResponseFailed')!, readMultiResponse)).to.deep.equal([
      { type: 'error', err: 0 }, { type: 'error', err: -101 }, { type: 'error', err: -2 },
    ]);
  });

  it('fuzz: truncated, mutated and random bytes only ever end in JuteDecodeError', () => {
    const readers: Array<(r: JuteReader) => unknown> = [
      readStat, readACL, readConnectResponse, readReplyHeader, readWatcherEvent, readStringList, readACLList, readMultiResponse,
      (r) => ({ data: r.buffer(), stat: readStat(r) }), (r) => ({ path: r.string('path'), stat: readStat(r) }),
    ];
    // A fixed-seed generator: a failure is reproducible.
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const samples = [...ref.values()];
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < 20_000; i++) {
      let bytes: Buffer;
      const base = samples[rand(samples.length)]!;
      switch (rand(3)) {
        case 0: bytes = base.subarray(0, rand(base.length + 1)); break; // truncated
        case 1: bytes = Buffer.from(base); for (let k = 0; k <= rand(4); k++) bytes[rand(bytes.length)] = rand(256); break; // mutated
        default: bytes = Buffer.from(Array.from({ length: rand(64) }, () => rand(256))); // random
      }
      const reader = readers[rand(readers.length)]!;
      try {
        reader(new JuteReader(bytes));
        decoded++;
      } catch (err) {
        if (!(err instanceof JuteDecodeError)) throw new Error(`${String(err)} on ${bytes.toString('hex')}`);
        rejected++;
      }
    }
    expect(decoded).to.be.greaterThan(0);
    expect(rejected).to.be.greaterThan(0);
  });

  it('a length prefix that claims more than is left cannot size an allocation', () => {
    const huge = Buffer.from('7fffffff', 'hex');
    expect(() => new JuteReader(huge).buffer()).to.throw(JuteDecodeError, /truncated/);
    expect(() => readStringList(new JuteReader(huge))).to.throw(JuteDecodeError, /truncated/);
    expect(() => new JuteReader(Buffer.from('fffffffe', 'hex')).ustring()).to.throw(JuteDecodeError, /negative/);
  });
});

describe('frame decoder (pure logic)', () => {
  it('reassembles frames split anywhere and batched together', () => {
    const frames = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world'), Buffer.alloc(300, 7)];
    const stream = Buffer.concat(frames.map((f) => { const w = new JuteWriter(); w.buffer(f); return w.toBuffer(); }));
    for (const step of [1, 2, 3, 5, 64, stream.length]) {
      const d = new FrameDecoder(1024);
      const got: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) {
        // The caller reuses its read buffer: frames must be taken during the call, and the
        // decoder must keep its own copy of an incomplete tail.
        const reused = Buffer.from(stream.subarray(i, i + step));
        d.push(reused, (f) => { got.push(Buffer.from(f)); return true; });
        reused.fill(0xee);
      }
      expect(got.map((b) => b.toString('hex')), `chunks of ${step}`).to.deep.equal(frames.map((b) => b.toString('hex')));
    }
  });

  it('refuses a negative or oversized length at once instead of buffering for it', () => {
    const none = (): boolean => { throw new Error('no frame expected'); };
    expect(() => new FrameDecoder(1024).push(Buffer.from('ffffffff', 'hex'), none)).to.throw(JuteDecodeError, /frame length -1/);
    expect(() => new FrameDecoder(1024).push(Buffer.from('00000401', 'hex'), none)).to.throw(JuteDecodeError, /frame length 1025/);
  });
});
