// Request bodies must be JSON. Without this, a body sent as text/plain would skip the route's
// schema validation (the validator only reads bodies of the declared media type).
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../domain/errors.ts';
import type { GatewayEnv } from './context.ts';

const jsonMediaType = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

export function requireJsonBodies(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const contentType = c.req.header('content-type') ?? '';
    if (!jsonMediaType.test(contentType) && (await c.req.arrayBuffer()).byteLength > 0) {
      throw new ProblemError(
        'unsupported_media_type',
        `Send the body as application/json, not ${contentType || 'untyped'}.`,
        [{ field: 'header.Content-Type', message: 'must be application/json' }],
      );
    }
    await next();
  };
}
