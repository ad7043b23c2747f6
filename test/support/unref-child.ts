// A process that connects, for the unref() test: with `unref` it calls unref() and never
// closes, and must then exit by itself; with `ref` it keeps its client referenced and must
// stay alive (the test kills it); with `close` it closes, and must exit (nothing left
// running). Prints the session id (hex) once connected, then "created <path>" once its
// ephemeral node exists.
// Usage: node unref-child.js <connect string> <client|session> <unref|ref|close> <ephemeral path>
import { connect } from '../../lib/index.js';
import { CreateMode, OPEN_ACL_UNSAFE, ZooKeeperSession, parseConnectString } from '../../lib/zookeeper/index.js';

const [connectString = '', api = 'client', mode = 'unref', path = ''] = process.argv.slice(2);

if (api === 'client') {
  const client = await connect(connectString, { sessionTimeout: 6_000 });
  process.stdout.write(`${client.sessionId}\n`);
  await client.create(path, Buffer.from('child'), CreateMode.EPHEMERAL);
  if (mode === 'unref') client.unref();
  process.stdout.write(`created ${path}\n`);
  if (mode === 'close') await client.close();
} else {
  const { hosts, chroot } = parseConnectString(connectString);
  const session = new ZooKeeperSession({ hosts, chroot, sessionTimeout: 6_000 });
  await new Promise<void>((resolve) => session.once('state', () => resolve()));
  process.stdout.write(`${session.sessionId.toString(16)}\n`);
  await session.create(path, Buffer.from('child'), OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
  if (mode === 'unref') session.unref();
  process.stdout.write(`created ${path}\n`);
  if (mode === 'close') await session.close();
}
