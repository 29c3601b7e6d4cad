// Points as cash at checkout: a merchant authorizes part of an order in a member's points at
// another brand's programme, then captures, voids or refunds it. As for transfers, the reply
// carries the operation's outcome when it is known within a short wait (201), otherwise the
// payment as it stands (202); poll GET /v1/points-payments/{paymentId} or wait for the webhook.
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import {
  authorizationSecondsDefault,
  authorizePayment,
  capturePayment,
  type PaymentOperationStarter,
  type PaymentReply,
  readPayment,
  refundPayment,
  voidPayment,
} from '../../services/points-payments.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { requireClaim } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import {
  AuthorizePaymentBody,
  amountOf,
  CapturePaymentBody,
  PaymentPath,
  PaymentSchema,
  paymentView,
  RefundPaymentBody,
} from '../schemas/points-payments.ts';

const tags = ['Points payments'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const replies = {
  201: json(PaymentSchema, "The payment, with the operation's outcome in `operation`"),
  202: json(PaymentSchema, 'The payment, its operation still running'),
  ...problemResponses(400, 401, 403, 404, 409, 422),
};
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const authorizeRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/points-payments',
  tags,
  summary: "Authorize part of an order in a member's points (merchant)",
  description:
    "Reserves the member's points at their programme, priced by your accepted cash agreement with the programme's owner, and answers with their money value. The member's link there must carry the `redemptions` consent. The authorization holds for expiresInSeconds; past it, it is voided and the points released. Refused `payment_too_small` when the points are worth no money (rounded), and `exposure_cap_exceeded` when their money would take the programme's owner past its exposure cap.",
  request: { headers: IdempotencyHeaders, body: body(AuthorizePaymentBody) },
  responses: replies,
});

const captureRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/points-payments/{paymentId}/captures',
  tags,
  summary: 'Capture an authorized payment, wholly or in part, once (merchant)',
  description:
    "Takes the points captured from the member and records that the programme's owner owes you their money value (obligation `points_payment`). What is not captured goes back to the member. A part capture worth no money (rounded) is refused `payment_too_small`.",
  request: { headers: IdempotencyHeaders, params: PaymentPath, body: body(CapturePaymentBody) },
  responses: replies,
});

const voidRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/points-payments/{paymentId}/void',
  tags,
  summary: 'Void an authorized payment: the order was cancelled (merchant)',
  request: { headers: IdempotencyHeaders, params: PaymentPath },
  responses: replies,
});

const refundRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/points-payments/{paymentId}/refunds',
  tags,
  summary: 'Refund a captured payment, wholly or in part (merchant)',
  description:
    "Credits the points back to the member and records that you owe the programme's owner their money value (obligation `points_payment_refund`). Refunds never add up past the capture, even when sent at once. A part refund worth no money (rounded) is refused `payment_too_small`; the refund of the rest gives back whatever money is left, even none.",
  request: { headers: IdempotencyHeaders, params: PaymentPath, body: body(RefundPaymentBody) },
  responses: replies,
});

const readRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/points-payments/{paymentId}',
  tags,
  summary: "A points payment, to its merchant or to the programme's owner",
  request: { params: PaymentPath },
  responses: { 200: json(PaymentSchema, 'The payment'), ...problemResponses(401, 404) },
});

export interface PointsPaymentRouteOptions {
  startOperation: PaymentOperationStarter;
  reservationGraceMs: number;
}

export function registerPointsPaymentRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  options: PointsPaymentRouteOptions,
): void {
  const reply = (result: PaymentReply) => [paymentView(result), result.finished ? 201 : 202] as const;

  app.openapi(authorizeRoute, async (c) => {
    const request = c.req.valid('json');
    const amount = amountOf(request);
    if (!amount) throw new Error('the body schema lets no amount through');
    const result = await authorizePayment(
      { ...context, ...options, logger: c.var.logger },
      {
        merchantId: callerPartnerId(c.var.principal),
        memberId: request.memberId,
        programId: request.programId,
        amount,
        orderReference: request.orderReference,
        expiresInSeconds: request.expiresInSeconds ?? authorizationSecondsDefault,
        idempotency: requireClaim(c),
        now: new Date(),
      },
    );
    return c.json(...reply(result));
  });

  app.openapi(captureRoute, async (c) => {
    const result = await capturePayment(
      { ...context, ...options, logger: c.var.logger },
      {
        merchantId: callerPartnerId(c.var.principal),
        paymentId: c.req.valid('param').paymentId,
        amount: amountOf(c.req.valid('json')),
        idempotency: requireClaim(c),
        now: new Date(),
      },
    );
    return c.json(...reply(result));
  });

  app.openapi(voidRoute, async (c) => {
    const result = await voidPayment(
      { ...context, ...options, logger: c.var.logger },
      {
        merchantId: callerPartnerId(c.var.principal),
        paymentId: c.req.valid('param').paymentId,
        idempotency: requireClaim(c),
        now: new Date(),
      },
    );
    return c.json(...reply(result));
  });

  app.openapi(refundRoute, async (c) => {
    const result = await refundPayment(
      { ...context, ...options, logger: c.var.logger },
      {
        merchantId: callerPartnerId(c.var.principal),
        paymentId: c.req.valid('param').paymentId,
        amount: amountOf(c.req.valid('json')),
        idempotency: requireClaim(c),
      },
    );
    return c.json(...reply(result));
  });

  app.openapi(readRoute, async (c) => {
    const view = await readPayment(context, callerPartnerId(c.var.principal), c.req.valid('param').paymentId);
    return c.json(paymentView(view), 200);
  });
}
