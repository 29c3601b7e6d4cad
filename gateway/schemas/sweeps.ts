// The stranded-transfer sweep's actions as finance reads them.
import { z } from '@hono/zod-openapi';
import type { SweepAction } from '../../store/database.ts';
import { pageQuery } from './amounts.ts';
import { id } from './ids.ts';

export const SweepActionSchema = z
  .object({
    id: z.string(),
    subject: z.object({
      kind: z.enum(['transfer', 'reversal']),
      id: z.string(),
      status: z.string().openapi({ description: 'Its status when the sweep found it.' }),
    }),
    transferId: z.string().openapi({ description: 'The transfer, or the transfer a reversal undoes.' }),
    action: z.enum(['started_workflow', 'started_recovery', 'left_running', 'gave_up']).openapi({
      description:
        'started_workflow: it had none; started_recovery: its workflow had stopped with it in the middle, so a recovery run asks the partners and completes or compensates it; left_running: its workflow is at work (recorded once); gave_up: every recovery run stopped, and it needs a person.',
    }),
    workflowId: z.string(),
    workflowStatus: z.string().openapi({
      description:
        'What Temporal said of the workflow under its own id: not_found, running, completed, failed, terminated, timed_out, cancelled.',
    }),
    detail: z.string().nullable(),
    at: z.string(),
  })
  .openapi('SweepAction');

export const SweepsQuery = pageQuery('swp').extend({
  transferId: id('trf')
    .optional()
    .openapi({
      param: { name: 'transferId', in: 'query' },
      description: 'Only the actions about this transfer.',
    }),
});

export function sweepActionView(action: SweepAction): z.infer<typeof SweepActionSchema> {
  return {
    id: action.id,
    subject: { kind: action.subject_kind, id: action.subject_id, status: action.subject_status },
    transferId: action.transfer_id,
    action: action.action,
    workflowId: action.workflow_id,
    workflowStatus: action.workflow_status,
    detail: action.detail,
    at: action.at.toISOString(),
  };
}
