// Rate agreements: either partner proposes a version, the other accepts it; versions never change.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { type ServiceContext, within } from '../../services/context.ts';
import {
  acceptAgreementVersion,
  proposeAgreementVersion,
  readAgreementVersions,
} from '../../services/rate-agreements.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import {
  AgreementVersionSchema,
  agreementVersionView,
  ProposeAgreementBody,
  termsFromBody,
} from '../schemas/agreements.ts';
import { positiveInt4Param } from '../schemas/amounts.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import { idParam } from '../schemas/ids.ts';

const tags = ['Rate agreements'];
const versionReply = (description: string) => ({
  content: { 'application/json': { schema: AgreementVersionSchema } },
  description,
});
const AgreementPath = z.object({ agreementId: idParam('agr', 'agreementId') });

const proposeRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/rate-agreements',
  tags,
  summary: 'Propose a new version of the rate from one programme to another (it counts as your acceptance)',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: ProposeAgreementBody } } },
  },
  responses: { 201: versionReply('The proposed version'), ...problemResponses(400, 401, 403, 422) },
});

const acceptRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/rate-agreements/{agreementId}/versions/{version}/accept',
  tags,
  summary: 'Accept a proposed version; it is in force from its start once both sides accepted',
  request: {
    params: AgreementPath.extend({ version: positiveInt4Param('version') }),
    headers: IdempotencyHeaders,
  },
  responses: { 200: versionReply('The version'), ...problemResponses(400, 401, 403, 404, 409, 422) },
});

const listRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/rate-agreements/{agreementId}',
  tags,
  summary: "An agreement's versions, oldest first",
  request: { params: AgreementPath },
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ versions: z.array(AgreementVersionSchema) }) } },
      description: 'Versions',
    },
    ...problemResponses(401, 403, 404),
  },
});

export function registerRateAgreementRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(proposeRoute, async (c) => {
    const partnerId = callerPartnerId(c.var.principal);
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const record = await proposeAgreementVersion(within(context, trx), {
        partnerId,
        terms: termsFromBody(c.req.valid('json')),
        now: new Date(),
      });
      return { status: 201 as const, body: agreementVersionView(record) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(acceptRoute, async (c) => {
    const { agreementId, version } = c.req.valid('param');
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const record = await acceptAgreementVersion(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        agreementId,
        version,
        now: new Date(),
      });
      return { status: 200 as const, body: agreementVersionView(record) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(listRoute, async (c) => {
    const versions = await readAgreementVersions(context, {
      partnerId: callerPartnerId(c.var.principal),
      agreementId: c.req.valid('param').agreementId,
    });
    return c.json({ versions: versions.map(agreementVersionView) }, 200);
  });
}
