// Conformance breakages: deliberately wrong behaviours of the reference partner, each one a mistake a
// partner's own system could make. They exist only to prove that the conformance command
// (partner-kit/conformance) catches that mistake by name; nothing else switches them on, and a
// reference partner started without one keeps every rule of the contract.
import type { Context, MiddlewareHandler } from 'hono';
import type { PartnerBooks } from './store.ts';

export const conformanceBreakages = [
  /** A repeat of a credit's key credits the member again instead of answering the first answer. */
  'applies_twice',
  /** A key never seen, asked about, is "not found" (404) and not fenced: a late call with it is applied. */
  'no_fencing',
  /** A call without an Authorization header is served as if the gateway had signed it. */
  'accepts_unsigned',
] as const;

export type ConformanceBreakage = (typeof conformanceBreakages)[number];

export interface Breakage {
  /** The books the routes use: the reference partner's own, or ones that apply a key twice. */
  books: PartnerBooks;
  /** Whether this request may skip the gateway's signature. */
  skipsSignature(c: Context): boolean;
  /** Runs before the routes: answers the outcome of an unknown key with 404 instead of fencing it. */
  outcomeOfUnknownKey: MiddlewareHandler;
}

export function createBreakage(books: PartnerBooks, brokenFor: ConformanceBreakage | undefined): Breakage {
  let repeats = 0;
  return {
    books:
      brokenFor === 'applies_twice'
        ? {
            ...books,
            // The key already has an answer: apply the credit again under a key of its own (the
            // books' unique key would otherwise refuse the second row), as a system that checks
            // no key would.
            credit: async (input) =>
              (await books.answer(input.key))?.outcome === 'done'
                ? books.credit({ ...input, key: `${input.key}#again-${++repeats}` })
                : books.credit(input),
          }
        : books,
    skipsSignature: (c) => brokenFor === 'accepts_unsigned' && c.req.header('authorization') === undefined,
    outcomeOfUnknownKey: async (c, next) => {
      if (brokenFor !== 'no_fencing') return next();
      const key = c.req.param('key') ?? '';
      if (!(await books.answer(key))) return c.json({ code: 'operation_unknown', detail: key }, 404);
      return next();
    },
  };
}
