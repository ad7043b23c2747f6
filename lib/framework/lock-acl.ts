// Which ACL a lock's nodes get: the lock's own `acl` / `parentAcl` options, else the client's
// `aclProvider`, else its `defaultAcl` (open by default). Like Curator's ACLProvider, lock
// nodes and the container parents created for them are set apart: a locked-down root usually
// wants parents that only the service may delete under, and lock nodes everyone may read.
// The ACL is sent with the create (never set afterwards), so no node is ever open for a moment.
import { describeValue } from '../util/describe-value.js';
import { ValidationError } from '../errors.js';
import type { ACL } from '../zookeeper/records.js';

/**
 * The client-level ACL choice (Curator's `ACLProvider`): one ACL for lock nodes, one for the
 * container parents created for them. Either may be left out (the client's `defaultAcl` then).
 */
export interface AclProvider {
  /** ACL of every lock node (the ephemeral `_c_…-lock-…` nodes). */
  readonly lockNodes?: readonly ACL[];
  /** ACL of the container parents (the lock path and its missing ancestors) created for locks. */
  readonly parents?: readonly ACL[];
}

/** The ACLs one lock creates its nodes with. */
export interface LockAcls {
  readonly node: readonly ACL[];
  readonly parent: readonly ACL[];
}

/**
 * Checks an ACL list the way the server will judge it, so a bad one is a ValidationError
 * before any request: a non-empty array of `{ perms, id: { scheme, id } }` with perms an
 * integer 1..31, and an `auth` scheme entry only for a client that has credentials (the
 * server answers INVALIDACL otherwise). Returns a frozen copy.
 */
export function validateAcl(acl: unknown, what: string, hasAuth: boolean): readonly ACL[] {
  if (!Array.isArray(acl) || acl.length === 0) throw new ValidationError(`${what} must be a non-empty array of ACL entries, got ${describeValue(acl)}`);
  return Object.freeze(acl.map((entry: unknown, i) => {
    const e = entry as Partial<ACL> | null;
    const perms = e?.perms;
    const scheme = e?.id?.scheme;
    const id = e?.id?.id;
    if (typeof perms !== 'number' || !Number.isInteger(perms) || perms < 1 || perms > 31) {
      throw new ValidationError(`${what}[${i}].perms must be an integer from 1 to 31 (Perms.READ | Perms.WRITE ...), got ${describeValue(perms)}`);
    }
    if (typeof scheme !== 'string' || scheme === '' || typeof id !== 'string') {
      throw new ValidationError(`${what}[${i}].id must be { scheme, id } strings (e.g. digestId(user, password)), got ${describeValue(e?.id)}`);
    }
    if (scheme === 'auth' && !hasAuth) {
      throw new ValidationError(`${what}[${i}] grants the creator ("auth" scheme, e.g. CREATOR_ALL_ACL), but the client has no credentials: ` +
        'connect with { auth: [...] } (ZooKeeper refuses such a create with INVALIDACL)');
    }
    return Object.freeze({ perms, id: Object.freeze({ scheme, id }) });
  }));
}

/** The ACL options every lock takes. */
export interface LockAclOptions {
  /** ACL of this lock's nodes; default: the client's `aclProvider.lockNodes`, else its `defaultAcl`. */
  acl?: readonly ACL[];
  /** ACL of the container parents this lock creates; default: the client's `aclProvider.parents`, else its `defaultAcl`. */
  parentAcl?: readonly ACL[];
}

/** A lock's ACLs: its own options over the client's. @throws ValidationError */
export function resolveLockAcls(client: { readonly lockAcls: LockAcls; readonly hasAuth: boolean }, options: LockAclOptions): LockAcls {
  return {
    node: options.acl === undefined ? client.lockAcls.node : validateAcl(options.acl, 'acl', client.hasAuth),
    parent: options.parentAcl === undefined ? client.lockAcls.parent : validateAcl(options.parentAcl, 'parentAcl', client.hasAuth),
  };
}
