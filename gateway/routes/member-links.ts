// Member links: a partner links its account to an alliance member, with consent, and can revoke it.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { type ServiceContext, within } from '../../services/context.ts';
import { linkMember, listLinks, revokeLink } from '../../services/member-links.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import { idParam } from '../schemas/ids.ts';
import { CreateLinkBody, LinkSchema, linkView, RevokeLinkBody } from '../schemas/members.ts';

const tags = ['Members'];
const linkReply = (description: string) => ({
  content: { 'application/json': { schema: LinkSchema } },
  description,
});

const createLinkRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/member-links',
  tags,
  summary: 'Link your account to an alliance member (enrolling the member when memberId is null)',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CreateLinkBody } } },
  },
  responses: {
    201: linkReply('The link; transfers out are limited until coolingOffUntil'),
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
});

const revokeLinkRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/member-links/{linkId}/revoke',
  tags,
  summary: 'Revoke a link (the member withdrew consent, or the account closed)',
  request: {
    params: z.object({ linkId: idParam('lnk', 'linkId') }),
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: RevokeLinkBody } } },
  },
  responses: { 200: linkReply('The revoked link'), ...problemResponses(400, 401, 403, 404) },
});

const listLinksRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/members/{memberId}/links',
  tags,
  summary: "A member's links to your programmes",
  request: {
    params: z.object({ memberId: idParam('mbr', 'memberId') }),
  },
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ items: z.array(LinkSchema) }) } },
      description: 'Your links',
    },
    ...problemResponses(400, 401),
  },
});

export function registerMemberLinkRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  coolingOffHours: number,
): void {
  app.openapi(createLinkRoute, async (c) => {
    const body = c.req.valid('json');
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const link = await linkMember(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        memberId: body.memberId ?? null,
        programId: body.programId,
        accountRef: body.accountRef,
        tier: body.tier ?? null,
        consent: {
          grantedAt: new Date(body.consent.grantedAt),
          scopes: body.consent.scopes,
          reference: body.consent.reference,
        },
        coolingOffHours,
        now: new Date(),
      });
      return { status: 201 as const, body: linkView(link) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(revokeLinkRoute, async (c) => {
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const link = await revokeLink(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        linkId: c.req.valid('param').linkId,
        reason: c.req.valid('json').reason,
        now: new Date(),
      });
      return { status: 200 as const, body: linkView(link) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(listLinksRoute, async (c) => {
    const links = await listLinks(context, callerPartnerId(c.var.principal), c.req.valid('param').memberId);
    return c.json({ items: links.map(linkView) }, 200);
  });
}
