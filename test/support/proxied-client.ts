// Clients that reach the shared server through a TcpProxy of their own (to cut, stall or
// reset their connection), and a wait for a client's next state. Shared by the fault suites.
import type { ConnectionState, ZkClient } from '../../lib/index.js';
import { newClient, sharedServerPort } from './harness.js';
import { TcpProxy } from './tcp-proxy.js';

/**
 * A client behind its own proxy (session timeout 8 s unless given). The proxy is pushed on
 * `proxies`, which the suite closes after each test.
 */
export async function proxiedClient(
  proxies: TcpProxy[], options: { sessionTimeout?: number; lossPolicy?: 'suspended' | 'lost' } = {},
): Promise<{ proxy: TcpProxy; client: ZkClient }> {
  const proxy = await TcpProxy.start(sharedServerPort());
  proxies.push(proxy);
  const client = await newClient({ connectString: proxy.connectString, sessionTimeout: 8_000, ...options });
  return { proxy, client };
}

/** Resolves when `client` next reports `want`. */
export function nextState(client: ZkClient, want: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    const on = (s: ConnectionState): void => {
      if (s === want) {
        client.off('state', on);
        resolve();
      }
    };
    client.on('state', on);
  });
}
