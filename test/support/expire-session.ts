// Expires a client's session from the server side, as ZooKeeper's own tests do: a second
// handle attaches to the same session (id + password) and closes it. The client must reach
// the server through a TcpProxy: we cut it first, or it would reconnect at once and take the
// session back before the close arrives.
import { connect, type ZkClient } from '../../lib/index.js';
import type { TcpProxy } from './tcp-proxy.js';

export async function expireSession(client: ZkClient, proxy: TcpProxy, serverConnectString: string): Promise<void> {
  const session = { id: client.sessionId, password: client.sessionPassword };
  proxy.cut();
  try {
    const twin = await connect(serverConnectString, { session, sessionTimeout: client.negotiatedSessionTimeout });
    if (twin.sessionId !== session.id) {
      await twin.close();
      throw new Error(`could not attach to session ${session.id}: the server gave ${twin.sessionId}`);
    }
    await twin.close();
  } finally {
    proxy.restore();
  }
}
