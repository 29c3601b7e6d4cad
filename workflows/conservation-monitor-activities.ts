// The conservation monitor's I/O: run the checks and keep the result, and tell the operator of a
// failure with a signed POST to their webhook URL (signed like the gateway's partner webhooks, with
// aud `operator`, so it verifies against the gateway's /.well-known/jwks.json). A non-2xx answer or a
// fault is thrown, and Temporal retries with backoff.
import { ApplicationFailure } from '@temporalio/common';
import type { ConservationCheckName } from '../domain/conservation.ts';
import type { Logger } from '../runtime/logger.ts';
import {
  conservationCheckDocument,
  readConservationCheck,
  runConservationCheck,
} from '../services/conservation.ts';
import type { ServiceContext } from '../services/context.ts';
import type { SigningKeyPair } from '../signing/keys.ts';
import { createSignedClient, type SignedClient } from '../signing/signed-client.ts';

export interface ConservationMonitorDependencies {
  context: ServiceContext;
  logger: Logger;
  gatewayIssuer: string;
  gatewayKey: SigningKeyPair;
  /** Where failures are sent; none: they are logged and recorded only. */
  operatorWebhookUrl: string | null;
  webhookTimeoutMs: number;
}

/** What the workflow needs to know of a check: plain JSON, as Temporal carries it. */
export interface ConservationCheckOutcome {
  checkId: string;
  ok: boolean;
  failed: ConservationCheckName[];
}

export const operatorAudience = 'operator';
export const conservationFailedEvent = 'conservation.failed';

export function createConservationMonitorActivities(deps: ConservationMonitorDependencies) {
  const url = deps.operatorWebhookUrl ? new URL(deps.operatorWebhookUrl) : null;
  let client: SignedClient | undefined;
  const clientFor = (target: URL) => {
    client ??= createSignedClient({
      baseUrl: target.origin,
      issuer: deps.gatewayIssuer,
      key: deps.gatewayKey,
      audience: operatorAudience,
      headersTimeoutMs: deps.webhookTimeoutMs,
      bodyTimeoutMs: deps.webhookTimeoutMs,
      callTimeoutMs: deps.webhookTimeoutMs,
      connectionsMax: 2,
    });
    return client;
  };

  return {
    /** Runs every check and records the result under the run's id; a failure is logged as an error. */
    async checkConservation(input: {
      runId: string;
      reservationGraceSeconds: number;
    }): Promise<ConservationCheckOutcome> {
      const check = conservationCheckDocument(await runConservationCheck(deps.context, input));
      if (!check.ok) {
        deps.logger.error(
          { checkId: check.id, runId: check.runId, failed: check.failed, findings: check.findings },
          `conservation check failed: ${check.summary}`,
        );
      }
      return { checkId: check.id, ok: check.ok, failed: check.failed };
    },

    /** Sends the failed check to the operator; false when no URL is configured. */
    async alertOperatorOfConservationFailure(checkId: string): Promise<boolean> {
      if (!url) return false;
      const stored = await readConservationCheck(deps.context, checkId);
      if (!stored) {
        throw ApplicationFailure.nonRetryable(`conservation check ${checkId} not found`, 'check_missing');
      }
      const check = conservationCheckDocument(stored);
      // The event id is the check's: a retry after a lost answer is the same event, deduplicated by it.
      const eventId = `conservation-check-${check.id}`;
      const response = await clientFor(url).call({
        method: 'POST',
        path: `${url.pathname}${url.search}`,
        body: { id: eventId, type: conservationFailedEvent, data: check },
        idempotencyKey: eventId,
      });
      if (response.status < 200 || response.status >= 300) {
        throw new Error(`the operator's webhook answered ${response.status}`);
      }
      return true;
    },
  };
}

export type ConservationMonitorActivities = ReturnType<typeof createConservationMonitorActivities>;
