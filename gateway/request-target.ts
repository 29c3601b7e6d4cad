// Checks the request's method and URL before anything reads the request: a known path with another
// method is a 405 with Allow (not a 401 or an Idempotency-Key refusal from the middleware of the
// method it does not have), and a path segment or query parameter that does not percent-decode to
// UTF-8 is a 400 naming it (Hono would otherwise hand the raw `%FF` to the route as text).
import type { MiddlewareHandler } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { ProblemError } from '../domain/errors.ts';
import type { GatewayEnv } from './context.ts';
import { problemResponse } from './problem.ts';

interface RouteEntry {
  method: string;
  path: string;
}

interface RouteTable {
  /** The declared paths that match, each with the methods it answers. */
  match(path: string): { path: string; methods: Set<string> }[];
}

function buildRouteTable(routes: readonly RouteEntry[]): RouteTable {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    // `use` registers middleware as ALL; it does not make a path exist.
    if (route.method === 'ALL') continue;
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    methodsByPath.set(route.path, methods);
  }
  const router = new TrieRouter<{ path: string; methods: Set<string> }>();
  for (const [path, methods] of methodsByPath) router.add('ALL', path, { path, methods });
  return { match: (path) => router.match('ALL', path)[0].map(([entry]) => entry) };
}

function decodes(component: string): boolean {
  try {
    decodeURIComponent(component);
    return true;
  } catch {
    return false;
  }
}

/** The field a path segment fills: `path.<param>` under a route with a parameter there. */
function segmentField(routePath: string | undefined, index: number): string {
  const segment = routePath?.split('/')[index];
  return segment?.startsWith(':') ? `path.${segment.slice(1).replace(/\{.*$/, '')}` : 'path';
}

function undecodablePath(rawPath: string, routePath: string | undefined): string | null {
  const segments = rawPath.split('/');
  const index = segments.findIndex((segment) => !decodes(segment));
  return index === -1 ? null : segmentField(routePath, index);
}

function undecodableQuery(rawQuery: string): string | null {
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const [name = '', value = ''] = pair.split(/=(.*)/s);
    if (!decodes(name)) return 'query';
    if (!decodes(value)) return `query.${decodeURIComponent(name.replaceAll('+', ' '))}`;
  }
  return null;
}

/** `routes` is read at the first request, once every route is registered (pass `app.routes`). */
export function checkRequestTarget(routes: () => readonly RouteEntry[]): MiddlewareHandler<GatewayEnv> {
  let table: RouteTable | undefined;
  return async (c, next) => {
    table ??= buildRouteTable(routes());
    const matches = table.match(c.req.path);
    if (matches.length > 0 && !matches.some((entry) => entry.methods.has(c.req.method))) {
      const allowed = [...new Set(matches.flatMap((entry) => [...entry.methods]))];
      const detail = `${c.req.method} is not allowed here; use ${allowed.join(', ')}.`;
      return problemResponse(c, new ProblemError('method_not_allowed', detail), {
        Allow: allowed.join(', '),
      });
    }
    const url = c.req.url;
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    const queryStart = url.indexOf('?', pathStart);
    const rawPath = url.slice(pathStart, queryStart === -1 ? undefined : queryStart);
    const field =
      undecodablePath(rawPath, matches[0]?.path) ??
      (queryStart === -1 ? null : undecodableQuery(url.slice(queryStart + 1)));
    if (field) {
      throw new ProblemError('validation_failed', `Invalid value for ${field}.`, [
        { field, message: 'must be percent-encoded UTF-8' },
      ]);
    }
    await next();
  };
}
