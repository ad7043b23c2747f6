// For operators and their tools: /healthz (is ZooKeeper reachable), /metrics (Prometheus), and
// the web page at /.
import type { GatewayLocks } from './gateway-locks.js';
import type { RouteHandler } from './http-exchange.js';
import type { Router } from './http-router.js';
import type { GatewayMetrics } from './metrics.js';
import { webPageHeaders, webPageHtml } from './web-page.js';

export function addOperationsRoutes(router: Router<RouteHandler>, locks: GatewayLocks, metrics: GatewayMetrics): void {
  router.add('GET', '/healthz', {
    run: () => {
      const { client } = locks;
      const up = client.isConnected;
      // What an operator can act on: connected or not. A session that came back after a
      // dropped connection is as good as new (the client says RECONNECTED): CONNECTED too.
      return { status: up ? 200 : 503, json: { status: up ? 'ok' : 'unavailable', zookeeper: up ? 'CONNECTED' : client.state } };
    },
  });

  router.add('GET', '/metrics', {
    run: () => ({ status: 200, text: metrics.render(locks.heldCount, locks.client.isConnected), type: 'text/plain; version=0.0.4; charset=utf-8' }),
  });

  const pageHeaders = { 'cache-control': 'no-store', ...webPageHeaders() };
  router.add('GET', '/', {
    run: () => ({ status: 200, text: webPageHtml(), type: 'text/html; charset=utf-8', headers: pageHeaders }),
  });
}
