// The ACLs people use most, named as ZooKeeper's ZooDefs.Ids names them, and the digest id
// that the `digest` auth scheme checks against.
import { createHash } from 'node:crypto';
import { Perms } from './protocol.js';
import type { ACL, Id } from './records.js';

/** The id of everyone (`world:anyone`). */
export const ANYONE_ID_UNSAFE: Id = { scheme: 'world', id: 'anyone' };
/** `auth:` stands for every identity the creating session has authenticated as. */
export const AUTH_IDS: Id = { scheme: 'auth', id: '' };

/** Everyone may do everything (ZooKeeper's default, and the only ACL the old binding could set). */
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: ANYONE_ID_UNSAFE }]);
/** Only the identities that created the node may do anything with it. */
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: AUTH_IDS }]);
/** Everyone may read, nobody may change. */
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.READ, id: ANYONE_ID_UNSAFE }]);

/** The digest id for `user:password`: `user:base64(sha1("user:password"))`, as DigestAuthenticationProvider makes it. */
export function digestId(user: string, password: string): Id {
  const hash = createHash('sha1').update(`${user}:${password}`, 'utf8').digest('base64');
  return { scheme: 'digest', id: `${user}:${hash}` };
}

/**
 * The creating identities may do everything, everyone else may only read: the usual ACL for
 * lock nodes in a shared ensemble (anyone can see who holds, nobody else can change it).
 */
export const CREATOR_ALL_ELSE_READ_ACL: readonly ACL[] = Object.freeze([
  { perms: Perms.ALL, id: AUTH_IDS },
  { perms: Perms.READ, id: ANYONE_ID_UNSAFE },
]);
