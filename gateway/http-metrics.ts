// Per-route request metrics: count, 5xx errors and latency, labelled by the route's template
// (`/v1/transfers/:transferId`), never by the path a caller sent, so the series stay few.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { httpRequestDuration, httpRequestErrors, httpRequests } from '../runtime/metrics.ts';

export function httpMetrics(): MiddlewareHandler {
  return async (c, next) => {
    const startedAt = performance.now();
    try {
      await next();
    } finally {
      // After the handlers ran, the last matched route is the one that answered; a request that
      // matched only middleware (refused before a route, or no route at all) keeps the wildcard.
      const template = routePath(c, -1);
      const route = template === '/*' || template === '*' ? 'unmatched' : template;
      const method = c.req.method;
      const status = c.res.status;
      httpRequests.inc({ route, method, status_class: `${Math.floor(status / 100)}xx` });
      if (status >= 500) httpRequestErrors.inc({ route, method });
      httpRequestDuration.observe({ route, method }, (performance.now() - startedAt) / 1000);
    }
  };
}
