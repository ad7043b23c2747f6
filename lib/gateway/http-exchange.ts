// One HTTP request as a route handler sees it, and the answer it gives: the gateway's routes
// are small functions from an Exchange to a Reply; server.ts reads bodies, finds the route,
// turns errors into problems and writes the answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteParams } from './http-router.js';
import { PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';

/** A request, routed. */
export interface Exchange {
  /** The query string, without `?` ('' when none). */
  readonly query: string;
  /** The route's path parameters, percent-decoded. */
  readonly params: RouteParams;
  /** The parsed JSON body (routes that take one), or undefined when none was sent. */
  readonly body: unknown;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
}

/** An answer: a status, and a JSON or text body (or none, e.g. 204), with extra headers. */
export interface Reply {
  readonly status: number;
  /** Sent as JSON (`application/json; charset=utf-8` unless `type` says otherwise). */
  readonly json?: unknown;
  /** Sent as is, with `type` as its Content-Type. */
  readonly text?: string;
  readonly type?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route: its handler, and whether it takes a JSON body. */
export interface RouteHandler {
  readonly run: (exchange: Exchange) => Reply | Promise<Reply>;
  readonly takesBody?: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The reply that carries a problem. */
export function problemReply(problem: Problem): Reply {
  return { status: problem.status, json: problem.body, type: PROBLEM_CONTENT_TYPE, headers: problem.headers };
}

/** Writes `reply` to `response` (nothing when the connection is gone or an answer was sent). */
export function sendReply(response: ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string | number> = { ...reply.headers };
  let body: string | undefined;
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers['content-type'] = reply.type ?? JSON_TYPE;
  } else if (reply.text !== undefined) {
    body = reply.text;
    headers['content-type'] = reply.type ?? 'text/plain; charset=utf-8';
  }
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  response.writeHead(reply.status, headers);
  response.end(body);
}
