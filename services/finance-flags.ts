// The finance-flag use case: finance lists what needs a person (open first) and resolves each with a
// reason, once. The API calls it; so will the console.
import { ProblemError } from '../domain/errors.ts';
import type { FinanceFlag } from '../store/database.ts';
import { listFinanceFlags, resolveFinanceFlag } from '../store/finance-flags.ts';
import type { ServiceContext } from './context.ts';

export const listFlags = (
  context: ServiceContext,
  input: {
    state: 'open' | 'resolved' | 'all';
    afterId: bigint | null;
    limit: number;
    newestFirst?: boolean;
  },
): Promise<FinanceFlag[]> => listFinanceFlags(context.db, input);

/** Resolves a flag; a flag resolved already keeps its first resolution (another reason is a conflict). */
export async function resolveFlag(
  context: ServiceContext,
  input: { flagId: bigint; reason: string; resolvedBy: string; now: Date },
): Promise<FinanceFlag> {
  const flag = await resolveFinanceFlag(context.db, { ...input, at: input.now });
  if (!flag) throw new ProblemError('not_found', `Finance flag ${input.flagId} does not exist.`);
  if (flag.resolution_reason !== input.reason) {
    throw new ProblemError(
      'flag_already_resolved',
      `Finance flag ${input.flagId} was resolved on ${flag.resolved_at?.toISOString()}: ${flag.resolution_reason}`,
    );
  }
  return flag;
}
