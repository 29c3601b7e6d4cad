// Repeats and races: the same request twice and fifty times at once makes one transfer; a member
// spending the same points twice at once gets exactly one through; an old quote is refused.
import { describe, expect, it } from 'vitest';
import { createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline } = alliance;

async function quote(member: { memberId: string }, points: bigint) {
  const response = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
    body: {
      memberId: member.memberId,
      sourceProgramId: coffee.programId,
      targetProgramId: airline.programId,
      sourcePoints: String(points),
    },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as {
    id: string;
    debitPoints: string;
    creditPoints: string;
    expiresAt: string;
  };
}

async function countTransfers(memberId: string): Promise<number> {
  return (await gateway.db.selectFrom('transfers').select('id').where('member_id', '=', memberId).execute())
    .length;
}

describe('the same request again', () => {
  it('returns the same transfer for a repeat with the same Idempotency-Key', async () => {
    const member = await alliance.member({ coffee: 5_000n });
    const first = await alliance.transfer(coffee, airline, member, 1_000n, 'order-1');
    const second = await alliance.transfer(coffee, airline, member, 1_000n, 'order-1');
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(((await second.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    expect(await countTransfers(member.memberId)).toBe(1);
    expect(await alliance.balance(airline, member)).toBe(700n);
  });

  it('makes one transfer of fifty concurrent identical requests', async () => {
    const member = await alliance.member({ coffee: 5_000n });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => alliance.transfer(coffee, airline, member, 1_000n, 'order-50')),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => [201, 202, 409].includes(status))).toBe(true);
    expect(statuses.filter((status) => status !== 409).length).toBeGreaterThanOrEqual(1);
    expect(await countTransfers(member.memberId)).toBe(1);
    const [transfer] = await gateway.db
      .selectFrom('transfers')
      .select('id')
      .where('member_id', '=', member.memberId)
      .execute();
    expect((await alliance.settled(transfer?.id ?? '')).status).toBe('completed');
    expect(await alliance.balance(airline, member)).toBe(700n);
    expect(await alliance.balance(coffee, member)).toBe(4_000n);
  });

  it('starts one transfer from one quote, whatever the keys', async () => {
    const member = await alliance.member({ coffee: 5_000n });
    const { id: quoteId } = await quote(member, 1_000n);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        gateway.call(coffee.signer, 'POST', '/v1/transfers', { body: { quoteId } }),
      ),
    );
    const ids = new Set(
      await Promise.all(responses.map(async (response) => ((await response.json()) as { id: string }).id)),
    );
    expect(ids.size).toBe(1);
    expect(
      responses.map((response) => response.status).filter((status) => status === 201 || status === 202),
    ).toHaveLength(1);
    expect(await countTransfers(member.memberId)).toBe(1);
  });
});

describe('races and stale quotes', () => {
  it('lets exactly one of two concurrent transfers spend the same points', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const [first, second] = await Promise.all([quote(member, 800n), quote(member, 800n)]);
    const responses = await Promise.all(
      [first, second].map((candidate) =>
        gateway.call(coffee.signer, 'POST', '/v1/transfers', { body: { quoteId: candidate.id } }),
      ),
    );
    const settled = await Promise.all(
      responses.map(async (response) => alliance.settled(((await response.json()) as { id: string }).id)),
    );
    expect(settled.map((transfer) => transfer.status).sort()).toEqual(['completed', 'failed']);
    expect(settled.find((transfer) => transfer.status === 'failed')?.failure?.code).toBe(
      'insufficient_points',
    );
    expect(await alliance.balance(coffee, member)).toBe(200n);
    expect(await alliance.balance(airline, member)).toBe(560n);
  });

  it('refuses an expired quote', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const { id: quoteId } = await quote(member, 100n);
    // The clock cannot be moved in a real database; the quote's expiry can be, to the past.
    await gateway.db
      .updateTable('quotes')
      .set({ expires_at: new Date(Date.now() - 1_000) } as never)
      .where('id', '=', quoteId)
      .execute();
    const response = await gateway.call(coffee.signer, 'POST', '/v1/transfers', { body: { quoteId } });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe('quote_expired');
    expect(await countTransfers(member.memberId)).toBe(0);
  });

  it("refuses a quote for another partner's member without a link", async () => {
    const stranger = await gateway.onboardPartner('Unlinked Cinema');
    const member = await alliance.member({ coffee: 1_000n });
    const response = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
      body: {
        memberId: member.memberId,
        sourceProgramId: coffee.programId,
        targetProgramId: stranger.partner.programs[0]?.id,
        sourcePoints: '100',
      },
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { code: string }).code).toBe('member_link_missing');
  });
});
