// For operators and their tools: /healthz (is ZooKeeper reachable), /metrics (Prometheus).
import type { FastifyInstance } from 'fastify';
import type { GatewayLocks } from './gateway-locks.js';
import type { GatewayMetrics } from './metrics.js';
import { webPageHeaders, webPageHtml } from './web-page.js';

export function registerOperationsRoutes(app: FastifyInstance, locks: GatewayLocks, metrics: GatewayMetrics): void {
  app.get('/healthz', async (_request, reply) => {
    const { client } = locks;
    const up = client.isConnected;
    return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'unavailable', zookeeper: client.state });
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render(locks.heldCount, locks.client.isConnected));
  });

  app.get('/', async (_request, reply) => {
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').headers(webPageHeaders()).send(webPageHtml());
  });
}
