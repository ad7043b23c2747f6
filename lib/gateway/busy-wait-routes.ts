// HTTP side of the busy-wait mutex server's contract (see busy-wait.ts): plain-text answers.
import type { FastifyInstance } from 'fastify';
import { BusyWaitPools } from './busy-wait.js';
import { untilClientGone } from './client-gone.js';
import type { GatewayLocks } from './gateway-locks.js';

interface PoolQuery {
  host?: string;
  pool?: string;
}

const POOL_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { host: { type: 'string' }, pool: { type: 'string' } },
} as const;

export function registerBusyWaitRoutes(app: FastifyInstance, locks: GatewayLocks): void {
  const pools = new BusyWaitPools(locks);
  const text = 'text/plain; charset=utf-8';

  for (const [route, waitMs] of [['/get/', 0], ['/wait/', undefined]] as const) {
    app.get<{ Querystring: PoolQuery }>(route, { schema: { querystring: POOL_QUERY } }, async (request, reply) => {
      const { host, pool } = request.query;
      const settings = pools.pool(pool, host);
      const gone = untilClientGone(reply);
      try {
        const held = await pools.take(pool!, host!, settings, waitMs, gone.signal);
        return await reply.type(text).send(held ? 'YES' : 'NO');
      } finally {
        gone.stop();
      }
    });
  }

  app.get<{ Querystring: PoolQuery }>('/release/', { schema: { querystring: POOL_QUERY } }, async (request, reply) => {
    const { host, pool } = request.query;
    pools.pool(pool, host);
    await pools.release(pool!, host!);
    return reply.type(text).send('OK');
  });
}
