// Who may start a transfer out of a programme, tried from both ends of an agreement: the source
// partner always may (with the member's transfer consent); the target partner may pull the member's
// points only when the member's consent at the source says pull_transfers. A refused request moves
// nothing and stores no quote.
import { describe, expect, it } from 'vitest';
import { createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline } = alliance;

function inlineBody(memberId: string) {
  return {
    memberId,
    sourceProgramId: coffee.programId,
    targetProgramId: airline.programId,
    sourcePoints: '1000',
  };
}

describe('a transfer out of a programme', () => {
  it('may be started by the source partner', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const response = await gateway.call(coffee.signer, 'POST', '/v1/transfers', {
      body: inlineBody(member.memberId),
    });
    expect(response.status).toBe(201);
    expect(await alliance.balance(coffee, member)).toBe(0n);
  });

  it('is refused to the target partner when the member did not allow pulls at the source', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    for (const path of ['/v1/quotes', '/v1/transfers']) {
      const response = await gateway.call(airline.signer, 'POST', path, {
        body: inlineBody(member.memberId),
      });
      expect(response.status).toBe(403);
      const problem = (await response.json()) as { code: string; errors: { field: string }[] };
      expect(problem.code).toBe('forbidden');
      expect(problem.errors[0]?.field).toBe('sourceProgramId');
    }
    const quotes = await gateway.db
      .selectFrom('quotes')
      .select('id')
      .where('member_id', '=', member.memberId)
      .execute();
    expect(quotes).toEqual([]);
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
  });

  it('may be pulled by the target partner when the member allowed it at the source', async () => {
    const member = await alliance.member({ coffee: 1_000n }, { scopes: ['transfers', 'pull_transfers'] });
    const response = await gateway.call(airline.signer, 'POST', '/v1/transfers', {
      body: inlineBody(member.memberId),
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { status: string }).status).toBe('completed');
    expect(await alliance.balance(coffee, member)).toBe(0n);
    expect(await alliance.balance(airline, member)).toBe(700n);
  });
});
