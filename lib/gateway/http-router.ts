// The gateway's routes: a method and a path pattern (`/locks/:resource/:id/refresh`) per
// handler. A dozen routes need no radix tree: a path is split into segments once and compared
// with each pattern of its length. A trailing slash is ignored (`/locks/` is `/locks`, `/get`
// is `/get/`); HEAD runs the GET route (node:http sends no body for it).
import { badRequest } from './problem.js';

/** What a route handler is given, besides the exchange: the path parameters by name, decoded. */
export type RouteParams = Readonly<Record<string, string>>;

interface Route<H> {
  readonly method: string;
  /** Literal segments, or `null` where a parameter goes. */
  readonly segments: ReadonlyArray<string | null>;
  /** Parameter names, in the order of the `null` segments. */
  readonly names: readonly string[];
  readonly handler: H;
}

/** The route a request matched, with its parameters. */
export interface RouteMatch<H> {
  readonly handler: H;
  readonly params: RouteParams;
}

/** Splits a path (no query) into segments, ignoring one trailing slash: `/a/b/` -> `['a', 'b']`, `/` -> `[]`. */
function segmentsOf(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed === '/' ? [] : trimmed.slice(1).split('/');
}

export class Router<H> {
  private readonly routes: Array<Route<H>> = [];

  /** Adds a route; `pattern` segments starting with `:` are parameters. */
  add(method: string, pattern: string, handler: H): this {
    const names: string[] = [];
    const segments = segmentsOf(pattern).map((s) => {
      if (!s.startsWith(':')) return s;
      names.push(s.slice(1));
      return null;
    });
    this.routes.push({ method, segments, names, handler });
    return this;
  }

  /**
   * The route for `method` and `path` (the path part of the URL, still percent-encoded), or
   * undefined. @throws a 400 Problem for a parameter that is not valid percent-encoding.
   */
  match(method: string, path: string): RouteMatch<H> | undefined {
    const wanted = method === 'HEAD' ? 'GET' : method;
    const parts = segmentsOf(path);
    for (const route of this.routes) {
      if (route.method !== wanted || route.segments.length !== parts.length) continue;
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const literal = route.segments[i];
        if (literal !== null && literal !== parts[i]) ok = false;
      }
      if (!ok) continue;
      const params: Record<string, string> = {};
      let n = 0;
      for (let i = 0; i < parts.length; i++) {
        if (route.segments[i] !== null) continue;
        params[route.names[n++]!] = decodeSegment(parts[i]!, route.names[n - 1]!);
      }
      return { handler: route.handler, params };
    }
    return undefined;
  }
}

function decodeSegment(segment: string, name: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`${name} in the path is not valid percent-encoding: ${JSON.stringify(segment)}`);
  }
}
