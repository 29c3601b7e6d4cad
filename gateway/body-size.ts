// The request body's size limit. Hono's bodyLimit first reads `c.req.raw.body`, which makes
// @hono/node-server build a web stream over the request, and then every read of the body goes through
// that stream and an undici Request instead of the server's direct read (7 % of the gateway's busy
// time under quotes, in a CPU profile). A request that declares its length (Content-Length, no Transfer-Encoding) cannot carry
// more than that, as Node's HTTP parser reads exactly that many bytes, so it is decided by that header
// here, as bodyLimit would decide it; any other (a chunked body, a Request made in the process with
// no length) goes to bodyLimit, which counts its bytes.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

export function bodySizeLimit<Env extends { Variables: object }>(options: {
  maxSize: number;
  onError: (c: Context<Env>) => Response | Promise<Response>;
}): MiddlewareHandler<Env> {
  const counted = bodyLimit(options);
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return counted(c, next);
    if (Number.parseInt(declared, 10) > options.maxSize) return options.onError(c);
    await next();
  };
}
