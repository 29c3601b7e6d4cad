// The operator says where a partner's webhooks go, and changes it: a hosted partner onboarded without
// a URL gets one and receives its transfers' events there, signed for it; null stops them; a partner
// cannot aim the gateway's worker anywhere itself. Method: the test alliance (the hosted bookstore has
// no URL), a reference partner server as the new receiver verifying the gateway's signature, real
// transfers.
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningReferencePartner, startReferencePartner } from '../../reference-partner/server.ts';
import { createAlliance } from '../support/alliance.ts';
import { testGatewayIssuer } from '../support/gateway.ts';

const alliance = await createAlliance();
const { gateway, coffee, bookstore } = alliance;
const receiver: RunningReferencePartner = await startReferencePartner({
  db: gateway.db,
  schema: `ref_hooks_${Date.now()}`,
  gatewayIssuer: testGatewayIssuer,
  gatewayPublicKeys: () => [gateway.gatewayKey.publicJwk],
});
receiver.setPartnerId(bookstore.partner.id);
afterAll(() => receiver.close());

const setUrl = (webhookUrl: string | null, as = gateway.operator) =>
  gateway.call(as, 'POST', `/v1/operator/partners/${bookstore.partner.id}/webhook-url`, {
    body: { webhookUrl },
  });

async function completedTransfer(): Promise<string> {
  const member = await alliance.member({ bookstore: 1_000n });
  const transfer = (await (await alliance.transfer(bookstore, coffee, member, 100n)).json()) as {
    id: string;
    status: string;
  };
  expect(transfer.status).toBe('completed');
  return transfer.id;
}

describe("a partner's webhook URL", () => {
  it('is set by the operator, not the partner, and its events arrive there, signed for it', async () => {
    expect((await setUrl(`${receiver.url}/webhooks`, bookstore.signer)).status).toBe(403);
    const set = await setUrl(`${receiver.url}/webhooks`);
    expect(set.status).toBe(200);
    expect(((await set.json()) as { webhookUrl: string | null }).webhookUrl).toBe(`${receiver.url}/webhooks`);
    const transferId = await completedTransfer();
    await expect
      .poll(() => receiver.webhooks.map((hook) => (hook as { id: string }).id))
      .toContain(`${transferId}:transfer.completed`);
  });

  it('stops the events when set to null, and refuses a URL that is not one', async () => {
    expect((await setUrl(null)).status).toBe(200);
    const transferId = await completedTransfer();
    const queued = await gateway.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('event_id', '=', `${transferId}:transfer.completed`)
      .where('partner_id', '=', bookstore.partner.id)
      .execute();
    expect(queued).toEqual([]);
    const refused = await setUrl('not a url');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe('webhookUrl');
  });
});
