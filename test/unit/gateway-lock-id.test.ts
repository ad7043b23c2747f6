// A gateway lock id names its node: the node's sequence, its kind and the UUID of its protected
// prefix, so a lock URL leads to the node without a listing and never to a later node.
import { expect } from 'chai';
import { lockIdOf, modeOfId, nodePathOf, parseLockId } from '../../lib/gateway/lock-record.js';

describe('gateway lock ids (pure logic)', () => {
  const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const cases: Array<[string, string, string]> = [
    [`/locks/r/_c_${uuid}-lock-0000000007`, '0000000007-m0f8fad5bd9cb469fa16570867728950e', 'mutex'],
    [`/locks/r/_c_${uuid}-__READ__0000000012`, '0000000012-r0f8fad5bd9cb469fa16570867728950e', 'read'],
    [`/locks/r/_c_${uuid}-__WRIT__0000000013`, '0000000013-w0f8fad5bd9cb469fa16570867728950e', 'write'],
    [`/locks/r/leases/_c_${uuid}-lease-0000000002`, '0000000002-s0f8fad5bd9cb469fa16570867728950e', 'semaphore'],
    [`/locks/r/_c_${uuid}-lock--2147483648`, '-2147483648-m0f8fad5bd9cb469fa16570867728950e', 'mutex'], // after the sequence overflowed
  ];

  it('the id of each kind of node, and back to the same node path and mode', () => {
    for (const [path, id, mode] of cases) {
      expect(lockIdOf(path), path).to.equal(id);
      const parsed = parseLockId(id)!;
      expect(nodePathOf('/locks/r', parsed), id).to.equal(path);
      expect(modeOfId(parsed), id).to.equal(mode);
    }
  });

  it('no id for nodes that are not protected lock nodes, or a lease node outside leases/; no parse of anything else', () => {
    for (const path of ['/locks/r/lock-0000000001', `/locks/r/_c_${uuid}-lease-0000000001`, `/locks/r/leases/_c_${uuid}-lock-0000000001`,
      `/locks/r/_c_${uuid}-lock-12`, `/locks/r/_c_${uuid}-lock-0000000001x`, '/locks/r/leases', `/locks/r/_c_${uuid.toUpperCase()}-lock-0000000001`]) {
      expect(lockIdOf(path), path).to.equal(undefined);
    }
    for (const id of ['', 'not-an-id', '0000000001-ed6a79546672', '0000000001-x0f8fad5bd9cb469fa16570867728950e',
      '0000000001-m0f8fad5bd9cb469fa16570867728950', '0000000001-m0F8FAD5BD9CB469FA16570867728950E', `0000000001-m${'0'.repeat(32)}/../x`]) {
      expect(parseLockId(id), id).to.equal(undefined);
    }
  });
});
