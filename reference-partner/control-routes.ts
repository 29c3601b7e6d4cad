// The reference partner's switches for tests and demos (under /_control, unsigned, loopback only):
// faults, report quirks, accounts opened with points. Not part of the partner contract, so not in
// partner.json.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { Points } from '../adapters/partner-contract.ts';
import type { FaultPlan } from './faults.ts';
import type { ReportQuirks } from './report-quirks.ts';
import type { PartnerBooks } from './store.ts';

const FaultBody = z.object({
  operation: z.enum([
    'reserve',
    'post',
    'void',
    'credit',
    'reverse',
    'outcome',
    'transactions',
    'webhook',
    'catalog',
  ]),
  mode: z.enum(['fail_before', 'fail_after', 'hang_after', 'latency', 'refuse']),
  count: z.number().int().min(1).max(1_000).default(1),
  delayMs: z.number().int().min(0).max(120_000).default(0),
  code: z.string().default('refused'),
});

/** Test and demo switches; not part of the partner contract, so not in partner.json. */
const QuirkBody = z.object({
  key: z.string().min(1).max(200),
  quirk: z.enum(['drop', 'change_amount', 'change_status', 'duplicate']),
});

export function registerControlRoutes(
  app: OpenAPIHono,
  books: PartnerBooks,
  faults: FaultPlan,
  reportQuirks: ReportQuirks,
): void {
  app.post('/_control/report-quirks', async (c) => {
    const parsed = QuirkBody.safeParse(await c.req.json());
    if (!parsed.success) return c.json({ code: 'validation_failed', detail: parsed.error.message }, 400);
    reportQuirks.set(parsed.data.key, parsed.data.quirk);
    return c.json({ quirks: reportQuirks.pending() }, 201);
  });
  app.delete('/_control/report-quirks', (c) => {
    reportQuirks.clear();
    return c.body(null, 204);
  });
  app.post('/_control/faults', async (c) => {
    const parsed = FaultBody.safeParse(await c.req.json());
    if (!parsed.success) return c.json({ code: 'validation_failed', detail: parsed.error.message }, 400);
    faults.add(parsed.data);
    return c.json({ faults: faults.pending() }, 201);
  });
  app.get('/_control/faults', (c) => c.json({ faults: faults.pending() }, 200));
  app.delete('/_control/faults', (c) => {
    faults.clear();
    return c.body(null, 204);
  });
  app.get('/_control/accounts/:accountRef', async (c) => {
    const balance = await books.balance(c.req.param('accountRef'));
    if (!balance) return c.json({ code: 'account_unknown', detail: c.req.param('accountRef') }, 404);
    return c.json(
      { availablePoints: String(balance.availablePoints), postedPoints: String(balance.postedPoints) },
      200,
    );
  });
  app.post('/_control/accounts', async (c) => {
    const parsed = z
      .object({
        accountRef: z.string().min(1),
        points: Points,
        expiresAt: z.iso.datetime().nullable().default(null),
      })
      .safeParse(await c.req.json());
    if (!parsed.success) return c.json({ code: 'validation_failed', detail: parsed.error.message }, 400);
    const { expiresAt } = parsed.data;
    await books.openAccount(
      parsed.data.accountRef,
      BigInt(parsed.data.points),
      expiresAt ? new Date(expiresAt) : null,
    );
    return c.json({ accountRef: parsed.data.accountRef }, 201);
  });
}
