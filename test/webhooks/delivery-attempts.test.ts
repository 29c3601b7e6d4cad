// A webhook's attempts against a real receiver and the real database: an attempt that fails after its
// run gave the delivery up (it was still waiting on the partner) leaves it failed, so the sweep of
// abandoned deliveries does not start it again; a delivery still pending is sent again as before; and
// a webhook URL with a path and a query is called exactly.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../signing/keys.ts';
import { newId } from '../../store/ids.ts';
import { listAbandonedDeliveryIds } from '../../store/webhooks.ts';
import { createWebhookActivities } from '../../workflows/webhook-activities.ts';
import { useTestDatabase } from '../support/database.ts';

const db = useTestDatabase(3);
let handle = (_request: IncomingMessage, response: ServerResponse) => void response.end();
const receiver = createServer((request, response) => handle(request, response));
receiver.listen(0, '127.0.0.1');
await once(receiver, 'listening');
const origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
const webhooks = createWebhookActivities({
  db,
  gatewayIssuer: 'points-alliance-gateway',
  gatewayKey: await generateSigningKeyPair('ES256'),
  webhookTimeoutMs: 5_000,
});
afterAll(() => {
  receiver.closeAllConnections();
  receiver.close();
});

async function queuedDelivery(webhookUrl: string): Promise<string> {
  const partnerId = newId('ptn');
  await db
    .insertInto('partners')
    .values({
      id: partnerId,
      name: 'Hooks',
      status: 'active',
      webhook_url: webhookUrl,
      loyalty_api_url: null,
    })
    .execute();
  const id = newId('whk');
  await db
    .insertInto('webhook_deliveries')
    .values({
      id,
      partner_id: partnerId,
      event_type: 'transfer.completed',
      event_id: `${newId('trf')}:transfer.completed`,
      payload: JSON.stringify({}),
      status: 'pending',
    })
    .execute();
  return id;
}

const statusOf = async (id: string) =>
  (await db.selectFrom('webhook_deliveries').select('status').where('id', '=', id).executeTakeFirstOrThrow())
    .status;

async function abandoned(id: string): Promise<boolean> {
  const rows = await listAbandonedDeliveryIds(db, {
    createdBefore: new Date(Date.now() + 60_000),
    afterId: null,
    limit: 10_000,
  });
  return rows.some((row) => row.id === id);
}

describe('a webhook delivery', () => {
  it('given up while an attempt still waited stays failed when that attempt fails', async () => {
    const id = await queuedDelivery(`${origin}/hooks`);
    let answer: (() => void) | undefined;
    const arrived = new Promise<void>((resolve) => {
      handle = (_request, response) => {
        answer = () => response.writeHead(503).end();
        resolve();
      };
    });
    const late = webhooks.deliverWebhook(id);
    await arrived;
    await webhooks.markWebhookFailed(id, 'retries ran out');
    answer?.();
    await expect(late).rejects.toThrow('answered 503');
    expect(await statusOf(id)).toBe('failed');
    expect(await abandoned(id)).toBe(false);
  });

  it('still pending is sent again and delivered, and a late success counts', async () => {
    const id = await queuedDelivery(`${origin}/hooks`);
    handle = (_request, response) => void response.writeHead(503).end();
    await expect(webhooks.deliverWebhook(id)).rejects.toThrow('answered 503');
    expect(await statusOf(id)).toBe('pending');
    expect(await abandoned(id)).toBe(true);
    handle = (_request, response) => void response.writeHead(204).end();
    await webhooks.deliverWebhook(id);
    expect(await statusOf(id)).toBe('delivered');

    const failed = await queuedDelivery(`${origin}/hooks`);
    await webhooks.markWebhookFailed(failed, 'retries ran out');
    await webhooks.deliverWebhook(failed);
    expect(await statusOf(failed)).toBe('delivered');
  });

  it('goes to the exact URL registered, its path and query included', async () => {
    const id = await queuedDelivery(`${origin}/partner/hooks/alliance?channel=points`);
    const paths: string[] = [];
    handle = (request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(204).end();
    };
    await webhooks.deliverWebhook(id);
    expect(paths).toEqual(['/partner/hooks/alliance?channel=points']);
  });
});
