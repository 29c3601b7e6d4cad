// Coupons at the publisher's till: validate a code, then redeem it once. A retry of the same redeem
// (same Idempotency-Key) gets the first answer; another redeem of the code is a clear problem.
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import { type ServiceContext, within } from '../../services/context.ts';
import { redeemCoupon, validateCoupon } from '../../services/coupons.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { CouponCodeBody, CouponSchema, CouponVerdictSchema, couponView } from '../schemas/catalog.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';

const tags = ['Coupons at the till'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const validateRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/coupons/validations',
  tags,
  summary: 'Is this code one of your coupons, valid, unused and not expired?',
  description:
    'Changes nothing. A code shaped like a gateway code whose check character fails answers malformed (a typo) before any lookup.',
  request: { headers: IdempotencyHeaders, body: body(CouponCodeBody) },
  responses: { 200: json(CouponVerdictSchema, 'The verdict'), ...problemResponses(400, 401) },
});

const redeemRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/coupons/redemptions',
  tags,
  summary: 'Redeem one of your coupons at the till, once',
  request: { headers: IdempotencyHeaders, body: body(CouponCodeBody) },
  responses: { 200: json(CouponSchema, 'The coupon, redeemed'), ...problemResponses(400, 401, 404, 409) },
});

export function registerCouponRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(validateRoute, async (c) => {
    const verdict = await validateCoupon(context, {
      publisherId: callerPartnerId(c.var.principal),
      code: c.req.valid('json').code,
      now: new Date(),
    });
    return c.json(
      {
        valid: verdict.valid,
        reason: verdict.valid ? null : verdict.reason,
        coupon: verdict.coupon ? couponView(verdict.coupon) : null,
      },
      200,
    );
  });

  app.openapi(redeemRoute, async (c) => {
    const publisherId = callerPartnerId(c.var.principal);
    const code = c.req.valid('json').code;
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const coupon = await redeemCoupon(within(context, trx), { publisherId, code, now: new Date() });
      return { status: 200 as const, body: couponView(coupon) };
    });
    return c.json(reply.body, reply.status);
  });
}
