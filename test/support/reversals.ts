// What the reversal tests share: a completed transfer to reverse, the calls a partner (or finance)
// makes to reverse it, and the settlement obligations a reversal left, over one alliance.
import { expect } from 'vitest';
import type { Alliance, AlliancePartner, Member } from './alliance.ts';

export interface Reversal {
  id: string;
  status: string;
  asked: { sourcePoints: string; targetPoints: string; settlementAmountMinor: string };
  takenTargetPoints: string | null;
  returnedSourcePoints: string | null;
  reversedAmountMinor: string | null;
  shortfallPayer: string;
  failure: { code: string } | null;
}

/** The calls that move points and reverse them; each checks what it must. */
export function reversalKit(alliance: Alliance) {
  const { gateway } = alliance;

  async function completedTransfer(
    from: AlliancePartner,
    to: AlliancePartner,
    member: Member,
    points: bigint,
  ) {
    const response = await alliance.transfer(from, to, member, points);
    const transfer = (await response.json()) as { id: string; status: string };
    expect(transfer.status).toBe('completed');
    return transfer.id;
  }

  function reverse(
    by: AlliancePartner | 'finance',
    transferId: string,
    body: { sourcePoints?: string; reason?: string } = {},
    idempotencyKey?: string,
  ) {
    const path =
      by === 'finance'
        ? `/v1/finance/transfers/${transferId}/reversals`
        : `/v1/transfers/${transferId}/reversals`;
    return gateway.call(by === 'finance' ? gateway.finance : by.signer, 'POST', path, {
      body: { reason: 'purchase refunded', ...body },
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
  }

  async function reversed(response: Response): Promise<Reversal> {
    expect(response.status).toBe(201);
    return (await response.json()) as Reversal;
  }

  async function obligationsOf(reversalId: string) {
    return gateway.db
      .selectFrom('settlement_obligations')
      .selectAll()
      .where('source_id', '=', reversalId)
      .execute();
  }

  return { completedTransfer, reverse, reversed, obligationsOf };
}
