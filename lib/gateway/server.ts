// createGateway(): the HTTP lock gateway on top of one ZkClient, as a Fastify instance the
// caller can listen with, inject requests into, or mount. Routes live in *-routes.ts; this
// file wires them, turns every error into an RFC 9457 problem, and shuts down in order.
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientClosedError, ConnectionLossError, SessionExpiredError, ValidationError, ZooKeeperError } from '../errors.js';
import { ReentrantLock } from '../locks/engine/reentrant-lock.js';
import type { ZkClient } from '../framework/zk-client.js';
import { registerBearerAuth } from './auth.js';
import { registerBusyWaitRoutes } from './busy-wait-routes.js';
import { ClientGoneError } from './client-gone.js';
import { ConnectionDrain } from './connection-drain.js';
import { resolveSettings, type GatewaySettings, type GatewaySettingsInput } from './gateway-config.js';
import { GatewayLocks } from './gateway-locks.js';
import { LifetimeReaper } from './lifetime-reaper.js';
import { registerLockRoutes } from './lock-routes.js';
import { GatewayMetrics } from './metrics.js';
import { registerOperationsRoutes } from './operations-routes.js';
import { PROBLEM_CONTENT_TYPE, Problem } from './problem.js';

/** Options of {@link createGateway}: a client plus the settings of the config file. */
export interface GatewayOptions extends GatewaySettingsInput {
  /** The ZooKeeper client the gateway takes its locks with (its session holds them). */
  client: ZkClient;
  /** When set, every route but /healthz needs `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Structured access logs (one JSON line per request, pino format): a writable stream to
   * send them to, or `true` for stdout. Off by default.
   */
  accessLog?: boolean | NodeJS.WritableStream;
  /** Settings already checked (from a config file); overrides the settings fields above. */
  settings?: GatewaySettings;
}

/** A running gateway. */
export interface Gateway {
  /** The Fastify instance: `app.inject()` for tests, `app.server` once listening. */
  readonly app: FastifyInstance;
  readonly settings: GatewaySettings;
  /** Locks this gateway holds for HTTP clients right now. */
  readonly heldCount: number;
  /**
   * The gateway as a plain request handler, to mount on an HTTP server of your own:
   * `http.createServer(gateway.handler)`. (Then close that server yourself; `close()` still
   * cancels waiters and releases the locks.)
   */
  readonly handler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Listens (default 127.0.0.1, port 9989; port 0 picks one); resolves where. */
  listen(options?: { host?: string; port?: number }): Promise<{ host: string; port: number; url: string }>;
  /** One sweep over the root, expiring gateway locks whose lifetime passed; resolves how many. */
  sweepExpired(): Promise<number>;
  /**
   * Stops accepting requests, cancels waiting acquires (their clients get 503), releases
   * every lock this gateway holds and stops listening. The client is left open (it is yours).
   */
  close(): Promise<void>;
}

/** The problem for any error: 4xx for what the client can fix, 503 when ZooKeeper cannot answer. */
function toProblem(err: FastifyError | Error): Problem {
  if (err instanceof Problem) return err;
  const fe = err as FastifyError;
  if (fe.validation) return new Problem(400, 'invalid-request', 'Invalid request', `${fe.validationContext ?? 'request'} ${fe.message.replace(/^(body|params|querystring)\s*/, '')}`.trim());
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new Problem(413, 'body-too-large', 'Request body too large', fe.message);
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new Problem(415, 'unsupported-media-type', 'Unsupported media type', 'send JSON with Content-Type: application/json (curl --json \'{...}\')');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new Problem(fe.statusCode, 'bad-request', 'Bad request', fe.message);
  }
  if (err instanceof ValidationError) return new Problem(400, 'invalid-request', 'Invalid request', err.message);
  if (err instanceof ClientGoneError) return new Problem(499, 'client-gone', 'Client closed the connection', err.message);
  if (err instanceof ConnectionLossError || err instanceof SessionExpiredError || err instanceof ClientClosedError) {
    return new Problem(503, 'zookeeper-unavailable', 'ZooKeeper unavailable', `ZooKeeper could not be reached: ${err.message}`);
  }
  if (err instanceof ZooKeeperError) return new Problem(502, 'zookeeper-error', 'ZooKeeper refused the request', err.message);
  return new Problem(500, 'internal', 'Internal error', 'the gateway failed unexpectedly; see its log');
}

/**
 * Makes an HTTP lock gateway over `options.client`. Settings are checked first: a bad one
 * rejects with ValidationError before anything is created.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const client = ReentrantLock.checkClient(options.client);
  const { client: _c, token, accessLog, settings: given, ...input } = options;
  const settings = given ?? resolveSettings(input);
  if (token !== undefined && (typeof token !== 'string' || token.trim() === '')) throw new ValidationError('token must be a non-empty string');
  const app = Fastify({
    logger: accessLog ? { level: 'info', ...(accessLog === true ? {} : { stream: accessLog }) } : false,
    // Fastify's own two lines per request are off: the onResponse hook below logs one.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: settings.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
  });
  const metrics = new GatewayMetrics();
  const locks = new GatewayLocks(client, settings, metrics);
  const reaper = new LifetimeReaper(locks, settings.reapIntervalMs);
  const drain = new ConnectionDrain(app.server);

  if (token !== undefined) registerBearerAuth(app, token);
  // A POST without a body means "all defaults".
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' || request.method === 'PUT') request.body ??= {};
  });
  if (accessLog) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), remote: request.ip }, 'access');
    });
  }
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const problem = toProblem(err);
    if (problem.status >= 500 && problem.status !== 503) request.log.error({ err }, 'request failed');
    void reply.code(problem.status).headers(problem.headers).type(PROBLEM_CONTENT_TYPE).send(problem.body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).type(PROBLEM_CONTENT_TYPE).send(new Problem(404, 'not-found', 'Not found', `no route ${request.method} ${request.url.split('?')[0]}`).body);
  });
  registerLockRoutes(app, locks);
  registerBusyWaitRoutes(app, locks);
  registerOperationsRoutes(app, locks, metrics);
  await app.ready();
  reaper.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    settings,
    get heldCount() {
      return locks.heldCount;
    },
    handler: (request, response) => app.routing(request, response),
    async listen({ host = '127.0.0.1', port = 9989 } = {}) {
      await app.listen({ host, port });
      const address = app.server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { host: address.address, port: address.port, url: `http://${shown}:${address.port}` };
    },
    sweepExpired: () => reaper.sweepOnce(),
    close() {
      closing ??= (async () => {
        await reaper.stop();
        await locks.close();
        const closed = app.close();
        drain.drain();
        await closed;
      })();
      return closing;
    },
  };
}
