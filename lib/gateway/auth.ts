// Optional bearer-token auth: every route but /healthz and the web page's shell (GET /) needs
// `Authorization: Bearer <token>`. The page holds no lock data: it fetches everything from the
// API with the token as a header, taken from `?token=` in its address or typed in when the API
// answers 401. Serving it without the token is what lets it ask for one (and lets a reload work
// after it has dropped `?token=` from the address bar).
import { createHash, timingSafeEqual } from 'node:crypto';
import { Problem } from './problem.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The check of one request: throws a 401 Problem unless it may pass. */
export type AuthCheck = (method: string, path: string, authorization: string | undefined) => void;

export function bearerAuth(token: string): AuthCheck {
  const expected = digest(token);
  // Compared as digests of equal length, in constant time: no timing hint about the token.
  const matches = (given: string | undefined): boolean => given !== undefined && timingSafeEqual(digest(given), expected);
  return (method, path, header) => {
    if (path === '/healthz' || path === '/healthz/' || (path === '/' && (method === 'GET' || method === 'HEAD'))) return;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (matches(bearer)) return;
    throw new Problem(401, 'unauthorized', 'Unauthorized',
      header === undefined ? 'this gateway needs Authorization: Bearer <token>' : 'the bearer token is not the one this gateway accepts',
      { 'www-authenticate': 'Bearer realm="zkurator"' });
  };
}
