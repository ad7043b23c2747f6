import { expect } from 'chai';
import {
  newProtectedPrefix, protectedPrefixOf, sequenceOf, sortChildren, sortKey,
} from '../../lib/locks/engine/lock-node-name.js';

describe('lock node names (pure logic)', () => {
  it('makes Curator protected prefixes: _c_ + lowercase canonical UUID + "-"', () => {
    const p = newProtectedPrefix();
    expect(p).to.match(/^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-$/);
    expect(newProtectedPrefix()).to.not.equal(p);
    expect(protectedPrefixOf(`${p}lock-0000000001`)).to.equal(p);
    expect(protectedPrefixOf('lock-0000000001')).to.equal(undefined);
  });

  it('sort key is what follows the LAST lock name; other names sort whole', () => {
    expect(sortKey('_c_x-lock-0000000007', ['lock-'])).to.equal('0000000007');
    expect(sortKey('lock-lock-0000000003', ['lock-'])).to.equal('0000000003');
    expect(sortKey('junk', ['lock-'])).to.equal('junk');
    expect(sortKey('_c_x-__WRIT__0000000004', ['__READ__', '__WRIT__'])).to.equal('0000000004');
    expect(sortKey('_c_x-__READ__0000000005', ['__READ__', '__WRIT__'])).to.equal('0000000005');
  });

  it('compares keys as Java Strings (UTF-16 code units), never numerically or by locale', () => {
    const children = ['_c_a-lock-0000000010', '_c_b-lock-0000000002', 'zzz', 'Z', '_c_c-lock--000000001', 'é', 'e'];
    const sorted = sortChildren(children, ['lock-']);
    // keys: 0000000010, 0000000002, zzz, Z, -000000001, é, e
    expect(sorted).to.deep.equal(['_c_c-lock--000000001', '_c_b-lock-0000000002', '_c_a-lock-0000000010', 'Z', 'e', 'zzz', 'é']);
  });

  it('keeps equal keys in input order (stable, like Java)', () => {
    expect(sortChildren(['_c_b-lock-0000000001', '_c_a-lock-0000000001'], ['lock-']))
      .to.deep.equal(['_c_b-lock-0000000001', '_c_a-lock-0000000001']);
  });

  it('reads the sequence, including a negative one after overflow', () => {
    expect(sequenceOf('_c_x-lock-0000000042', ['lock-'])).to.equal('0000000042');
    expect(sequenceOf('_c_x-lock--2147483648', ['lock-'])).to.equal('-2147483648');
    expect(sequenceOf('_c_x-__WRIT__0000000007', ['__READ__', '__WRIT__'])).to.equal('0000000007');
    expect(sequenceOf('junk', ['lock-'])).to.equal(undefined);
  });
});
