// The demo member's balance in each demo programme, as its owner sees it: the reference partner's
// own system for the airline and the cinema, the gateway's hosted ledger for the coffee chain.
import { request } from 'undici';
import type { DemoAlliance, DemoPartner } from './demo-alliance.ts';
import { type DemoGateway, demoClient } from './demo-client.ts';

async function balance(partner: DemoPartner, accountRef: string, gateway: DemoGateway): Promise<string> {
  if (partner.systemUrl) {
    const response = await request(`${partner.systemUrl}/_control/accounts/${accountRef}`);
    return response.statusCode === 200
      ? ((await response.body.json()) as { availablePoints: string }).availablePoints
      : '0';
  }
  const owner = demoClient(partner.partnerId, partner.key, gateway);
  const { data } = await owner.GET('/v1/programs/{programId}/accounts/{accountRef}', {
    params: { path: { programId: partner.programId, accountRef } },
  });
  return data?.availablePoints ?? '0';
}

/** "4500 beans, 2350 miles, 0 stars": the demo member's points now, in the alliance's order. */
export async function demoBalances(alliance: DemoAlliance, gateway: DemoGateway): Promise<string> {
  const member = alliance.member;
  if (!member) return '(no demo member)';
  const parts = await Promise.all(
    alliance.partners.map(
      async (partner) =>
        `${await balance(partner, member.accounts[partner.slug], gateway)} ${partner.unitName}`,
    ),
  );
  return parts.join(', ');
}
