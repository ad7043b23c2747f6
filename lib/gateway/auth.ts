// Optional bearer-token auth: every route but /healthz needs `Authorization: Bearer <token>`.
// The web page (GET /) also takes `?token=`, since a browser opening a link sends no header;
// the page then sends the token as a header itself.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Problem } from './problem.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export function registerBearerAuth(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  // Compared as digests of equal length, in constant time: no timing hint about the token.
  const matches = (given: string | undefined): boolean => given !== undefined && timingSafeEqual(digest(given), expected);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0];
    if (path === '/healthz') return;
    const header = request.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (matches(bearer)) return;
    if (path === '/') {
      const query = request.query as { token?: unknown };
      if (typeof query.token === 'string' && matches(query.token)) return;
    }
    throw new Problem(401, 'unauthorized', 'Unauthorized',
      header === undefined ? 'this gateway needs Authorization: Bearer <token>' : 'the bearer token is not the one this gateway accepts',
      { 'www-authenticate': 'Bearer realm="zkurator"' });
  });
}
