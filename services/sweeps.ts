// What the stranded-transfer sweep did, as finance reads it: each workflow it started or found
// running for a transfer (or reversal) left in the middle, and each transfer it could not end.
import type { SweepAction } from '../store/database.ts';
import { listSweepActions } from '../store/sweeps.ts';
import type { ServiceContext } from './context.ts';

export function listSweeps(
  { db }: ServiceContext,
  input: { transferId: string | null; cursor: string | null; limit: number },
): Promise<SweepAction[]> {
  return listSweepActions(db, input);
}
