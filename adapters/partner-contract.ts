// The contract a partner's loyalty system implements for the gateway (openapi/partner.json is
// generated from the reference partner, which declares its routes with these shapes). Points are
// decimal strings, so no JSON number ever rounds them.
import { z } from '@hono/zod-openapi';
import { int8Max } from '../domain/arithmetic.ts';

export const Points = z
  .string()
  .regex(/^[1-9]\d{0,18}$/, 'a whole number of points above zero, as a string')
  .refine((value) => BigInt(value) <= int8Max, `at most ${int8Max}`)
  .openapi({ example: '1000', description: `A whole number of points above zero, at most ${int8Max}.` });

export const OperationKey = z.string().min(1).max(200).openapi({
  description: "The step's idempotency key, `<transferId>:<step>`; the same key never takes effect twice.",
});

export const ReserveBody = z
  .object({
    key: OperationKey,
    accountRef: z.string().min(1).max(200),
    points: Points,
    expiresAt: z.iso.datetime({ offset: true }),
    reason: z.string().max(500),
  })
  .openapi('ReserveRequest');

export const CreditBody = z
  .object({
    key: OperationKey,
    accountRef: z.string().min(1).max(200),
    points: Points,
    reason: z.string().max(500),
  })
  .openapi('CreditRequest');

export const ResolveBody = z.object({ key: OperationKey }).openapi('ResolveRequest');

export const ReverseBody = z
  .object({
    key: OperationKey,
    points: Points.openapi({
      description:
        "The most to take back. The partner takes what the member still has of it, never more than the credit's points not yet reversed.",
    }),
    reason: z.string().max(500),
  })
  .openapi('ReverseRequest', {
    description:
      'Takes back (part of) a credit. A credit may be reversed in parts, each under its own key. Answered with the points actually taken back; insufficient_points when the member has none of them left.',
  });

export const OperationResult = z
  .object({ key: z.string(), status: z.enum(['reserved', 'posted', 'voided', 'credited', 'reversed']) })
  .openapi('OperationResult');

export const ReverseResult = z
  .object({
    key: z.string(),
    status: z.literal('reversed'),
    reversedPoints: z
      .string()
      .regex(/^[1-9]\d{0,18}$/)
      .openapi({
        description: 'The points taken back: at most the points asked, fewer when the member spent the rest.',
      }),
  })
  .openapi('ReverseResult', { description: 'A repeat of the key answers with the same figure.' });

export const OperationState = z
  .object({ key: z.string(), state: z.enum(['succeeded', 'abandoned']) })
  .openapi('OperationState', {
    description:
      'succeeded: the operation took effect. abandoned: it did not, and since this question it never will; a request with this key arriving later is refused with operation_abandoned.',
  });

export const Refusal = z.object({ code: z.string(), detail: z.string() }).openapi('Refusal', {
  description:
    'A final answer: insufficient_points, account_unknown, reservation_expired, operation_abandoned, ...',
});

export const Balance = z
  .object({ accountRef: z.string(), availablePoints: z.string(), postedPoints: z.string() })
  .openapi('Balance');

export const TransactionsQuery = z.object({
  from: z.iso.datetime({ offset: true }).openapi({ param: { name: 'from', in: 'query' } }),
  to: z.iso.datetime({ offset: true }).openapi({ param: { name: 'to', in: 'query' } }),
});

export const Transactions = z
  .object({
    transactions: z.array(
      z.object({
        key: z.string(),
        operation: z.enum(['reserve', 'post', 'void', 'credit', 'reverse']),
        accountRef: z.string().nullable(),
        points: z.string(),
        status: z.string().openapi({
          description:
            'reserve: reserved, posted, voided or expired (as it stands now); credit: credited, or reversed once reversed in full; post: posted; void: voided; reverse: reversed.',
        }),
        at: z.string(),
      }),
    ),
  })
  .openapi('Transactions', {
    description: 'Operations that took effect in [from, to), oldest first, at most 5,000.',
  });
