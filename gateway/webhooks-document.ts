// The webhooks in the gateway's OpenAPI document (its `webhooks`, OpenAPI 3.1): every event a
// partner's webhook URL receives, and the operator's alert. The gateway sends them; nothing routes them.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { GatewayEnv } from './context.ts';
import { operatorWebhooks, partnerWebhooks, webhookBody } from './schemas/webhooks.ts';

const delivery = [
  'POSTed to the webhook URL given at onboarding, signed as every call of the gateway is (a JWT in',
  '`Authorization` with `iss` the gateway, `aud` your partner id, and `body_sha256` of the exact body;',
  "verify it against the gateway's `/.well-known/jwks.json`). Any 2xx answer is delivery; anything else,",
  'or no answer in time, is retried with the same `id` (also sent as `Idempotency-Key`): ignore an `id`',
  'you have seen. Most events are retried with backoff for a day; `points.expired` and',
  '`points.expiring` once per expiry run, 20 times. `GET /v1/webhook-deliveries` lists them.',
].join(' ');

export function registerWebhooks(app: OpenAPIHono<GatewayEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'gatewaySignature', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "The gateway's signature on its calls and webhooks; iss is the gateway, aud is you.",
  });
  const events = [
    ...Object.entries(partnerWebhooks).map(([type, event]) => ({ type, ...event, tag: 'Webhooks' })),
    ...Object.entries(operatorWebhooks).map(([type, event]) => ({
      type,
      ...event,
      tag: 'Operator: webhooks',
    })),
  ];
  for (const event of events) {
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: event.type,
      operationId: `${event.type.replace(/[._](\w)/g, (_, letter: string) => letter.toUpperCase())}Webhook`,
      tags: [event.tag],
      summary: event.summary,
      description: delivery,
      security: [{ gatewaySignature: [] }],
      request: {
        headers: z.object({ 'idempotency-key': z.string().openapi({ description: 'The event’s id.' }) }),
        body: {
          required: true,
          content: { 'application/json': { schema: webhookBody(event.type, event.data) } },
        },
      },
      responses: { 200: { description: 'Any 2xx: delivered.' } },
    });
  }
}
