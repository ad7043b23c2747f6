// Reading a request's JSON body: at most `limit` bytes (413 saying the limit, told by
// Content-Length before a byte is read, or counted as it comes), JSON only (415 for another
// Content-Type), parsed (400 for bad JSON). No body, or an empty one, is `undefined`.
import type { IncomingMessage } from 'node:http';
import { Problem, badRequest } from './problem.js';

/** `application/json`, with parameters (`; charset=utf-8`) or a `+json` subtype. */
const JSON_TYPE_RE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The 413 for a body over `limit` bytes. */
export function bodyTooLarge(limit: number): Problem {
  return new Problem(413, 'body-too-large', 'Request body too large',
    `the request body is larger than this gateway's limit of ${limit} bytes (bodyLimit in its config)`, { connection: 'close' });
}

function unsupportedType(type: string): Problem {
  return new Problem(415, 'unsupported-media-type', 'Unsupported media type',
    `the body must be JSON, sent with Content-Type: application/json (curl --json '{...}'), not ${JSON.stringify(type)}`, { connection: 'close' });
}

/** True when the request says it carries a body. */
function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The parsed JSON body of `request`, or undefined when there is none.
 * @throws a 413, 415 or 400 Problem (the first two close the connection: the body stays unread)
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  if (!hasBody(request)) return undefined;
  const type = request.headers['content-type'];
  if (type === undefined || !JSON_TYPE_RE.test(type)) throw unsupportedType(type ?? '(none)');
  const declared = Number(request.headers['content-length']);
  if (declared > limit) throw bodyTooLarge(limit);
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        request.pause();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const onAborted = (): void => onError(new Error('the client closed the connection while sending the body'));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`the body is not valid JSON: ${(err as Error).message}`);
  }
}
