// Accruals: a merchant reports a member's purchase and the member earns points at another brand's
// programme; the merchant refunds it, wholly or in part. As for transfers, a write's reply carries
// the outcome when it is known within a short wait (201), otherwise the current state (202).
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import { requestAccrualReversal } from '../../services/accrual-reversals.ts';
import { type AccrualStarter, readAccrual, requestAccrual } from '../../services/accruals.ts';
import type { ServiceContext } from '../../services/context.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { requireClaim } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import {
  AccrualBody,
  AccrualPath,
  AccrualReversalSchema,
  AccrualSchema,
  accrualReversalView,
  accrualView,
  RefundBody,
} from '../schemas/accruals.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';

const tags = ['Accruals'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const accrueRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/accruals',
  tags,
  summary: "Report a member's purchase: the member earns points at another brand's programme (merchant)",
  description:
    "The points follow the earn agreement in force between you and the programme (rate and the member's tier bonus, rounded down); they are credited at the programme, and you owe its owner the agreed price for them in the next settlement cycle (an obligation of kind `accrual`). One accrual per orderReference: the same purchase sent again under another key answers with the first accrual. 201: the outcome is in the reply; 202: still running, poll GET /v1/accruals/{accrualId} or wait for the accrual.completed webhook.",
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: AccrualBody } } },
  },
  responses: {
    201: json(AccrualSchema, 'The accrual, with its outcome'),
    202: json(AccrualSchema, 'The accrual, still running'),
    ...problemResponses(400, 401, 403, 409, 422),
  },
});

const readRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/accruals/{accrualId}',
  tags,
  summary: 'An accrual with its refunds and timeline (the merchant or the programme owner)',
  request: { params: AccrualPath },
  responses: { 200: json(AccrualSchema, 'The accrual'), ...problemResponses(401, 404) },
});

const refundRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/accruals/{accrualId}/reversals',
  tags,
  summary: 'Refund an accrued purchase, wholly or in part: its points are taken back (merchant)',
  description:
    'Takes back the refunded share of the points (as many as the member still has, up to that share) and records the opposite obligation (kind `accrual_reversal`) for the points taken back. Points the member already spent are a shortfall you bear: you keep paying for them. Refunds never add up past the purchase, even when sent at once. 201: the outcome is in the reply; 202: still running, poll GET /v1/accruals/{accrualId} or wait for the accrual.reversed webhook.',
  request: {
    headers: IdempotencyHeaders,
    params: AccrualPath,
    body: { required: true, content: { 'application/json': { schema: RefundBody } } },
  },
  responses: {
    201: json(AccrualReversalSchema, 'The refund, with its outcome'),
    202: json(AccrualReversalSchema, 'The refund, still running'),
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
});

export function registerAccrualRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  starters: { startAccrual: AccrualStarter; startAccrualReversal: AccrualStarter },
): void {
  app.openapi(accrueRoute, async (c) => {
    const body = c.req.valid('json');
    const { accrual, finished } = await requestAccrual(
      { ...context, startAccrual: starters.startAccrual, logger: c.var.logger },
      {
        merchantPartnerId: callerPartnerId(c.var.principal),
        memberId: body.memberId,
        programId: body.programId,
        purchaseAmountMinor: body.purchase.amountMinor,
        purchaseCurrency: body.purchase.currency,
        orderReference: body.orderReference,
        now: new Date(),
        idempotency: requireClaim(c),
      },
    );
    return c.json(accrualView(accrual), finished ? 201 : 202);
  });

  app.openapi(readRoute, async (c) => {
    const { accrual, reversals, steps } = await readAccrual(
      context,
      callerPartnerId(c.var.principal),
      c.req.valid('param').accrualId,
    );
    return c.json(accrualView(accrual, reversals, steps), 200);
  });

  app.openapi(refundRoute, async (c) => {
    const body = c.req.valid('json');
    const { reversal, finished } = await requestAccrualReversal(
      { ...context, startAccrualReversal: starters.startAccrualReversal, logger: c.var.logger },
      {
        merchantPartnerId: callerPartnerId(c.var.principal),
        accrualId: c.req.valid('param').accrualId,
        refundAmountMinor: body.refundAmountMinor ?? null,
        reason: body.reason,
        idempotency: requireClaim(c),
      },
    );
    return c.json(accrualReversalView(reversal), finished ? 201 : 202);
  });
}
