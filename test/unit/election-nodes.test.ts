// The children of an election path (pure logic): which recipe uses a path, the conflict of both
// on one path, and the LeaderLatch order exactly as Curator sorts it (the text after the LAST
// `latch-`, compared as Java Strings).
import { expect } from 'chai';
import { ElectionConflictError } from '../../lib/errors.js';
import { classifyElectionNodes, electionConflict, LATCH_NODE_NAME, SELECTOR_NODE_NAME } from '../../lib/leader/election-nodes.js';
import { ElectionDriver } from '../../lib/leader/election-driver.js';
import { sortChildren } from '../../lib/locks/engine/lock-node-name.js';

const latch = (seq: string, uuid = '53345f98-9423-4e0c-a7b5-9f819e3ec2e1'): string => `_c_${uuid}-latch-${seq}`;
const lock = (seq: string, uuid = '0f8fad5b-d9cb-469f-a165-70867728950e'): string => `_c_${uuid}-lock-${seq}`;

describe('election nodes (pure logic)', () => {
  it('classifies a path as latch, selector, mixed or none, and lists each kind', () => {
    expect(classifyElectionNodes([])).to.deep.equal({ kind: 'none', latchNodes: [], lockNodes: [], otherNodes: [] });
    expect(classifyElectionNodes(['foo'])).to.deep.include({ kind: 'none', otherNodes: ['foo'] });
    expect(classifyElectionNodes([latch('0000000001'), latch('0000000000')]))
      .to.deep.equal({ kind: 'latch', latchNodes: [latch('0000000001'), latch('0000000000')], lockNodes: [], otherNodes: [] });
    expect(classifyElectionNodes([lock('0000000003'), 'foo'])).to.deep.equal({ kind: 'selector', latchNodes: [], lockNodes: [lock('0000000003')], otherNodes: ['foo'] });
    const mixed = classifyElectionNodes([latch('0000000001'), lock('0000000002'), 'x']);
    expect(mixed).to.deep.equal({ kind: 'mixed', latchNodes: [latch('0000000001')], lockNodes: [lock('0000000002')], otherNodes: ['x'] });
    // Unprotected names count too (Curator's recipes rank every child).
    expect(classifyElectionNodes(['latch-0000000001', 'lock-0000000002']).kind).to.equal('mixed');
  });

  it('a mixed path is an ElectionConflictError naming the path and a node of each kind', () => {
    expect(electionConflict('/e', [latch('0000000001'), 'other'])).to.equal(undefined);
    const err = electionConflict('/svc/leader', [lock('0000000004'), latch('0000000001')]);
    expect(err).to.be.instanceOf(ElectionConflictError);
    expect(err!.code).to.equal('ELECTION_CONFLICT');
    expect(err!.path).to.equal('/svc/leader');
    expect(err!.latchNodes).to.deep.equal([latch('0000000001')]);
    expect(err!.lockNodes).to.deep.equal([lock('0000000004')]);
    expect(err!.message).to.include('/svc/leader').and.include(latch('0000000001')).and.include(lock('0000000004'));
  });

  it('the election driver leads with the first node, watches only the one before ours, and refuses a mixed path', () => {
    const driver = new ElectionDriver('/e', LATCH_NODE_NAME, false);
    const sorted = [latch('0000000000'), latch('0000000001'), latch('0000000002')];
    expect(driver.decide(sorted, 0)).to.deep.equal({ held: true });
    expect(driver.decide(sorted, 2)).to.deep.equal({ held: false, watch: latch('0000000001') });
    expect(driver.lockEvents).to.equal(false);
    expect(() => driver.decide([latch('0000000000'), lock('0000000001')], 0)).to.throw(ElectionConflictError);
    expect(new ElectionDriver('/e', SELECTOR_NODE_NAME, true).lockName).to.equal('lock-');
  });

  it('sorts latch nodes as Curator does: after the LAST "latch-", by UTF-16 code unit, never numerically', () => {
    const names = [
      latch('0000000010', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'),
      latch('0000000002', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'),
      latch('-000000001', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc'), // a wrapped sequence sorts first, as in Java
      'latch-latch-0000000005', // the LAST occurrence counts
      'foreign', // whole name: after every digit
      lock('0000000000'), // a lock node under a latch sorter keeps its whole name: `_c_...` sorts after digits
    ];
    expect(sortChildren(names, [LATCH_NODE_NAME])).to.deep.equal([
      latch('-000000001', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc'),
      latch('0000000002', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'),
      'latch-latch-0000000005',
      latch('0000000010', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'),
      lock('0000000000'),
      'foreign',
    ]);
  });
});
