import { expect } from 'chai';
import { checkHoldRecord } from '../support/hold-record.js';

describe('hold record checker (pure logic)', () => {
  it('accepts shared readers and lone writers', () => {
    const v = checkHoldRecord('enter a read\nenter b read\nexit a read\nexit b read\nenter c write\nexit c write\n');
    expect(v.violations).to.deep.equal([]);
    expect(v.maxReaders).to.equal(2);
    expect(v.open).to.deep.equal([]);
  });
  it('flags a writer with readers, two writers, readers with a writer, and unmatched exits', () => {
    expect(checkHoldRecord('enter a read\nenter w write\n').violations).to.have.length(1);
    expect(checkHoldRecord('enter w write\nenter x write\n').violations).to.have.length(1);
    expect(checkHoldRecord('enter w write\nenter a read\n').violations).to.have.length(1);
    expect(checkHoldRecord('exit a read\n').violations).to.have.length(1);
    expect(checkHoldRecord('enter m mutex\nenter n mutex\n').violations).to.have.length(1);
  });
  it('checks that fencing tokens of exclusive holds strictly grow', () => {
    expect(checkHoldRecord('enter a mutex 5\nexit a mutex\nenter c mutex\nexit c mutex\nenter b mutex 9\nexit b mutex\n').violations).to.deep.equal([]);
    expect(checkHoldRecord('enter a mutex 9\nexit a mutex\nenter b mutex 5\nexit b mutex\n').violations).to.have.length(1);
  });
});
