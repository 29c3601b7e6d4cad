// A hosted programme's points expiry, as its owner sets it: the rule for the lots its credits make
// (never, N months after earning, the end of the Nth calendar year) and how many days ahead the
// partner is sent points.expiring reminders. A change applies to points earned after it.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ExpiryRule } from '../../domain/point-lots.ts';
import { type ServiceContext, within } from '../../services/context.ts';
import { readPointsExpiry, setPointsExpiry } from '../../services/points-expiry.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import { idParam } from '../schemas/ids.ts';

const ProgramPath = z.object({ programId: idParam('prg', 'programId') });

const ExpiryRuleSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('never') }).strict(),
    z
      .object({ kind: z.literal('months_after_earning'), months: z.number().int().min(1).max(1_200) })
      .strict(),
    z.object({ kind: z.literal('end_of_calendar_year'), years: z.number().int().min(1).max(100) }).strict(),
  ])
  .openapi('PointsExpiryRule', {
    description:
      'never; months_after_earning: N calendar months after the credit (the month’s last day when it has no such day); end_of_calendar_year: at 00:00 UTC on 1 January after the Nth calendar year, the year of the credit counting as the first.',
  });

const PointsExpirySchema = z
  .object({
    programId: z.string(),
    rule: ExpiryRuleSchema,
    reminderDaysAhead: z.array(z.number().int()).openapi({
      description:
        'Days before points expire that a points.expiring webhook goes out, largest first; each is sent once per member account and day of expiry.',
    }),
  })
  .openapi('PointsExpiry');

const SetPointsExpiryBody = z
  .object({
    rule: ExpiryRuleSchema,
    reminderDaysAhead: z.array(z.number().int().min(1).max(3_650)).max(10).default([]),
  })
  .strict()
  .openapi('SetPointsExpiry');

const readRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/programs/{programId}/points-expiry',
  tags: ['Hosted ledger'],
  summary: "Your hosted programme's points expiry rule and reminder days",
  request: { params: ProgramPath },
  responses: {
    200: { content: { 'application/json': { schema: PointsExpirySchema } }, description: 'The settings' },
    ...problemResponses(401, 403, 404, 422),
  },
});

const setRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/programs/{programId}/points-expiry',
  tags: ['Hosted ledger'],
  summary: "Set your hosted programme's points expiry rule and reminder days (points earned from now on)",
  request: {
    params: ProgramPath,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: SetPointsExpiryBody } } },
  },
  responses: {
    200: { content: { 'application/json': { schema: PointsExpirySchema } }, description: 'The settings now' },
    ...problemResponses(400, 401, 403, 404, 422),
  },
});

function view(settings: { programId: string; rule: ExpiryRule; reminderDaysAhead: number[] }) {
  return {
    programId: settings.programId,
    rule: settings.rule,
    reminderDaysAhead: settings.reminderDaysAhead,
  };
}

export function registerPointsExpiryRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(readRoute, async (c) => {
    const settings = await readPointsExpiry(context, {
      partnerId: callerPartnerId(c.var.principal),
      programId: c.req.valid('param').programId,
    });
    return c.json(view(settings), 200);
  });

  app.openapi(setRoute, async (c) => {
    const body = c.req.valid('json');
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const settings = await setPointsExpiry(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        programId: c.req.valid('param').programId,
        rule: body.rule,
        reminderDaysAhead: body.reminderDaysAhead,
      });
      return { status: 200 as const, body: view(settings) };
    });
    return c.json(reply.body, reply.status);
  });
}
