// createGateway(): the HTTP lock gateway on top of one ZkClient, on node:http. Routes live in
// *-routes.ts; this file reads each request (route, auth, JSON body), turns every error into
// an RFC 9457 problem, writes the answer, and shuts down in order. No framework: the gateway
// has a dozen routes, and the library installs nothing but itself.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientClosedError, ConnectionLossError, SessionExpiredError, ValidationError, ZooKeeperError } from '../errors.js';
import { ReentrantLock } from '../locks/engine/reentrant-lock.js';
import type { ZkClient } from '../framework/zk-client.js';
import { AccessLog } from './access-log.js';
import { bearerAuth, type AuthCheck } from './auth.js';
import { addBusyWaitRoutes } from './busy-wait-routes.js';
import { ClientGoneError } from './client-gone.js';
import { ConnectionDrain } from './connection-drain.js';
import { resolveSettings, type GatewaySettings, type GatewaySettingsInput } from './gateway-config.js';
import { GatewayLocks } from './gateway-locks.js';
import { problemReply, sendReply, type Reply, type RouteHandler } from './http-exchange.js';
import { Router } from './http-router.js';
import { LifetimeReaper } from './lifetime-reaper.js';
import { addLockRoutes } from './lock-routes.js';
import { GatewayMetrics } from './metrics.js';
import { addOperationsRoutes } from './operations-routes.js';
import { Problem } from './problem.js';
import { readJsonBody } from './request-body.js';

/** Options of {@link createGateway}: a client plus the settings of the config file. */
export interface GatewayOptions extends GatewaySettingsInput {
  /** The ZooKeeper client the gateway takes its locks with (its session holds them). */
  client: ZkClient;
  /** When set, every route but /healthz and the web page's shell needs `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Structured access logs (one JSON line per request, pino's line format): a writable stream
   * to send them to, or `true` for stdout. Off by default.
   */
  accessLog?: boolean | NodeJS.WritableStream;
  /** Settings already checked (from a config file); overrides the settings fields above. */
  settings?: GatewaySettings;
}

/** A running gateway. */
export interface Gateway {
  /**
   * The gateway's own HTTP server (node:http), which {@link Gateway.listen} listens with.
   * Not listening until then; when you mount {@link Gateway.handler} on a server of your own,
   * this one stays unused.
   */
  readonly server: Server;
  /** The checked settings the gateway runs with. */
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
  listen(options?: { host?: string; port?: number }): Promise<{
    /** The address listened on. */
    host: string;
    /** The port listened on (the one picked, for port 0). */
    port: number;
    /** `http://<host>:<port>`. */
    url: string;
  }>;
  /** One sweep over the root, expiring gateway locks whose lifetime passed; resolves how many. */
  sweepExpired(): Promise<number>;
  /**
   * Stops accepting requests (later ones get 503), cancels waiting acquires (their clients get
   * 503), releases every lock this gateway holds and stops listening once the answers in
   * flight are sent. The client is left open (it is yours).
   */
  close(): Promise<void>;
}

/** How long an idle keep-alive connection stays open: longer than the 60 s of common load balancers. */
const KEEP_ALIVE_MS = 72_000;

/** The problem for any error: 4xx for what the client can fix, 503 when ZooKeeper cannot answer. */
function toProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof ValidationError) return new Problem(400, 'invalid-request', 'Invalid request', err.message);
  if (err instanceof ClientGoneError) return new Problem(499, 'client-gone', 'Client closed the connection', err.message);
  if (err instanceof ConnectionLossError || err instanceof SessionExpiredError || err instanceof ClientClosedError) {
    return new Problem(503, 'zookeeper-unavailable', 'ZooKeeper unavailable', `ZooKeeper could not be reached: ${err.message}`);
  }
  if (err instanceof ZooKeeperError) return new Problem(502, 'zookeeper-error', 'ZooKeeper refused the request', err.message);
  return new Problem(500, 'internal', 'Internal error', 'the gateway failed unexpectedly; see its log');
}

const shuttingDown = (): Problem => new Problem(503, 'shutting-down', 'Gateway shutting down', 'this gateway is shutting down; try another instance', { connection: 'close' });

/**
 * Makes an HTTP lock gateway over `options.client`. Settings are checked first: a bad one
 * rejects with ValidationError before anything is created.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const client = ReentrantLock.checkClient(options.client);
  const { client: _c, token, accessLog, settings: given, ...input } = options;
  const settings = given ?? resolveSettings(input);
  if (token !== undefined && (typeof token !== 'string' || token.trim() === '')) throw new ValidationError('token must be a non-empty string');
  const log = accessLog ? new AccessLog(accessLog === true ? process.stdout : accessLog) : undefined;
  const auth: AuthCheck | undefined = token === undefined ? undefined : bearerAuth(token);
  const metrics = new GatewayMetrics();
  const locks = new GatewayLocks(client, settings, metrics);
  const reaper = new LifetimeReaper(locks, settings.reapIntervalMs);
  const router = new Router<RouteHandler>();
  addLockRoutes(router, locks);
  addBusyWaitRoutes(router, locks);
  addOperationsRoutes(router, locks, metrics);
  let closing = false;

  /** Everything between the request line and the reply; never throws. */
  const answer = async (request: IncomingMessage, response: ServerResponse, method: string, url: string): Promise<Reply> => {
    try {
      if (closing) throw shuttingDown();
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      auth?.(method, path, request.headers.authorization);
      const route = router.match(method, path);
      if (!route) throw new Problem(404, 'not-found', 'Not found', `no route ${method} ${path}`);
      const body = route.handler.takesBody ? await readJsonBody(request, settings.bodyLimit) : undefined;
      return await route.handler.run({ query: q < 0 ? '' : url.slice(q + 1), params: route.params, body, request, response });
    } catch (err) {
      const problem = toProblem(err);
      if (problem.status >= 500 && problem.status !== 503) log?.failure(method, url, err);
      return problemReply(problem);
    }
  };

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const started = log ? performance.now() : 0;
    void answer(request, response, method, url).then((reply) => {
      sendReply(response, reply);
      if (log) log.request(method, url, response.statusCode, Math.round(performance.now() - started), request.socket.remoteAddress);
    });
  };

  const server = createServer(handler);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  const drain = new ConnectionDrain(server);
  reaper.start();

  let closed: Promise<void> | undefined;
  return {
    server,
    settings,
    get heldCount() {
      return locks.heldCount;
    },
    handler,
    listen({ host = '127.0.0.1', port = 9989 } = {}) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ host: address.address, port: address.port, url: `http://${shown}:${address.port}` });
        });
      });
    },
    sweepExpired: () => reaper.sweepOnce(),
    close() {
      closed ??= (async () => {
        closing = true;
        await reaper.stop();
        await locks.close();
        if (!server.listening) return;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        drain.drain();
        await stopped;
      })();
      return closed;
    },
  };
}
