// The gateway's settings and lock records (pure logic): defaults, every refusal, round trips.
import { expect } from 'chai';
import { ValidationError } from '../../lib/index.js';
import { parseSettingsFile, resolveSettings } from '../../lib/gateway/gateway-config.js';
import { decodeRecord, encodeRecord, isExpired, parseLockId, type LockRecord } from '../../lib/gateway/lock-record.js';

describe('gateway settings and lock records (pure logic)', () => {
  it('defaults: root /locks, lifetime 60 of at most 3600 and never 0, wait 0 of at most 300, 16 KiB bodies, sweep every 5 s, any pool', () => {
    const s = resolveSettings({});
    expect({ ...s, instance: undefined }).to.deep.equal({
      root: '/locks', defaultLifetime: 60, maxLifetime: 3_600, unlimitedLifetime: false, defaultWait: 0, maxWait: 300,
      bodyLimit: 16_384, reapIntervalMs: 5_000, pools: undefined, instance: undefined,
    });
    expect(s.instance).to.match(/:\d+$/);
    const pools = resolveSettings({ lifetime: { max: 100 }, pools: { deploy: { expire: 50 }, crawl: { size: 3 } } }).pools!;
    expect([...pools]).to.deep.equal([['deploy', { expire: 50, size: 1 }], ['crawl', { expire: 60, size: 3 }]]);
  });

  it('refuses, naming the key: unknown keys, wrong types, default over max, 0 without unlimited, bad pool names, a bad root', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ lifetimes: {} }, /unknown key "lifetimes"/],
      [{ lifetime: { max: 0 } }, /lifetime\.max must be a number of seconds from 1/],
      [{ lifetime: { default: 100, max: 50 } }, /lifetime\.default \(100\) is more than lifetime\.max \(50\)/],
      [{ lifetime: { default: 0 } }, /lifetime\.default 0 \(until released\) needs lifetime\.unlimited: true/],
      [{ lifetime: { unlimited: 'yes' } }, /lifetime\.unlimited must be true or false/],
      [{ wait: { default: 10, max: 5 } }, /wait\.default \(10\) is more than wait\.max \(5\)/],
      [{ wait: { max: -1 } }, /wait\.max must be a number/],
      [{ bodyLimit: 10 }, /bodyLimit must be an integer from 256/],
      [{ reapInterval: 0 }, /reapInterval must be a number of seconds from 0\.05/],
      [{ pools: { 'a b': {} } }, /pool name "a b"/],
      [{ pools: { '..': {} } }, /pool name "\.\."/],
      [{ pools: { p: { expire: 0 } } }, /pools\.p\.expire 0 \(until released\) needs lifetime\.unlimited/],
      [{ pools: { p: { size: 0 } } }, /pools\.p\.size must be an integer from 1/],
      [{ pools: { p: { ttl: 1 } } }, /pools\.p has unknown key "ttl"/],
      [{ pools: [] }, /pools must be an object/],
      [{ root: 'locks' }, /root: /],
      [{ root: '/zookeeper/x' }, /root: /],
      [[], /must be an object/],
    ];
    for (const [input, message] of cases) expect(() => resolveSettings(input, 'cfg'), JSON.stringify(input)).to.throw(ValidationError, message);
    expect(() => parseSettingsFile('{"root":', 'g.json')).to.throw(ValidationError, /^g\.json: not valid JSON/);
    expect(() => parseSettingsFile('42', 'g.json')).to.throw(ValidationError, /g\.json: must hold a JSON object/);
    expect(parseSettingsFile('{"root": "/a"}', 'g.json', { root: '/b' }).root).to.equal('/b'); // the command line wins
  });

  it('lock records round-trip; anything else is not a gateway record; ids parse strictly', () => {
    const record: LockRecord = {
      zkuratorGateway: true, key: '0123456789ab', title: 't', mode: 'read', maxLeases: 1, lifetime: 5,
      acquiredAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-01T00:00:05.000Z', instance: 'h:1', host: 'web1',
    };
    expect(decodeRecord(encodeRecord(record))).to.deep.equal(record);
    for (const data of ['10.0.0.1', '{}', '{"zkuratorGateway":true}', JSON.stringify({ ...record, mode: 'exclusive' }), JSON.stringify({ ...record, expiresAt: 'soon' }), '{bad']) {
      expect(decodeRecord(data), data).to.equal(undefined);
    }
    expect(isExpired(record, Date.parse('2026-01-01T00:00:04.999Z'))).to.equal(false);
    expect(isExpired(record, Date.parse('2026-01-01T00:00:05.000Z'))).to.equal(true);
    expect(isExpired({ ...record, expiresAt: null }, Number.MAX_SAFE_INTEGER)).to.equal(false);
    const { key: _key, ...keyless } = record; // records no longer carry the old id's key; old ones still decode
    expect(decodeRecord(encodeRecord(keyless))).to.deep.equal(keyless);
    expect(decodeRecord(JSON.stringify({ ...record, key: 5 }))).to.equal(undefined);
    expect(parseLockId('0000000003-r0123456789abcdef0123456789abcdef')).to.deep.equal({ sequence: '0000000003', kind: 'r', uuid: '0123456789abcdef0123456789abcdef' });
    expect(parseLockId('-0000000003-m0123456789abcdef0123456789abcdef')).to.deep.equal({ sequence: '-0000000003', kind: 'm', uuid: '0123456789abcdef0123456789abcdef' });
    for (const id of ['0000000003-0123456789ab', '3-m0123456789abcdef0123456789abcdef', '0000000003-m0123456789ABCDEF0123456789abcdef', '0000000003_m0123456789abcdef0123456789abcdef', '']) {
      expect(parseLockId(id), id).to.equal(undefined);
    }
  });
});
