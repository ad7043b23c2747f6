// A lock needs three rights on its lock path: READ (list the queue), CREATE (add our node) and
// DELETE (remove it on release). Missing any one, a plain create-then-list would leave a node
// behind that we can neither judge nor remove, and that blocks everyone until our session
// ends. So a lock's first create goes in one transaction (multi) with a check of all three:
// `check` of the lock path (the server wants READ for it), our node (CREATE), then a probe
// node created and deleted again (DELETE). ZooKeeper applies all of it or none, so a refusal
// leaves nothing, and the failing operation names the missing right. Our node comes before
// the probe so that it gets the sequence number a plain create would (the probe's create
// takes the next one: a gap, harmless to the order). After one success the lock creates
// plainly (the rights are checked again after any refusal).
import { randomUUID } from 'node:crypto';
import { NoAuthError } from '../../errors.js';
import { CreateMode } from '../../zookeeper/protocol.js';
import type { ACL, MultiOp } from '../../zookeeper/records.js';

/** What each checked operation stands for, in the words of the lock, by its place in the multi. */
const STEPS = [
  { operation: 'getChildren', needs: 'READ', to: 'list the lock\'s queue' },
  { operation: 'create', needs: 'CREATE', to: 'create a lock node' },
  { operation: 'create', needs: 'CREATE', to: 'create a lock node' },
  { operation: 'delete', needs: 'DELETE', to: 'delete its lock node on release' },
] as const;

/** Where our node's result is in the results of {@link guardedCreateOps}. */
export const GUARDED_CREATE_INDEX = 1;

/** The transaction of a lock's checked create: check READ, create ours, probe CREATE and DELETE. */
export function guardedCreateOps(lockPath: string, target: string, data: Buffer, acl: readonly ACL[]): MultiOp[] {
  const probe = `${lockPath}/_zkurator-rights-check-${randomUUID()}`;
  return [
    { type: 'check', path: lockPath, version: -1 },
    { type: 'create', path: target, data, acl, mode: CreateMode.EPHEMERAL_SEQUENTIAL },
    { type: 'create', path: probe, data: Buffer.alloc(0), acl, mode: CreateMode.EPHEMERAL },
    { type: 'delete', path: probe, version: -1 },
  ];
}

/**
 * A NOAUTH from the checked create, said as the lock's problem: the first refused step, the
 * permission missing on the lock path, and that nothing was created. Other errors unchanged.
 */
export function refusedRight(err: unknown, lockPath: string): unknown {
  if (!(err instanceof NoAuthError)) return err;
  const step = /^multi \(op (\d) of 4: \w+\)$/.exec(err.operation);
  const known = step ? STEPS[Number(step[1]) - 1] : undefined;
  if (!known) return err; // a plain create (after a successful check) or a parent's create: its own message says it
  return new NoAuthError(err.zkCode, err.zkName, known.operation, known.operation === 'getChildren' ? lockPath : `${lockPath}/<lock node>`,
    `lock ${lockPath}: ZooKeeper refused to let this session ${known.to} (NOAUTH): it lacks ${known.needs} permission on ${lockPath}. ` +
    'Checked before anything was created: no node was left behind');
}
