// Every webhook a reference partner received, read against the OpenAPI document's description of
// it (gateway/schemas/webhooks.ts): its envelope and its data exactly, no field more or less.
import type { z } from '@hono/zod-openapi';
import { expect } from 'vitest';
import type { WebhookEventType } from '../../domain/webhook-events.ts';
import { partnerWebhooks, webhookBody } from '../../gateway/schemas/webhooks.ts';

/** Checks each received body; returns the event types seen, for the caller to expect. */
export function expectDocumentedWebhooks(received: readonly unknown[]): Set<string> {
  const types = new Set<string>();
  for (const body of received) {
    const type = (body as { type: string }).type;
    const documented = partnerWebhooks[type as WebhookEventType];
    expect(documented, `the OpenAPI document has no webhook ${type}`).toBeDefined();
    const data = (documented.data as z.ZodObject).strict();
    const parsed = webhookBody(type, data).strict().safeParse(body);
    expect(parsed.error, `${type} as sent: ${JSON.stringify(body)}`).toBeUndefined();
    types.add(type);
  }
  return types;
}

/**
 * Waits until the partners' servers have received each wanted event type, then checks every webhook
 * they received against the document.
 */
export async function expectReceivedAsDocumented(
  partners: readonly { server: { webhooks: unknown[] } | null }[],
  wanted: readonly string[],
): Promise<void> {
  const received = () => partners.flatMap((partner) => partner.server?.webhooks ?? []);
  await expect
    .poll(() => wanted.filter((type) => !received().some((hook) => (hook as { type: string }).type === type)))
    .toEqual([]);
  expect([...expectDocumentedWebhooks(received())]).toEqual(expect.arrayContaining([...wanted]));
}
