// Amounts travel as decimal strings: points and money are integers that a JSON number could round.
import { z } from '@hono/zod-openapi';

export const PositiveIntegerString = z
  .string()
  .regex(/^[1-9]\d{0,17}$/, 'a whole number above zero, as a string of digits')
  .transform((value) => BigInt(value))
  .openapi({ type: 'string', example: '1000' });

export const NonNegativeIntegerString = z
  .string()
  .regex(/^(0|[1-9]\d{0,17})$/, 'a whole number, as a string of digits')
  .transform((value) => BigInt(value))
  .openapi({ type: 'string', example: '0' });

export const AmountOut = z.string().openapi({ example: '700', description: 'A whole number, as a string.' });

export const Cursor = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' } }),
  cursor: z
    .string()
    .max(100)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'nextCursor from the previous page.' }),
});

export function page<T extends { id: string }>(items: T[], limit: number) {
  return { items, nextCursor: items.length === limit ? (items.at(-1)?.id ?? null) : null };
}

/** The reply of a cursor-paginated list: a page of items and the cursor of the next page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
