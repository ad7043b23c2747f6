import { expect } from 'chai';
import { ValidationError } from '../../lib/errors.js';
import { validateLockPath, validateMaxLeases, validateTimeout } from '../../lib/locks/engine/lock-path.js';

describe('input validation (pure logic)', () => {
  for (const bad of ['', 'a', '/', '/a/', '/a//b', '/a/../b', '/a/./b', '/a\u0000b', '/a\u001fb', '/zookeeper', '/zookeeper/x']) {
    it(`rejects lock path ${JSON.stringify(bad)}`, () => {
      expect(() => validateLockPath(bad)).to.throw(ValidationError);
    });
  }
  for (const good of ['/a', '/locks/orders', '/a.b/c-d_e', '/zookeeperish', '/ü/日本']) {
    it(`accepts lock path ${JSON.stringify(good)}`, () => {
      expect(validateLockPath(good)).to.equal(good);
    });
  }
  for (const bad of [0, -1, 1.5, NaN, Infinity, '2', null]) {
    it(`rejects maxLeases ${String(bad)}`, () => {
      expect(() => validateMaxLeases(bad)).to.throw(ValidationError, /maxLeases/);
    });
  }
  for (const bad of [-1, NaN, -Infinity, '5', null]) {
    it(`rejects timeout ${String(bad)}`, () => {
      expect(() => validateTimeout(bad)).to.throw(ValidationError, /timeout/);
    });
  }
  it('accepts timeout 0 (try-lock), positive of any size, and undefined or Infinity (forever)', () => {
    expect(validateTimeout(0)).to.equal(0);
    expect(validateTimeout(1.5)).to.equal(1.5);
    expect(validateTimeout(2 ** 31)).to.equal(2 ** 31);
    expect(validateTimeout(Number.MAX_SAFE_INTEGER)).to.equal(Number.MAX_SAFE_INTEGER);
    expect(validateTimeout(undefined)).to.equal(undefined);
    expect(validateTimeout(Infinity)).to.equal(undefined);
  });
});
