// The process's Prometheus metrics: one registry, the metric definitions and the few helpers that
// record them. Everything here is an in-process counter or histogram (a map lookup and an add on
// the hot path); figures that need the database are read on scrape (see the gateway's /metrics).
//
// Labels stay bounded: routes are templates, never paths; partners and programmes are ids, bounded
// by the alliance's membership (tens, not millions), and programme pairs are capped below in case
// an alliance grows past what a time-series database should hold; no member, transfer or request
// id is ever a label.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { observeBatches } from '../store/statement-batcher.ts';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'alliance_process_' });

/** Latency buckets in seconds, from a cached quote (a few ms) to a partner at its timeout. */
const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const httpRequests = new Counter({
  name: 'alliance_http_requests_total',
  help: 'Requests the gateway answered, by route template, method and status class.',
  labelNames: ['route', 'method', 'status_class'] as const,
  registers: [metricsRegistry],
});

export const httpRequestErrors = new Counter({
  name: 'alliance_http_request_errors_total',
  help: 'Requests answered with a 5xx, by route template and method.',
  labelNames: ['route', 'method'] as const,
  registers: [metricsRegistry],
});

export const httpRequestDuration = new Histogram({
  name: 'alliance_http_request_duration_seconds',
  help: 'Time from the request reaching the app to its answer, by route template and method.',
  labelNames: ['route', 'method'] as const,
  buckets: latencyBucketsSeconds,
  registers: [metricsRegistry],
});

export const transfersFinished = new Counter({
  name: 'alliance_transfers_total',
  help: 'Transfers that reached an end, by outcome (completed, failed, needs_attention).',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const pointsMoved = new Counter({
  name: 'alliance_points_moved_total',
  help: 'Points of completed transfers, debited at the source programme and credited at the target.',
  labelNames: ['source_program', 'target_program', 'side'] as const,
  registers: [metricsRegistry],
});

export const workflowDuration = new Histogram({
  name: 'alliance_workflow_duration_seconds',
  help: 'Wall time of a workflow run from its start to its end, by workflow type and outcome.',
  labelNames: ['workflow_type', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
  registers: [metricsRegistry],
});

export const activityDuration = new Histogram({
  name: 'alliance_activity_duration_seconds',
  help: 'Time of one activity attempt, by activity type and outcome (ok, error).',
  labelNames: ['activity_type', 'outcome'] as const,
  buckets: latencyBucketsSeconds,
  registers: [metricsRegistry],
});

export const partnerCallDuration = new Histogram({
  name: 'alliance_partner_call_duration_seconds',
  help: "Time of one call to a partner's loyalty system, by partner, operation and result.",
  labelNames: ['partner', 'operation', 'result'] as const,
  buckets: latencyBucketsSeconds,
  registers: [metricsRegistry],
});

export const partnerCallErrors = new Counter({
  name: 'alliance_partner_call_errors_total',
  help: 'Partner calls that failed as a fault (network error, timeout, 5xx), by partner and operation.',
  labelNames: ['partner', 'operation'] as const,
  registers: [metricsRegistry],
});

export const openExposure = new Gauge({
  name: 'alliance_open_exposure_minor',
  help: "A partner's open exposure in minor units: unsettled obligations net plus its running transfers.",
  labelNames: ['partner', 'currency'] as const,
  registers: [metricsRegistry],
});

/** More distinct programme pairs than this are counted under `other` (a label set is a series). */
export const programPairsMax = 2_500;
const programPairsSeen = new Set<string>();

/** The labels of a programme pair, or `other` for both once the cap is reached. */
export function programPairLabels(
  sourceProgramId: string,
  targetProgramId: string,
): { source_program: string; target_program: string } {
  const pair = `${sourceProgramId} ${targetProgramId}`;
  if (!programPairsSeen.has(pair)) {
    if (programPairsSeen.size >= programPairsMax) return { source_program: 'other', target_program: 'other' };
    programPairsSeen.add(pair);
  }
  return { source_program: sourceProgramId, target_program: targetProgramId };
}

export interface FinishedTransfer {
  outcome: 'completed' | 'failed' | 'needs_attention';
  sourceProgramId: string;
  targetProgramId: string;
  debitPoints: bigint;
  creditPoints: bigint;
}

/** Counts a transfer's end and, when it completed, the points it moved. */
export function recordTransferFinished(transfer: FinishedTransfer): void {
  transfersFinished.inc({ outcome: transfer.outcome });
  if (transfer.outcome !== 'completed') return;
  const pair = programPairLabels(transfer.sourceProgramId, transfer.targetProgramId);
  // A counter takes a double: exact to 2^53 points per series, far past any programme's total.
  pointsMoved.inc({ ...pair, side: 'debit' }, Number(transfer.debitPoints));
  pointsMoved.inc({ ...pair, side: 'credit' }, Number(transfer.creditPoints));
}

/** Times one partner call; a throw or a 5xx counts as an error, a 4xx is the partner's answer. */
export async function timePartnerCall<T extends { status: number }>(
  labels: { partner: string; operation: string },
  call: () => Promise<T>,
): Promise<T> {
  const end = partnerCallDuration.startTimer(labels);
  try {
    const response = await call();
    const fault = response.status >= 500;
    end({ result: fault ? 'fault' : String(Math.floor(response.status / 100)).concat('xx') });
    if (fault) partnerCallErrors.inc(labels);
    return response;
  } catch (error) {
    end({ result: 'unreachable' });
    partnerCallErrors.inc(labels);
    throw error;
  }
}

export const scrapeFigureFailures = new Counter({
  name: 'alliance_metrics_figure_failures_total',
  help: 'Figures read from the database on scrape that failed or timed out (the last values stay).',
  labelNames: ['figure'] as const,
  registers: [metricsRegistry],
});

export const statementBatchSize = new Histogram({
  name: 'alliance_statement_batch_size',
  help: 'Calls that shared one statement (store/statement-batcher.ts), by kind: how much a flash sale or a busy ledger is batched.',
  labelNames: ['kind'] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64, 100],
  registers: [metricsRegistry],
});
observeBatches((kind, size) => statementBatchSize.observe({ kind }, size));
