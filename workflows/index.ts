// The workflow bundle's entry: every workflow the worker runs is exported here.

export { accrualWorkflow } from './accrual.workflow.ts';
export { accrualReversalWorkflow } from './accrual-reversal.workflow.ts';
export { catalogOrderWorkflow } from './catalog-order.workflow.ts';
export { catalogSyncWorkflow, programCatalogSyncWorkflow } from './catalog-sync.workflow.ts';
export { conservationMonitorWorkflow } from './conservation-monitor.workflow.ts';
export { couponExpiryWorkflow } from './coupon-expiry.workflow.ts';
export { couponRefundWorkflow } from './coupon-expiry-refund.workflow.ts';
export { dailyReconciliationWorkflow } from './daily-reconciliation.workflow.ts';
export { drawWorkflow } from './draw.workflow.ts';
export { drawClosingsWorkflow } from './draw-closings.workflow.ts';
export { pointsExpiryWorkflow } from './points-expiry.workflow.ts';
export { pointsPaymentWorkflow } from './points-payment.workflow.ts';
export { pointsPaymentSweepWorkflow } from './points-payment-sweep.workflow.ts';
export { probeWorkflow } from './probe.workflow.ts';
export { reconciliationWorkflow } from './reconciliation.workflow.ts';
export { reversalWorkflow } from './reversal.workflow.ts';
export { settlementCloseWorkflow } from './settlement-close.workflow.ts';
export { strandedTransfersWorkflow } from './stranded-transfers.workflow.ts';
export { transferWorkflow } from './transfer.workflow.ts';
export { transferRecoveryWorkflow } from './transfer-recovery.workflow.ts';
export { transferWebhooksWorkflow } from './transfer-webhooks.workflow.ts';
