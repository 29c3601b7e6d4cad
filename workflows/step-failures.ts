// How a saga tells a partner's refusal (final: a non-retryable failure whose type is the partner's
// code) from a fault (no answer: retried, then asked about). Shared by the transfer and the reversal.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

export function refusalOf(error: unknown): { code: string; detail: string } | null {
  if (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.nonRetryable
  ) {
    return { code: error.cause.type ?? 'refused', detail: error.cause.message };
  }
  return null;
}
