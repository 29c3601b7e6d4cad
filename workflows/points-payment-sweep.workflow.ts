// Run by a Temporal Schedule (every POINTS_PAYMENT_SWEEP_SECONDS): authorizations past their end are
// voided (an operation of their own, as a merchant's void is), and every operation accepted but
// left pending and untouched (its start never happened: the process died, Temporal was down) is
// started. Both read what is stored, so a sweep that died half-way is finished by the next.
import { log, proxyActivities } from '@temporalio/workflow';
import type { PointsPaymentSweepActivities } from './points-payment-sweep-activities.ts';

export interface PointsPaymentSweepInput {
  untouchedSeconds: number;
}

const { expireDueAuthorizations, startPendingPaymentOperations } =
  proxyActivities<PointsPaymentSweepActivities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '1 minute',
    retry: { maximumAttempts: 3 },
  });

export async function pointsPaymentSweepWorkflow(
  input: PointsPaymentSweepInput,
): Promise<{ expired: string[]; started: string[] }> {
  const expired = await expireDueAuthorizations();
  const started = await startPendingPaymentOperations({ untouchedSeconds: input.untouchedSeconds });
  if (expired.length > 0) log.info('points payment authorizations expired', { paymentIds: expired });
  if (started.length > 0) log.info('points payment operations started', { operationIds: started });
  return { expired, started };
}
