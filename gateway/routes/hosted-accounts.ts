// The hosted ledger, as its programme's owner sees it: credit points a member earned, read a balance.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import { creditMember, readMemberBalance } from '../../services/hosted-accounts.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { requireClaim } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { AmountOut, PositiveIntegerString } from '../schemas/amounts.ts';
import { IdempotencyHeaders, text } from '../schemas/common.ts';
import { idParam } from '../schemas/ids.ts';

const AccountPath = z.object({
  programId: idParam('prg', 'programId'),
  accountRef: text({ min: 1, max: 200 }).openapi({ param: { name: 'accountRef', in: 'path' } }),
});
const BalanceSchema = z
  .object({
    programId: z.string(),
    accountRef: z.string(),
    availablePoints: AmountOut,
    postedPoints: AmountOut,
    pendingDebitPoints: AmountOut,
    expiryProfile: z
      .array(
        z.object({
          points: AmountOut,
          expiresAt: z.string().nullable().openapi({ description: 'null: never expires' }),
        }),
      )
      .openapi({
        description:
          'What the available points are made of, by expiry, soonest first: they add up to availablePoints. Points held by a pending reservation are not in it.',
      }),
  })
  .openapi('HostedBalance');
const CreditBody = z
  .object({ points: PositiveIntegerString, reason: text({ min: 1, max: 500, trim: true }) })
  .openapi('HostedCredit');

const creditRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/programs/{programId}/accounts/{accountRef}/credits',
  tags: ['Hosted ledger'],
  summary: 'Credit points a member earned with you (hosted programmes only)',
  request: {
    params: AccountPath,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CreditBody } } },
  },
  responses: {
    201: {
      content: { 'application/json': { schema: BalanceSchema } },
      description: 'The balance after the credit',
    },
    ...problemResponses(400, 401, 403, 422),
  },
});

const balanceRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/programs/{programId}/accounts/{accountRef}',
  tags: ['Hosted ledger'],
  summary: "A member account's balance in a hosted programme",
  request: { params: AccountPath },
  responses: {
    200: { content: { 'application/json': { schema: BalanceSchema } }, description: 'The balance' },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerHostedAccountRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(creditRoute, async (c) => {
    const { programId, accountRef } = c.req.valid('param');
    const body = c.req.valid('json');
    const balance = await creditMember(context, {
      partnerId: callerPartnerId(c.var.principal),
      programId,
      accountRef,
      points: body.points,
      reason: body.reason,
      idempotency: requireClaim(c),
    });
    return c.json({ programId, ...stringify(balance) }, 201);
  });

  app.openapi(balanceRoute, async (c) => {
    const { programId, accountRef } = c.req.valid('param');
    const balance = await readMemberBalance(context, {
      partnerId: callerPartnerId(c.var.principal),
      programId,
      accountRef,
    });
    return c.json({ programId, ...stringify(balance) }, 200);
  });
}

function stringify(balance: {
  accountRef: string;
  availablePoints: bigint;
  postedPoints: bigint;
  pendingDebitPoints: bigint;
  expiryProfile: { points: bigint; expiresAt: Date | null }[];
}) {
  return {
    accountRef: balance.accountRef,
    availablePoints: String(balance.availablePoints),
    postedPoints: String(balance.postedPoints),
    pendingDebitPoints: String(balance.pendingDebitPoints),
    expiryProfile: balance.expiryProfile.map((portion) => ({
      points: String(portion.points),
      expiresAt: portion.expiresAt?.toISOString() ?? null,
    })),
  };
}
