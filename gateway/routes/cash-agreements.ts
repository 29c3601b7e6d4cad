// Cash agreements: a programme's owner offers what its point is worth at a merchant's checkout,
// the merchant accepts; either reads it. Points payments are priced by the accepted one.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  acceptCashAgreementOffer,
  offerCashAgreement,
  readCashAgreement,
} from '../../services/cash-agreements.ts';
import { type ServiceContext, within } from '../../services/context.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import {
  CashAgreementPath,
  CashAgreementSchema,
  cashAgreementView,
  OfferCashAgreementBody,
} from '../schemas/points-payments.ts';

const tags = ['Points payments'];
const reply = (description: string) => ({
  content: { 'application/json': { schema: CashAgreementSchema } },
  description,
});

const offerRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/cash-agreements',
  tags,
  summary: "Offer a merchant a price for your programme's points at its checkout (programme owner)",
  description:
    'You owe the merchant this price for every point it captures. The offer takes effect when the merchant accepts it, and then ends the earlier agreement of the pair; payments keep the price they were authorized at. It withdraws your earlier offer to the merchant for this programme still waiting: that one ends and can no longer be accepted.',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: OfferCashAgreementBody } } },
  },
  responses: { 201: reply('The offer'), ...problemResponses(400, 401, 403, 404, 409, 422) },
});

const acceptRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/cash-agreements/{agreementId}/accept',
  tags,
  summary: 'Accept a cash agreement offered to you (merchant)',
  description:
    "Only the owner's latest offer to you for the programme can be accepted: one a newer offer withdrew, or one older than an agreement accepted since, is refused `409 cash_agreement_not_offered`.",
  request: { headers: IdempotencyHeaders, params: CashAgreementPath },
  responses: { 200: reply('The agreement, accepted'), ...problemResponses(400, 401, 403, 404, 409, 422) },
});

const readRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/cash-agreements/{agreementId}',
  tags,
  summary: 'A cash agreement, to either party',
  request: { params: z.object({ agreementId: CashAgreementPath.shape.agreementId }) },
  responses: { 200: reply('The agreement'), ...problemResponses(401, 404) },
});

export function registerCashAgreementRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(offerRoute, async (c) => {
    const body = c.req.valid('json');
    const result = await replyWithEffect(c, context.db, async (trx) => {
      const agreement = await offerCashAgreement(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        ...body,
      });
      return { status: 201 as const, body: cashAgreementView(agreement) };
    });
    return c.json(result.body, result.status);
  });

  app.openapi(acceptRoute, async (c) => {
    const result = await replyWithEffect(c, context.db, async (trx) => {
      const agreement = await acceptCashAgreementOffer(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        agreementId: c.req.valid('param').agreementId,
        now: new Date(),
      });
      return { status: 200 as const, body: cashAgreementView(agreement) };
    });
    return c.json(result.body, result.status);
  });

  app.openapi(readRoute, async (c) => {
    const agreement = await readCashAgreement(
      context,
      callerPartnerId(c.var.principal),
      c.req.valid('param').agreementId,
    );
    return c.json(cashAgreementView(agreement), 200);
  });
}
