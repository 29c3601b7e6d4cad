// Quotes: the figures of a transfer, locked for a short time.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ServiceContext } from '../../services/context.ts';
import {
  type QuotePolicy,
  quoteContextWithClaim,
  type ReadByClaim,
  requestQuote,
} from '../../services/quotes.ts';
import type { StoredAnswer } from '../../store/idempotency.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyAnsweredByAnotherRun, replyStoredWithEffect, storedWithEffect } from '../idempotency.ts';
import { validBodyOf } from '../json-bodies.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import { CreateQuoteBody, QuoteSchema, quoteView } from '../schemas/transfers.ts';

/** The context each quote request's claim read, for its handler. */
const claims = new WeakMap<Context<GatewayEnv>, ReturnType<typeof quoteContextWithClaim>>();

/** For a body the route's validation will pass, a claim that reads the quote's context too. */
function contextWithClaim(c: Context<GatewayEnv>, raw: Uint8Array) {
  const body = validBodyOf(raw, CreateQuoteBody);
  if (!body) return undefined;
  const { memberId, sourceProgramId, targetProgramId } = body;
  const claim = quoteContextWithClaim({ memberId, sourceProgramId, targetProgramId, now: new Date() });
  claims.set(c, claim);
  return claim.claim;
}

/** What the claim read, if it read it for the same member and programmes as the validated body. */
function readByClaim(
  c: Context<GatewayEnv>,
  body: { memberId: string; sourceProgramId: string; targetProgramId: string },
): ReadByClaim | undefined {
  const read = claims.get(c)?.read();
  const same =
    read?.input.memberId === body.memberId &&
    read.input.sourceProgramId === body.sourceProgramId &&
    read.input.targetProgramId === body.targetProgramId;
  return same ? read : undefined;
}

// A quote request lost in a database crash is harmless if answered again (docs/architecture.md), so
// its key claim and jti commit without waiting for the disk, as the quote and its reply do.
const createQuoteRoute = signedRoute(
  'partner',
  {
    method: 'post',
    path: '/v1/quotes',
    tags: ['Transfers'],
    summary: 'Quote a transfer: debit, credit, fees, settlement, and the modifiers applied',
    request: {
      headers: IdempotencyHeaders,
      body: { required: true, content: { 'application/json': { schema: CreateQuoteBody } } },
    },
    responses: {
      201: {
        content: { 'application/json': { schema: QuoteSchema } },
        description: 'The quote, valid until expiresAt',
      },
      ...problemResponses(400, 401, 403, 422),
    },
  },
  { asyncCommit: true, claimWith: contextWithClaim },
);

export function registerQuoteRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  policy: QuotePolicy,
): void {
  app.openapi(createQuoteRoute, async (c) => {
    const body = c.req.valid('json');
    const read = readByClaim(c, body);
    let stored: StoredAnswer | undefined;
    const { quote, stored: written } = await requestQuote(
      context,
      policy,
      {
        partnerId: callerPartnerId(c.get('principal')),
        memberId: body.memberId,
        sourceProgramId: body.sourceProgramId,
        targetProgramId: body.targetProgramId,
        amount:
          body.sourcePoints !== undefined
            ? { sourcePoints: body.sourcePoints }
            : { targetPoints: body.targetPoints ?? 0n },
        now: read?.input.now ?? new Date(),
      },
      (priced) => {
        stored = replyStoredWithEffect(c, 201, quoteView(priced));
        return stored;
      },
      read?.context,
    );
    if (!written) return (await replyAnsweredByAnotherRun(c, context.db)) as never;
    storedWithEffect(c);
    // The reply is the stored answer's very bytes, serialised once (a replay gives the same bytes).
    if (stored) return c.body(stored.body, 201, { 'Content-Type': 'application/json' }) as never;
    return c.json(quoteView(quote), 201);
  });
}
