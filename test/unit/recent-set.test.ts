import { expect } from 'chai';
import { RecentSet } from '../../lib/util/recent-set.js';

describe('RecentSet (pure logic)', () => {
  it('keeps at most its capacity, forgetting the least recently used entry; a hit counts as a use', () => {
    const set = new RecentSet(3);
    for (const key of ['a', 'b', 'c']) set.add(key);
    expect(set.has('a')).to.equal(true); // a is now the most recent: b is the oldest
    set.add('d');
    expect(set.size).to.equal(3);
    expect(set.has('b')).to.equal(false);
    expect(['a', 'c', 'd'].every((k) => set.has(k))).to.equal(true);
    set.add('c'); // re-adding refreshes, does not duplicate
    set.add('e'); // a, d, c were used in that order: a goes
    expect(set.has('a')).to.equal(false);
    expect(set.size).to.equal(3);
    expect(set.delete('c')).to.equal(true);
    expect(set.delete('c')).to.equal(false);
    expect(set.size).to.equal(2);
  });

  it('stays bounded under a stream of distinct keys', () => {
    const set = new RecentSet(100);
    for (let i = 0; i < 100_000; i++) set.add(`/locks/job-${i}`);
    expect(set.size).to.equal(100);
    expect(set.has('/locks/job-99999')).to.equal(true);
    expect(set.has('/locks/job-99899')).to.equal(false);
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new RecentSet(bad), String(bad)).to.throw(RangeError);
  });
});
