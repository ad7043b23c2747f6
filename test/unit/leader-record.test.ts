import { expect } from 'chai';
import { checkLeaderRecord } from '../support/leader-record.js';

describe('leader record checker (pure logic)', () => {
  it('puts the lines of several processes in time order before checking', () => {
    // Appended out of order (two processes), one leader at a time in time order.
    const v = checkLeaderRecord('300 enter b 9\n100 enter a 5\n400 exit b\n200 exit a\n');
    expect(v.violations).to.deep.equal([]);
    expect(v.terms).to.deep.equal(['a', 'b']);
    expect(v.open).to.deep.equal([]);
  });
  it('flags two leaders at once, shrinking tokens, open terms and malformed lines', () => {
    expect(checkLeaderRecord('100 enter a\n150 enter b\n200 exit a\n250 exit b\n').violations).to.have.length(1);
    expect(checkLeaderRecord('100 enter a 9\n200 exit a\n300 enter b 5\n400 exit b\n').violations).to.have.length(1);
    expect(checkLeaderRecord('100 enter a\n').open).to.deep.equal(['a']);
    expect(checkLeaderRecord('x enter a\n').violations).to.have.length(1);
  });
});
