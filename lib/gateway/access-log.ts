// The gateway's structured log (`--access-log`, createGateway's `accessLog`): one JSON line per
// request, and one per unexpected failure, in pino's line format (`level`, `time`, `pid`,
// `hostname`, `msg`), so log shippers that read pino or Fastify logs read these too.
import { hostname } from 'node:os';

/** pino's levels. */
const INFO = 30;
const ERROR = 50;

export class AccessLog {
  private readonly prefix: string;
  private seq = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {
    this.prefix = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
  }

  /** One finished request: method, url, status, milliseconds, remote address. */
  request(method: string, url: string, status: number, ms: number, remote: string | undefined): void {
    this.line(INFO, { reqId: `req-${++this.seq}`, method, url, status, ms, remote }, 'access');
  }

  /** A request that failed unexpectedly (a 500 or 502): what was thrown. */
  failure(method: string, url: string, err: unknown): void {
    const e = err instanceof Error ? { type: err.name, message: err.message, stack: err.stack } : { message: String(err) };
    this.line(ERROR, { method, url, err: e }, 'request failed');
  }

  private line(level: number, fields: Record<string, unknown>, msg: string): void {
    const body = JSON.stringify({ ...fields, msg });
    this.stream.write(`{"level":${level},"time":${Date.now()}${this.prefix},${body.slice(1)}\n`);
  }
}
