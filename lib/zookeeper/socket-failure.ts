// What a socket error means, in words a user can act on, before the code Node gives it.
import { socketErrorText } from './tls-failure.js';

/** Any thrown value as text for a message (an Error's own words first). */
export function errorText(err: unknown): string {
  return err instanceof Error ? socketErrorText(err) : String(err);
}

/** Socket error codes a connection attempt runs into, said in words. */
const SOCKET_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not resolved',
  EAI_AGAIN: 'host name not resolved (temporary DNS failure)',
  EAI_FAIL: 'host name not resolved',
  EAI_NODATA: 'host name not resolved',
  EAI_NONAME: 'host name not resolved',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection broken',
  ETIMEDOUT: 'no answer (connection timed out)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

/** What a connection's socket error means, in words first: "connection refused (connect ECONNREFUSED 127.0.0.1:1)". */
export function socketFailureText(err: Error): string {
  const words = SOCKET_FAILURES[(err as NodeJS.ErrnoException).code ?? ''];
  const text = socketErrorText(err);
  return words ? `${words} (${text})` : text;
}
