// Campaigns: a partner schedules a bonus on transfers into its programme, ends one early, caps how
// far campaigns stack, and reads them. Quotes show which campaigns applied (their modifiers).
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  endProgramCampaign,
  readProgramCampaigns,
  scheduleCampaign,
  setProgramCampaignCap,
} from '../../services/campaigns.ts';
import { type ServiceContext, within } from '../../services/context.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import {
  CampaignCapSchema,
  CampaignSchema,
  CreateCampaignBody,
  campaignView,
  capView,
  ProgramCampaignsSchema,
  SetCampaignCapBody,
} from '../schemas/campaigns.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import { idParam } from '../schemas/ids.ts';

const tags = ['Campaigns'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const ProgramPath = z.object({ programId: idParam('prg', 'programId') });
const CampaignPath = z.object({ campaignId: idParam('cmp', 'campaignId') });

const scheduleRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/campaigns',
  tags,
  summary:
    'Schedule a bonus on transfers into your programme (refused if it would open a rate-arbitrage cycle)',
  description:
    'The bonus multiplies the credit of every transfer into the programme while it runs (or only those from sourceProgramId, or only for a tier). Campaigns stack with each other and with the agreement’s own campaign up to the programme’s cap. Your programme pays for it: the source partner settles the credit the agreement gives.',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CreateCampaignBody } } },
  },
  responses: { 201: json(CampaignSchema, 'The campaign'), ...problemResponses(400, 401, 403, 422) },
});

const endRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/campaigns/{campaignId}/end',
  tags,
  summary: 'End a campaign now; quotes made before keep it',
  request: { params: CampaignPath, headers: IdempotencyHeaders },
  responses: { 200: json(CampaignSchema, 'The campaign'), ...problemResponses(400, 401, 404) },
});

const listRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/programs/{programId}/campaigns',
  tags,
  summary: "Your programme's stacking cap and its campaigns, newest first (the last 100)",
  request: { params: ProgramPath },
  responses: {
    200: json(ProgramCampaignsSchema, 'The cap and the campaigns'),
    ...problemResponses(401, 403, 422),
  },
});

const capRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/programs/{programId}/campaign-cap',
  tags,
  summary:
    'Set how far campaigns may stack on transfers into your programme (a higher cap is checked for arbitrage)',
  request: {
    params: ProgramPath,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: SetCampaignCapBody } } },
  },
  responses: { 200: json(CampaignCapSchema, 'The cap'), ...problemResponses(400, 401, 403, 422) },
});

export function registerCampaignRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(scheduleRoute, async (c) => {
    const body = c.req.valid('json');
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const campaign = await scheduleCampaign(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        campaign: {
          programId: body.programId,
          name: body.name,
          appliesTo: body.appliesTo,
          sourceProgramId: body.sourceProgramId,
          tier: body.tier,
          multiplier: { numerator: body.multiplierNumerator, denominator: body.multiplierDenominator },
          startsAt: new Date(body.startsAt),
          endsAt: new Date(body.endsAt),
        },
        now: new Date(),
      });
      return { status: 201 as const, body: campaignView(campaign) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(endRoute, async (c) => {
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const campaign = await endProgramCampaign(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        campaignId: c.req.valid('param').campaignId,
        now: new Date(),
      });
      return { status: 200 as const, body: campaignView(campaign) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(listRoute, async (c) => {
    const { cap, campaigns } = await readProgramCampaigns(context, {
      partnerId: callerPartnerId(c.var.principal),
      programId: c.req.valid('param').programId,
    });
    return c.json({ cap: capView(cap), campaigns: campaigns.map(campaignView) }, 200);
  });

  app.openapi(capRoute, async (c) => {
    const body = c.req.valid('json');
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const cap = await setProgramCampaignCap(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        programId: c.req.valid('param').programId,
        cap: { numerator: body.capNumerator, denominator: body.capDenominator },
        now: new Date(),
      });
      return { status: 200 as const, body: capView(cap) };
    });
    return c.json(reply.body, reply.status);
  });
}
