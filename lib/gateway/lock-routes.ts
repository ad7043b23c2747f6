// The REST API: POST /locks/<resource> takes a lock and gives it a URL; GET, DELETE and
// POST|PUT <url>/refresh act on that URL from any gateway instance; GET /locks and
// GET /locks/<resource> show every lock and its participants, whoever took them.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { RESOURCE_NAME_RE, type GatewaySettings } from './gateway-config.js';
import type { GatewayLocks } from './gateway-locks.js';
import type { LockMode } from './lock-record.js';
import { Problem, badRequest, lockNotFound } from './problem.js';
import { describeResource, listResources } from './resource-view.js';
import { untilClientGone } from './client-gone.js';

interface LockBody {
  title?: string;
  lifetime?: number;
  wait?: number;
  mode?: LockMode;
  maxLeases?: number;
}

const RESOURCE_PARAM = {
  type: 'object',
  required: ['resource'],
  properties: { resource: { type: 'string', pattern: RESOURCE_NAME_RE.source } },
} as const;

const LOCK_PARAMS = {
  type: 'object',
  required: ['resource', 'id'],
  properties: { resource: RESOURCE_PARAM.properties.resource, id: { type: 'string', maxLength: 100 } },
} as const;

/** The largest maxLeases a POST may ask for. */
const MAX_LEASES = 10_000;

function checkResource(resource: string): void {
  if (resource === '.' || resource === '..') throw badRequest(`resource must not be "." or ".."`);
}

/** A lifetime the config allows: 0 (until released) only when `lifetime.unlimited` is set. */
export function checkLifetime(lifetime: number, settings: GatewaySettings): number {
  if (lifetime === 0 && !settings.unlimitedLifetime) {
    throw badRequest(`lifetime 0 (until released) is not allowed by this gateway's config; give 1 to ${settings.maxLifetime} seconds`);
  }
  return lifetime;
}

export function registerLockRoutes(app: FastifyInstance, locks: GatewayLocks): void {
  const { settings } = locks;
  const lifetimeSchema = { type: 'number', minimum: 0, maximum: settings.maxLifetime } as const;

  app.get<{ Querystring: { detail?: string } }>('/locks', {
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { detail: { type: 'string', enum: ['true', 'false', '1', '0'] } } } },
  }, async (request) => {
    const detail = request.query.detail === 'true' || request.query.detail === '1';
    return { root: settings.root, locks: await listResources(locks.client, settings.root, detail) };
  });

  app.get<{ Params: { resource: string } }>('/locks/:resource', { schema: { params: RESOURCE_PARAM } }, async (request) => {
    checkResource(request.params.resource);
    return describeResource(locks.client, locks.pathOf(request.params.resource), request.params.resource);
  });

  app.post<{ Params: { resource: string }; Body: LockBody }>('/locks/:resource', {
    schema: {
      params: RESOURCE_PARAM,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          title: { type: 'string', maxLength: 200 },
          lifetime: lifetimeSchema,
          wait: { type: 'number', minimum: 0, maximum: settings.maxWait },
          mode: { type: 'string', enum: ['mutex', 'read', 'write', 'semaphore'] },
          maxLeases: { type: 'integer', minimum: 1, maximum: MAX_LEASES },
        },
      },
    },
  }, async (request, reply) => {
    const { resource } = request.params;
    checkResource(resource);
    const body = request.body;
    const mode = body.mode ?? 'mutex';
    const counted = mode === 'mutex' || mode === 'semaphore';
    if (!counted && body.maxLeases !== undefined && body.maxLeases !== 1) throw badRequest(`maxLeases applies to modes "mutex" and "semaphore" only (got mode "${mode}", maxLeases ${body.maxLeases})`);
    const lifetime = checkLifetime(body.lifetime ?? settings.defaultLifetime, settings);
    const wait = body.wait ?? settings.defaultWait;
    const gone = untilClientGone(reply);
    try {
      const view = await locks.acquire(resource, {
        title: body.title ?? '',
        lifetime,
        waitMs: Math.round(wait * 1_000),
        mode,
        maxLeases: body.maxLeases ?? 1,
      }, gone.signal);
      return await reply.code(201).header('location', view.url).send(view);
    } finally {
      gone.stop();
    }
  });

  app.get<{ Params: { resource: string; id: string } }>('/locks/:resource/:id', { schema: { params: LOCK_PARAMS } }, async (request) => {
    const { resource, id } = request.params;
    const found = await locks.find(resource, id);
    if (!found) throw noLock(resource, id);
    return locks.view(found);
  });

  app.delete<{ Params: { resource: string; id: string } }>('/locks/:resource/:id', { schema: { params: LOCK_PARAMS } }, async (request, reply) => {
    const { resource, id } = request.params;
    if (!(await locks.release(resource, id))) throw noLock(resource, id);
    return reply.code(204).send();
  });

  const refresh = async (request: { params: { resource: string; id: string }; body: { lifetime?: number } }, reply: FastifyReply): Promise<unknown> => {
    const { resource, id } = request.params;
    const lifetime = request.body.lifetime === undefined ? undefined : checkLifetime(request.body.lifetime, settings);
    const view = await locks.refresh(resource, id, lifetime);
    if (!view) throw noLock(resource, id, ' (released, expired, or never granted)');
    return reply.send(view);
  };
  const refreshSchema = {
    params: LOCK_PARAMS,
    body: { type: 'object', additionalProperties: false, properties: { lifetime: lifetimeSchema } },
  } as const;
  app.post<{ Params: { resource: string; id: string }; Body: { lifetime?: number } }>('/locks/:resource/:id/refresh', { schema: refreshSchema }, refresh);
  app.put<{ Params: { resource: string; id: string }; Body: { lifetime?: number } }>('/locks/:resource/:id/refresh', { schema: refreshSchema }, refresh);
}

function noLock(resource: string, id: string, why = ''): Problem {
  return lockNotFound(`no lock ${id} on ${resource}${why}`);
}
