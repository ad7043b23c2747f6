// The ACLs `run --acl` and `elect --acl` offer, as ZooKeeper ACL lists for the nodes they create.
import { CREATOR_ALL_ACL, CREATOR_ALL_ELSE_READ_ACL, OPEN_ACL_UNSAFE } from '../zookeeper/acl.js';
import type { ACL } from '../zookeeper/records.js';
import type { CliAcl } from './args.js';

const ACLS: Record<CliAcl, readonly ACL[]> = {
  'open': OPEN_ACL_UNSAFE, 'creator': CREATOR_ALL_ACL, 'creator-read': CREATOR_ALL_ELSE_READ_ACL,
};

/** The `acl` and `parentAcl` options of a recipe for `--acl <acl>`: the same list for both. */
export function cliAcls(acl: CliAcl): { acl: readonly ACL[]; parentAcl: readonly ACL[] } {
  return { acl: ACLS[acl], parentAcl: ACLS[acl] };
}
