// A draw's published data, as anyone reads it and `npm run verify-draw` checks it.
import { z } from '@hono/zod-openapi';
import type { DrawResult } from '../../services/draws.ts';
import { idParam } from './ids.ts';

export const DrawPath = z.object({ itemId: idParam('itm', 'itemId') });

const Hex256 = z.string().regex(/^[0-9a-f]{64}$/);

export const DrawResultSchema = z
  .object({
    scheme: z.string().openapi({ description: 'The recomputation this data follows (docs/draws.md).' }),
    itemId: z.string(),
    status: z.enum(['open', 'closed']),
    closesAt: z.string(),
    closedAt: z.string().nullable(),
    winnersWanted: z.number().int(),
    prize: z.object({ description: z.string(), couponItemId: z.string().nullable() }),
    consolationCouponItemId: z.string().nullable(),
    commitment: Hex256.openapi({
      description: 'SHA-256 of the seed, published with the item before any entry.',
    }),
    seed: Hex256.nullable().openapi({ description: 'The 32-byte secret seed, revealed at the close.' }),
    entries: z
      .array(z.string())
      .nullable()
      .openapi({ description: 'Every entry (its order id), ascending: the list frozen at the close.' }),
    entriesHash: Hex256.nullable(),
    winners: z.array(z.string()).nullable().openapi({ description: 'Winning entries in the order drawn.' }),
  })
  .openapi('DrawResult');

export function drawResultView(result: DrawResult): z.infer<typeof DrawResultSchema> {
  const { draw, item } = result;
  return {
    scheme: String((item.version.details as { scheme?: string }).scheme ?? ''),
    itemId: draw.item_id,
    status: draw.status,
    closesAt: draw.closes_at.toISOString(),
    closedAt: draw.closed_at?.toISOString() ?? null,
    winnersWanted: draw.winners,
    prize: { description: draw.prize_description, couponItemId: draw.prize_item_id },
    consolationCouponItemId: draw.consolation_item_id,
    commitment: draw.commitment,
    seed: draw.status === 'closed' ? draw.seed : null,
    entries: result.entries,
    entriesHash: draw.entries_hash,
    winners: result.winners,
  };
}
