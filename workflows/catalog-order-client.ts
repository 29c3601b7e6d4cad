// Client side of a catalog order: start its workflow under the order's id (a second start finds the
// first). The reply to the member does not wait for it: the order was decided when it was placed. A
// run that failed before it ended the order may run again under the same id (every step is keyed).
import type { Client } from '@temporalio/client';
import { catalogOrderWorkflow } from './catalog-order.workflow.ts';
import { startOnce } from './start-once.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';

export interface CatalogOrderStarterOptions {
  client: Client;
  taskQueue: string;
  timeouts: TransferTimeouts;
}

/** True when this call started it; false when it runs or completed already. */
export async function startCatalogOrder(
  options: CatalogOrderStarterOptions,
  orderId: string,
): Promise<boolean> {
  return startOnce(options.client, catalogOrderWorkflow, {
    workflowId: orderId,
    taskQueue: options.taskQueue,
    args: [{ orderId, timeouts: options.timeouts }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
}
