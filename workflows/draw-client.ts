// Client side of a draw's close: its workflow under `<itemId>:draw`, started when the draw is
// published and, should that start have failed, by the worker's sweep of open draws (a Schedule).
import type { Client } from '@temporalio/client';
import { drawWorkflow } from './draw.workflow.ts';
import { startOnce } from './start-once.ts';

export interface DrawStarterOptions {
  client: Client;
  taskQueue: string;
  webhookTotalMs: number;
}

export const drawWorkflowId = (itemId: string) => `${itemId}:draw`;

/** True when this call started it; false when it runs or closed the draw already. */
export async function startDrawClosing(options: DrawStarterOptions, itemId: string): Promise<boolean> {
  return startOnce(options.client, drawWorkflow, {
    workflowId: drawWorkflowId(itemId),
    taskQueue: options.taskQueue,
    args: [{ itemId, webhookTotalMs: options.webhookTotalMs }],
    // A run that was terminated or failed may be started again; one that closed the draw may not.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
}
