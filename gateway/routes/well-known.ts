// The gateway's public signing keys, so partners can verify its calls and webhooks offline.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { JWK } from 'jose';
import { publicRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';

const JwksSchema = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .openapi('JsonWebKeySet', { description: 'RFC 7517 key set; every key has kid, alg and use=sig.' });

const jwksRoute = publicRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['Keys'],
  summary: "The gateway's public signing keys",
  responses: { 200: { content: { 'application/json': { schema: JwksSchema } }, description: 'The key set' } },
});

export function registerWellKnownRoutes(app: OpenAPIHono<GatewayEnv>, publicKeys: readonly JWK[]): void {
  app.openapi(jwksRoute, (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json({ keys: publicKeys.map((key) => ({ ...key })) }, 200);
  });
}
