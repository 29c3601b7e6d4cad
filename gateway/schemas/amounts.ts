// Amounts travel as decimal strings: points and money are integers that a JSON number could round.
import { z } from '@hono/zod-openapi';
import { int8Max } from '../../domain/arithmetic.ts';
import type { IdPrefix } from '../../store/ids.ts';
import { id } from './ids.ts';

// Up to what a bigint column holds, as the partner contract allows: one limit on both sides.
const atMostInt8 = `at most ${int8Max}`;

export const PositiveIntegerString = z
  .string()
  .regex(/^[1-9]\d{0,18}$/, 'a whole number above zero, as a string of digits')
  .transform((value) => BigInt(value))
  .refine((value) => value <= int8Max, atMostInt8)
  .openapi({ example: '1000', description: `A whole number above zero, ${atMostInt8}.` });

export const NonNegativeIntegerString = z
  .string()
  .regex(/^(0|[1-9]\d{0,18})$/, 'a whole number, as a string of digits')
  .transform((value) => BigInt(value))
  .refine((value) => value <= int8Max, atMostInt8)
  .openapi({ example: '0', description: `A whole number, ${atMostInt8}.` });

export const AmountOut = z.string().openapi({ example: '700', description: 'A whole number, as a string.' });

/** PostgreSQL's `integer`: a number stored in one (an agreement's version) must fit it. */
export const int4Max = 2_147_483_647;

/** A positive whole number in a path, as plain decimal digits, that fits an `integer` column. */
export function positiveInt4Param(name: string) {
  return z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'a whole number above zero, in decimal digits')
    .transform(Number)
    .refine((value) => value <= int4Max, `at most ${int4Max}`)
    .openapi({ param: { name, in: 'path' }, example: '1' });
}

/** Page sizes as plain decimal digits, 1 to 100: `1e2`, ` 5` or `0x10` are refused, not coerced. */
const pageLimitPattern = /^(100|[1-9][0-9]?)$/;
const pageLimitDefault = 20;

/**
 * The query of a cursor-paginated list whose items have ids of `prefix`: the cursor is the id of
 * the last item of the previous page, so anything else cannot be one.
 */
export function pageQuery(prefix: IdPrefix) {
  return z.object({
    limit: z
      .string()
      .regex(pageLimitPattern, 'a whole number from 1 to 100, in decimal digits')
      .optional()
      .transform((value) => (value === undefined ? pageLimitDefault : Number(value)))
      .openapi({
        param: { name: 'limit', in: 'query' },
        description: `Items per page, 1 to 100 (${pageLimitDefault} when absent).`,
        example: String(pageLimitDefault),
      }),
    cursor: id(prefix)
      .optional()
      .openapi({ param: { name: 'cursor', in: 'query' }, description: 'nextCursor from the previous page.' }),
  });
}

export function page<T extends { id: string }>(items: T[], limit: number) {
  return { items, nextCursor: items.length === limit ? (items.at(-1)?.id ?? null) : null };
}

/** The reply of a cursor-paginated list: a page of items and the cursor of the next page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
