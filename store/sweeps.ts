// The stranded-transfer sweep's queries: transfers left in a middle state, and the record of what
// the sweep did about each, which finance reads.
import type { Kysely } from 'kysely';
import type { Database, SweepAction, SweepActionKind, TransferStatus } from './database.ts';
import { newId } from './ids.ts';

/** The states a transfer passes through on its way to an end; one left in them too long is stuck. */
export const middleStatuses = [
  'pending',
  'reserved',
  'credited',
] as const satisfies readonly TransferStatus[];

export type MiddleStatus = (typeof middleStatuses)[number];

/**
 * Transfers in a middle state untouched since `untouchedSince`: never started (a crash, Temporal
 * unreachable), or whose workflow stopped, or is still at it. Paged by id.
 */
export async function listStuckTransfers(
  db: Kysely<Database>,
  input: { untouchedSince: Date; afterId: string | null; limit: number },
): Promise<{ id: string; status: MiddleStatus }[]> {
  let query = db
    .selectFrom('transfers')
    .select(['id', 'status'])
    .where('status', 'in', [...middleStatuses])
    .where('updated_at', '<', input.untouchedSince)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  return (await query.execute()) as { id: string; status: MiddleStatus }[];
}

export interface NewSweepAction {
  subjectKind: 'transfer' | 'reversal';
  subjectId: string;
  transferId: string;
  action: SweepActionKind;
  workflowId: string;
  subjectStatus: string;
  workflowStatus: string;
  detail: string | null;
}

/** Actions that change what happens to a transfer go on its timeline too; finding it running does not. */
const onTimeline: ReadonlySet<SweepActionKind> = new Set(['started_workflow', 'started_recovery', 'gave_up']);

/**
 * Records an action once per workflow (a repeat, from a retried or overlapping sweep, is a no-op),
 * with the `swept` step on a transfer's timeline in the same transaction. True when it is new.
 */
export async function recordSweepAction(db: Kysely<Database>, input: NewSweepAction): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('sweep_actions')
      .values({
        id: newId('swp'),
        subject_kind: input.subjectKind,
        subject_id: input.subjectId,
        transfer_id: input.transferId,
        action: input.action,
        workflow_id: input.workflowId,
        subject_status: input.subjectStatus,
        workflow_status: input.workflowStatus,
        detail: input.detail,
      })
      .onConflict((conflict) => conflict.columns(['workflow_id', 'action']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted && input.subjectKind === 'transfer' && onTimeline.has(input.action)) {
      await trx
        .insertInto('transfer_steps')
        .values({
          transfer_id: input.transferId,
          step: 'swept',
          outcome: input.action,
          detail: `${input.workflowId} (found ${input.subjectStatus}, its workflow ${input.workflowStatus})`,
        })
        .onConflict((conflict) => conflict.columns(['transfer_id', 'step', 'outcome']).doNothing())
        .execute();
    }
    return inserted !== undefined;
  });
}

/** What the sweep did, newest first, after the cursor; of one transfer when transferId is given. */
export async function listSweepActions(
  db: Kysely<Database>,
  input: { transferId: string | null; cursor: string | null; limit: number },
): Promise<SweepAction[]> {
  let query = db.selectFrom('sweep_actions').selectAll().orderBy('id', 'desc').limit(input.limit);
  if (input.transferId) query = query.where('transfer_id', '=', input.transferId);
  if (input.cursor) query = query.where('id', '<', input.cursor);
  return query.execute();
}
