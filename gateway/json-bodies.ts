// Request bodies must be JSON, in UTF-8. Without the media type check, a body sent as text/plain
// would skip the route's schema validation (the validator only reads bodies of the declared media
// type); without the UTF-8 check, bytes that are not UTF-8 would silently become U+FFFD.
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../domain/errors.ts';
import type { GatewayEnv } from './context.ts';

const jsonMediaType = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function requireJsonBodies(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    // The console's pages post forms (x-www-form-urlencoded); it reads and checks its own bodies.
    if (c.req.path.startsWith('/console/')) return next();
    const contentType = c.req.header('content-type') ?? '';
    const body = await c.req.arrayBuffer();
    if (body.byteLength === 0) return next();
    if (!jsonMediaType.test(contentType)) {
      throw new ProblemError(
        'unsupported_media_type',
        `Send the body as application/json, not ${contentType || 'untyped'}.`,
        [{ field: 'header.Content-Type', message: 'must be application/json' }],
      );
    }
    try {
      strictUtf8.decode(body);
    } catch {
      throw new ProblemError('malformed_json', 'The request body is not valid UTF-8.');
    }
    await next();
  };
}

/**
 * The raw body as `schema` parses it, or undefined when the route's own validation would refuse it:
 * for a claim that reads or answers ahead of the handler (gateway/idempotency.ts) and must leave every
 * other request to the handler's validation.
 */
export function validBodyOf<Output>(
  raw: Uint8Array,
  schema: { safeParse(input: unknown): { success: true; data: Output } | { success: false } },
): Output | undefined {
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(JSON.parse(strictUtf8.decode(raw)));
  } catch {
    return undefined;
  }
  return parsed.success ? parsed.data : undefined;
}
