// The operator gives a live partner credentials for the partner sandbox: its twin in the sandbox
// alliance and a key pair registered there. Nothing is written to the live database but the
// Idempotency-Key's record; a repeat of the key answers the same credentials.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import { issueSandboxCredentials, type SandboxProvisioner } from '../../services/sandbox.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { requireClaim } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import { PartnerIdParam } from '../schemas/partners.ts';
import { credentialsView, SandboxCredentialsBody, SandboxCredentialsSchema } from '../schemas/sandbox.ts';

const issueCredentialsRoute = signedRoute('operator', {
  method: 'post',
  path: '/v1/operator/partners/{partnerId}/sandbox-credentials',
  tags: ['Operator: partners'],
  summary: 'Issue sandbox credentials for a partner: its twin in the sandbox alliance and a key pair there',
  description: [
    "Creates (or finds) the partner's twin in the sandbox alliance, with a hosted programme, demo members",
    'and rate agreements with the stand-in brands, and registers a new key pair for it there. The private',
    'key is in the answer: a repeat with the same Idempotency-Key answers the same key, another key issues',
    'another. 404 `sandbox_not_enabled` when this gateway runs without a sandbox; 409 `partner_not_active`',
    'for a suspended partner (a suspension stops its sandbox keys being issued as its live ones are refused);',
    '503 `sandbox_unavailable`',
    'when the sandbox did not answer (retry with the same Idempotency-Key). A `webhookUrl` in the body',
    "sets where the twin's webhooks go (the sandbox's, signed with its key); without one it is left as it is.",
  ].join(' '),
  request: {
    params: z.object({ partnerId: PartnerIdParam }),
    headers: IdempotencyHeaders,
    body: { required: false, content: { 'application/json': { schema: SandboxCredentialsBody } } },
  },
  responses: {
    201: {
      content: { 'application/json': { schema: SandboxCredentialsSchema } },
      description: 'The sandbox credentials',
    },
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

export function registerOperatorSandboxCredentialRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  provisioner: SandboxProvisioner | undefined,
): void {
  app.openapi(issueCredentialsRoute, async (c) => {
    const credentials = await issueSandboxCredentials(context, provisioner, {
      partnerId: c.req.valid('param').partnerId,
      requestKey: requireClaim(c).key,
      webhookUrl: c.req.valid('json')?.webhookUrl,
    });
    return c.json(credentialsView(credentials), 201);
  });
}
