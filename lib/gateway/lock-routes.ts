// The REST API: POST /locks/<resource> takes a lock and gives it a URL; GET, DELETE and
// POST|PUT <url>/refresh act on that URL from any gateway instance; GET /locks and
// GET /locks/<resource> show every lock and its participants, whoever took them.
import { isResourceName, type GatewaySettings } from './gateway-config.js';
import type { GatewayLocks } from './gateway-locks.js';
import type { Exchange, Reply, RouteHandler } from './http-exchange.js';
import type { Router } from './http-router.js';
import { checkBody, checkQuery, type FieldRule } from './request-checks.js';
import type { LockMode } from './lock-record.js';
import { Problem, badRequest, lockNotFound } from './problem.js';
import { describeResource, listResources } from './resource-view.js';
import { untilClientGone } from './client-gone.js';

/** The largest maxLeases a POST may ask for. */
const MAX_LEASES = 10_000;
/** The longest lock id a URL may carry. */
const MAX_ID_LENGTH = 100;
const MODES: readonly LockMode[] = ['mutex', 'read', 'write', 'semaphore'];

/** The resource of a path, checked: `[A-Za-z0-9._-]{1,200}`, not `.` or `..`. @throws a 400 Problem */
export function checkResource(resource: string): string {
  if (!isResourceName(resource)) {
    throw badRequest(`resource must match [A-Za-z0-9._-]{1,200} and not be "." or "..", got ${JSON.stringify(resource)}`);
  }
  return resource;
}

function checkId(id: string): string {
  if (id.length > MAX_ID_LENGTH) throw badRequest(`the lock id must be at most ${MAX_ID_LENGTH} characters, got ${id.length}`);
  return id;
}

/** A lifetime the config allows: 0 (until released) only when `lifetime.unlimited` is set. */
export function checkLifetime(lifetime: number, settings: GatewaySettings): number {
  if (lifetime === 0 && !settings.unlimitedLifetime) {
    throw badRequest(`lifetime 0 (until released) is not allowed by this gateway's config; give 1 to ${settings.maxLifetime} seconds`);
  }
  return lifetime;
}

function noLock(resource: string, id: string, why = ''): Problem {
  return lockNotFound(`no lock ${id} on ${resource}${why}`);
}

export function addLockRoutes(router: Router<RouteHandler>, locks: GatewayLocks): void {
  const { settings } = locks;
  const lifetime: FieldRule = { type: 'number', min: 0, max: settings.maxLifetime };
  const lockRules = {
    title: { type: 'string', maxLength: 200 },
    lifetime,
    wait: { type: 'number', min: 0, max: settings.maxWait },
    mode: { type: 'string', oneOf: MODES },
    maxLeases: { type: 'number', min: 1, max: MAX_LEASES, integer: true },
  } as const satisfies Record<string, FieldRule>;
  const refreshRules = { lifetime } as const;
  const listRules = { detail: { type: 'string', oneOf: ['true', 'false', '1', '0'] } } as const;

  router.add('GET', '/locks', {
    run: async (x) => {
      const { detail } = checkQuery(x.query, listRules);
      return { status: 200, json: { root: settings.root, locks: await listResources(locks.client, settings.root, detail === 'true' || detail === '1') } };
    },
  });

  router.add('GET', '/locks/:resource', {
    run: async (x) => {
      const resource = checkResource(x.params.resource!);
      return { status: 200, json: await describeResource(locks.client, locks.pathOf(resource), resource) };
    },
  });

  router.add('POST', '/locks/:resource', {
    takesBody: true,
    run: async (x) => {
      const resource = checkResource(x.params.resource!);
      const body = checkBody(x.body, lockRules);
      const mode = (body.mode ?? 'mutex') as LockMode;
      const counted = mode === 'mutex' || mode === 'semaphore';
      if (!counted && body.maxLeases !== undefined && body.maxLeases !== 1) {
        throw badRequest(`maxLeases applies to modes "mutex" and "semaphore" only (got mode "${mode}", maxLeases ${body.maxLeases})`);
      }
      const lifetimeSeconds = checkLifetime(body.lifetime ?? settings.defaultLifetime, settings);
      const wait = body.wait ?? settings.defaultWait;
      const gone = untilClientGone(x.response);
      try {
        const view = await locks.acquire(resource, {
          title: body.title ?? '',
          lifetime: lifetimeSeconds,
          waitMs: Math.round(wait * 1_000),
          mode,
          maxLeases: body.maxLeases ?? 1,
        }, gone.cancel);
        return { status: 201, json: view, headers: { location: view.url } };
      } finally {
        gone.stop();
      }
    },
  });

  router.add('GET', '/locks/:resource/:id', {
    run: async (x) => {
      const resource = checkResource(x.params.resource!);
      const id = checkId(x.params.id!);
      const found = await locks.find(resource, id);
      if (!found) throw noLock(resource, id);
      return { status: 200, json: locks.view(found) };
    },
  });

  router.add('DELETE', '/locks/:resource/:id', {
    run: async (x) => {
      const resource = checkResource(x.params.resource!);
      const id = checkId(x.params.id!);
      if (!(await locks.release(resource, id))) throw noLock(resource, id);
      return { status: 204 };
    },
  });

  const refresh: RouteHandler = {
    takesBody: true,
    run: async (x: Exchange): Promise<Reply> => {
      const resource = checkResource(x.params.resource!);
      const id = checkId(x.params.id!);
      const body = checkBody(x.body, refreshRules);
      const seconds = body.lifetime === undefined ? undefined : checkLifetime(body.lifetime, settings);
      const view = await locks.refresh(resource, id, seconds);
      if (!view) throw noLock(resource, id, ' (released, expired, or never granted)');
      return { status: 200, json: view };
    },
  };
  router.add('POST', '/locks/:resource/:id/refresh', refresh);
  router.add('PUT', '/locks/:resource/:id/refresh', refresh);
}
