// Delivers a webhook: a signed POST to the partner's webhook URL (signed exactly like the gateway's
// other calls, so the partner verifies it against /.well-known/jwks.json). A non-2xx answer or a
// fault is thrown, and Temporal retries with backoff; the final failure is recorded.

import { asyncLocalStorage as activityContext } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { LRUCache } from 'lru-cache';
import type { SigningKeyPair } from '../signing/keys.ts';
import { createSignedClient, type SignedClient } from '../signing/signed-client.ts';
import type { Db } from '../store/connection.ts';
import { findDelivery, recordDeliveryAttempt } from '../store/webhooks.ts';

export interface WebhookActivityDependencies {
  db: Db;
  gatewayIssuer: string;
  gatewayKey: SigningKeyPair;
  webhookTimeoutMs: number;
  /** How many partner endpoints keep an open client at once. */
  clientsMax?: number;
}

/** A delivery the partner did not take: `answered` is its status, or null when it did not answer. */
export class WebhookNotDelivered extends Error {
  readonly answered: number | null;
  constructor(message: string, answered: number | null) {
    super(message);
    this.name = 'WebhookNotDelivered';
    this.answered = answered;
  }
}

/** Whether the endpoint itself is failing (no answer, 5xx, 408, 429) rather than refusing one body. */
export function endpointFailing(error: unknown): boolean {
  if (!(error instanceof WebhookNotDelivered)) return false;
  const { answered } = error;
  return answered === null || answered >= 500 || answered === 408 || answered === 429;
}

export function createWebhookActivities(deps: WebhookActivityDependencies) {
  // One client (and connection pool) per partner endpoint, bounded: one pushed out is closed.
  const clients = new LRUCache<string, SignedClient>({
    max: deps.clientsMax ?? 500,
    dispose: (client) => {
      client.close().catch(() => {});
    },
  });
  function clientFor(url: URL, partnerId: string): SignedClient {
    const cacheKey = `${partnerId} ${url.origin}`;
    let client = clients.get(cacheKey);
    if (!client) {
      client = createSignedClient({
        baseUrl: url.origin,
        issuer: deps.gatewayIssuer,
        key: deps.gatewayKey,
        audience: partnerId,
        headersTimeoutMs: deps.webhookTimeoutMs,
        bodyTimeoutMs: deps.webhookTimeoutMs,
        // The whole delivery, so that it ends before its activity's time does, not after.
        callTimeoutMs: deps.webhookTimeoutMs,
        connectionsMax: 8,
      });
      clients.set(cacheKey, client);
    }
    return client;
  }

  return {
    async deliverWebhook(deliveryId: string): Promise<void> {
      const delivery = await findDelivery(deps.db, deliveryId);
      if (!delivery || delivery.status === 'delivered') return;
      if (!delivery.webhook_url) {
        await recordDeliveryAttempt(deps.db, {
          deliveryId,
          status: 'failed',
          error: 'the partner has no webhook URL',
        });
        throw ApplicationFailure.nonRetryable('the partner has no webhook URL', 'webhook_url_missing');
      }
      const url = new URL(delivery.webhook_url);
      // Called outside any activity (a test, a script) there is none; the deadline holds regardless.
      const cancelled = activityContext.getStore()?.cancellationSignal;
      let error: string;
      let answered: number | null = null;
      try {
        const response = await clientFor(url, delivery.partner_id).call({
          method: 'POST',
          path: `${url.pathname}${url.search}`,
          body: { id: delivery.event_id, type: delivery.event_type, data: delivery.payload },
          idempotencyKey: delivery.event_id,
          ...(cancelled ? { signal: cancelled } : {}),
        });
        if (response.status >= 200 && response.status < 300) {
          await recordDeliveryAttempt(deps.db, { deliveryId, status: 'delivered', error: null });
          return;
        }
        answered = response.status;
        error = `answered ${response.status}`;
      } catch (cause) {
        error = (cause as Error).message;
      }
      await recordDeliveryAttempt(deps.db, { deliveryId, status: 'pending', error });
      throw new WebhookNotDelivered(`webhook ${deliveryId} not delivered: ${error}`, answered);
    },

    async markWebhookFailed(deliveryId: string, error: string): Promise<void> {
      await recordDeliveryAttempt(deps.db, { deliveryId, status: 'failed', error });
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
