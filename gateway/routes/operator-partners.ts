// Operator endpoints of the partner registry: onboard a partner, rotate its keys, suspend and resume it.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { type ServiceContext, within } from '../../services/context.ts';
import {
  addPartnerKey,
  onboardPartner,
  readPartner,
  retirePartnerKey,
  setPartnerExposureCap,
  setPartnerStatus,
  setPartnerWebhookUrl,
} from '../../services/partners.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { AmountOut, NonNegativeIntegerString } from '../schemas/amounts.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import {
  AddKeyBody,
  CreatePartnerBody,
  KidParam,
  PartnerIdParam,
  PartnerSchema,
  partnerView,
  WebhookUrlBody,
} from '../schemas/partners.ts';

const tags = ['Operator: partners'];
const partnerReply = (description: string) => ({
  content: { 'application/json': { schema: PartnerSchema } },
  description,
});
const PartnerPath = z.object({ partnerId: PartnerIdParam });

const createPartnerRoute = signedRoute('operator', {
  method: 'post',
  path: '/v1/operator/partners',
  tags,
  summary: 'Onboard a partner with its programmes and public keys',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CreatePartnerBody } } },
  },
  responses: { 201: partnerReply('The partner, active'), ...problemResponses(400, 401, 403, 409, 413) },
});

const getPartnerRoute = signedRoute('operator', {
  method: 'get',
  path: '/v1/operator/partners/{partnerId}',
  tags,
  summary: 'Read a partner',
  request: { params: PartnerPath },
  responses: { 200: partnerReply('The partner'), ...problemResponses(400, 401, 403, 404) },
});

const addKeyRoute = signedRoute('operator', {
  method: 'post',
  path: '/v1/operator/partners/{partnerId}/keys',
  tags,
  summary: 'Register another public key (the first step of a rotation)',
  request: {
    params: PartnerPath,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: AddKeyBody } } },
  },
  responses: {
    201: partnerReply('The partner with the new key'),
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

const retireKeyRoute = signedRoute('operator', {
  method: 'post',
  path: '/v1/operator/partners/{partnerId}/keys/{kid}/retire',
  tags,
  summary: 'Retire a key: requests signed with it are refused from now on',
  request: { params: PartnerPath.extend({ kid: KidParam }), headers: IdempotencyHeaders },
  responses: {
    200: partnerReply('The partner with the key retired'),
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

const statusRoute = (action: 'suspend' | 'resume') =>
  signedRoute('operator', {
    method: 'post',
    path: `/v1/operator/partners/{partnerId}/${action}`,
    tags,
    summary:
      action === 'suspend'
        ? 'Suspend a partner: its signed requests are refused until it is resumed'
        : 'Resume a suspended partner',
    request: { params: PartnerPath, headers: IdempotencyHeaders },
    responses: { 200: partnerReply('The partner'), ...problemResponses(400, 401, 403, 404) },
  });

/** `changed` is told of every change to a partner's keys or status, so caches drop it. */
const ExposureCapBody = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
    capMinor: NonNegativeIntegerString.openapi({
      description: 'The most the partner may owe net, in obligations not yet settled, in minor units.',
    }),
  })
  .strict()
  .openapi('ExposureCap');
const ExposureCapsSchema = z
  .object({
    partnerId: z.string(),
    caps: z.array(z.object({ currency: z.string(), capMinor: AmountOut, updatedAt: z.string() })),
  })
  .openapi('ExposureCaps');

const exposureCapRoute = signedRoute('operator', {
  method: 'post',
  path: '/v1/operator/partners/{partnerId}/exposure-caps',
  tags,
  summary:
    "Cap a partner's open net debit in one currency; transfers out of its programmes past it are refused",
  request: {
    params: PartnerPath,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: ExposureCapBody } } },
  },
  responses: {
    200: {
      content: { 'application/json': { schema: ExposureCapsSchema } },
      description: "The partner's caps",
    },
    ...problemResponses(400, 401, 403, 404),
  },
});

const webhookUrlRoute = signedRoute('operator', {
  method: 'post',
  path: '/v1/operator/partners/{partnerId}/webhook-url',
  tags,
  summary: "Say where a partner's webhooks go from now on (null stops them)",
  request: {
    params: PartnerPath,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: WebhookUrlBody } } },
  },
  responses: { 200: partnerReply('The partner'), ...problemResponses(400, 401, 403, 404) },
});

export function registerOperatorPartnerRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  changed: (partnerId: string) => void,
): void {
  app.openapi(createPartnerRoute, async (c) => {
    const body = c.req.valid('json');
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const record = await onboardPartner(within(context, trx), {
        name: body.name,
        webhookUrl: body.webhookUrl,
        loyaltyApiUrl: body.loyaltyApiUrl ?? null,
        programs: body.programs,
        keys: body.keys,
      });
      return { status: 201 as const, body: partnerView(record) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(getPartnerRoute, async (c) => {
    return c.json(partnerView(await readPartner(context, c.req.valid('param').partnerId)), 200);
  });

  app.openapi(addKeyRoute, async (c) => {
    const jwk = c.req.valid('json').jwk;
    const partnerId = c.req.valid('param').partnerId;
    const reply = await replyWithEffect(c, context.db, async (trx) => ({
      status: 201 as const,
      body: partnerView(await addPartnerKey(within(context, trx), partnerId, jwk)),
    }));
    changed(partnerId);
    return c.json(reply.body, reply.status);
  });

  app.openapi(retireKeyRoute, async (c) => {
    const { partnerId, kid } = c.req.valid('param');
    const reply = await replyWithEffect(c, context.db, async (trx) => ({
      status: 200 as const,
      body: partnerView(await retirePartnerKey(within(context, trx), partnerId, kid)),
    }));
    changed(partnerId);
    return c.json(reply.body, reply.status);
  });

  for (const [action, status] of [
    ['suspend', 'suspended'],
    ['resume', 'active'],
  ] as const) {
    app.openapi(statusRoute(action), async (c) => {
      const partnerId = c.req.valid('param').partnerId;
      const reply = await replyWithEffect(c, context.db, async (trx) => ({
        status: 200 as const,
        body: partnerView(await setPartnerStatus(within(context, trx), partnerId, status)),
      }));
      changed(partnerId);
      return c.json(reply.body, reply.status);
    });
  }

  app.openapi(webhookUrlRoute, async (c) => {
    const partner = await setPartnerWebhookUrl(context, {
      partnerId: c.req.valid('param').partnerId,
      webhookUrl: c.req.valid('json').webhookUrl,
    });
    return c.json(partnerView(partner), 200);
  });

  app.openapi(exposureCapRoute, async (c) => {
    const partnerId = c.req.valid('param').partnerId;
    const body = c.req.valid('json');
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const caps = await setPartnerExposureCap(within(context, trx), { partnerId, ...body });
      return {
        status: 200 as const,
        body: {
          partnerId,
          caps: caps.map((cap) => ({
            currency: cap.currency,
            capMinor: String(cap.cap_minor),
            updatedAt: cap.updated_at.toISOString(),
          })),
        },
      };
    });
    return c.json(reply.body, reply.status);
  });
}
