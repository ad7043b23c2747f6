// HTTP side of the busy-wait mutex server's contract (see busy-wait.ts): plain-text answers.
import { BusyWaitPools } from './busy-wait.js';
import { untilClientGone } from './client-gone.js';
import type { GatewayLocks } from './gateway-locks.js';
import type { RouteHandler } from './http-exchange.js';
import type { Router } from './http-router.js';
import { checkQuery } from './request-checks.js';

const POOL_QUERY = { host: { type: 'string' }, pool: { type: 'string' } } as const;
const TEXT = 'text/plain; charset=utf-8';

export function addBusyWaitRoutes(router: Router<RouteHandler>, locks: GatewayLocks): void {
  const pools = new BusyWaitPools(locks);

  for (const [route, waitMs] of [['/get/', 0], ['/wait/', undefined]] as const) {
    router.add('GET', route, {
      run: async (x) => {
        const { host, pool } = checkQuery(x.query, POOL_QUERY);
        const settings = pools.pool(pool, host);
        const gone = untilClientGone(x.response);
        try {
          const held = await pools.take(pool!, host!, settings, waitMs, gone.cancel);
          return { status: 200, text: held ? 'YES' : 'NO', type: TEXT };
        } finally {
          gone.stop();
        }
      },
    });
  }

  router.add('GET', '/release/', {
    run: async (x) => {
      const { host, pool } = checkQuery(x.query, POOL_QUERY);
      pools.pool(pool, host);
      await pools.release(pool!, host!);
      return { status: 200, text: 'OK', type: TEXT };
    },
  });
}
