// Earn agreements: the earning programme's owner proposes a version naming the merchant, the
// merchant accepts it; versions never change.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { type ServiceContext, within } from '../../services/context.ts';
import { acceptEarnVersion, proposeEarnVersion, readEarnVersions } from '../../services/earn-agreements.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { positiveInt4Param } from '../schemas/amounts.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import {
  EarnAgreementVersionSchema,
  earnTermsFromBody,
  earnVersionView,
  ProposeEarnAgreementBody,
} from '../schemas/earn-agreements.ts';
import { idParam } from '../schemas/ids.ts';

const tags = ['Accruals'];
const versionReply = (description: string) => ({
  content: { 'application/json': { schema: EarnAgreementVersionSchema } },
  description,
});
const AgreementPath = z.object({ agreementId: idParam('ear', 'agreementId') });

const proposeRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/earn-agreements',
  tags,
  summary: "Propose how a merchant's purchases earn your programme's points (the programme's owner)",
  description:
    'The proposal counts as your acceptance; the version is in force once the merchant accepts it and its start has come. A later version replaces an earlier one from its own start.',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: ProposeEarnAgreementBody } } },
  },
  responses: { 201: versionReply('The proposed version'), ...problemResponses(400, 401, 403, 422) },
});

const acceptRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/earn-agreements/{agreementId}/versions/{version}/accept',
  tags,
  summary: 'Accept a proposed version (the merchant)',
  request: {
    params: AgreementPath.extend({ version: positiveInt4Param('version') }),
    headers: IdempotencyHeaders,
  },
  responses: { 200: versionReply('The version'), ...problemResponses(400, 401, 403, 404, 409, 422) },
});

const listRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/earn-agreements/{agreementId}',
  tags,
  summary: "An earn agreement's versions, oldest first",
  request: { params: AgreementPath },
  responses: {
    200: {
      content: {
        'application/json': { schema: z.object({ versions: z.array(EarnAgreementVersionSchema) }) },
      },
      description: 'Versions',
    },
    ...problemResponses(401, 404),
  },
});

export function registerEarnAgreementRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(proposeRoute, async (c) => {
    const partnerId = callerPartnerId(c.var.principal);
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const record = await proposeEarnVersion(within(context, trx), {
        partnerId,
        terms: earnTermsFromBody(c.req.valid('json')),
      });
      return { status: 201 as const, body: earnVersionView(record) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(acceptRoute, async (c) => {
    const { agreementId, version } = c.req.valid('param');
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const record = await acceptEarnVersion(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        agreementId,
        version,
        now: new Date(),
      });
      return { status: 200 as const, body: earnVersionView(record) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(listRoute, async (c) => {
    const versions = await readEarnVersions(context, {
      partnerId: callerPartnerId(c.var.principal),
      agreementId: c.req.valid('param').agreementId,
    });
    return c.json({ versions: versions.map(earnVersionView) }, 200);
  });
}
