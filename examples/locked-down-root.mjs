// A locked-down lock root: the operator creates /locks-orders once; only the orders service
// may create and delete under it; everyone may look (zkurator status works for anyone).
import {
  ANYONE_ID_UNSAFE, CREATOR_ALL_ELSE_READ_ACL, CreateMode, Mutex, NoAuthError, NodeExistsError, Perms, connect, digestId,
} from 'zkurator';

const cs = process.env.ZOOKEEPER_CONNECT || '127.0.0.1:2181';
// No password, no lock-down: an unset variable would otherwise become the password "undefined".
const unset = ['ZK_OPS_PASSWORD', 'ZK_ORDERS_PASSWORD'].filter((name) => !process.env[name]);
if (unset.length > 0) {
  console.error(`set ${unset.join(' and ')} (the digest passwords of the ops and orders identities); nothing was done`);
  process.exit(1);
}
const ops = { user: 'ops', password: process.env.ZK_OPS_PASSWORD };
const orders = { user: 'orders', password: process.env.ZK_ORDERS_PASSWORD };
const digest = (who) => [{ scheme: 'digest', credentials: `${who.user}:${who.password}` }];

// 1. Once, as the operator: the root and who may do what directly under it.
const admin = await connect(cs, { auth: digest(ops) });
await admin.create('/locks-orders', Buffer.alloc(0), CreateMode.PERSISTENT, [
  { perms: Perms.ALL, id: digestId(ops.user, ops.password) },
  { perms: Perms.READ | Perms.CREATE | Perms.DELETE, id: digestId(orders.user, orders.password) },
  { perms: Perms.READ, id: ANYONE_ID_UNSAFE },
]).catch((err) => { if (!(err instanceof NodeExistsError)) throw err; });
await admin.close();

// 2. The service: its lock paths (containers) and lock nodes are its own, readable by all.
const service = await connect(cs, {
  auth: digest(orders),
  aclProvider: { lockNodes: CREATOR_ALL_ELSE_READ_ACL, parents: CREATOR_ALL_ELSE_READ_ACL },
});
const lease = await new Mutex(service, '/locks-orders/nightly').acquire({ timeout: 5_000 });

// 3. Anyone else: may see who holds, may neither queue nor remove the holder's node.
const stranger = await connect(cs);
console.log('stranger sees', await new Mutex(stranger, '/locks-orders/nightly').participants());
for (const attempt of [
  () => new Mutex(stranger, '/locks-orders/nightly').acquire({ timeout: 1_000 }),
  () => stranger.delete(lease.path),
]) {
  await attempt().then(
    () => console.log('stranger got in: the root is NOT locked down'),
    (err) => console.log(err instanceof NoAuthError ? `stranger refused: ${err.permission} on ${err.permissionOn}` : `unexpected: ${err}`),
  );
}
await stranger.close();
await lease.release();
await service.close();
