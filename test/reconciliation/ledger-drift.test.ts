// A hosted programme's balance breaks say how its accounts stand at each run: a drift resolved once
// does not hide a later, other drift of the same account, and a repaired account's open break goes.
// A database of its own: the test damages an account's counters on purpose.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance({
  ownDatabase: 'reconciliation_ledger_drift',
  reconciliation: { toleranceMs: 300_000 },
});
const { gateway, coffee, bookstore } = alliance;

interface Break {
  id: string;
  kind: string;
  itemKey: string;
  partner: { points: string | null };
  gateway: { points: string | null };
}

async function hostedRun(from: Date): Promise<{ status: string; breakCounts: Record<string, number> }> {
  const response = await gateway.call(gateway.finance, 'POST', '/v1/finance/reconciliation/runs', {
    body: { programId: bookstore.programId, from: from.toISOString(), to: new Date().toISOString() },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { status: string; breakCounts: Record<string, number> };
}

async function openBalanceBreaks(): Promise<Break[]> {
  const response = await gateway.call(
    gateway.finance,
    'GET',
    `/v1/finance/reconciliation/breaks?partnerId=${bookstore.partner.id}&kind=balance_mismatch&limit=100`,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Break[] }).items;
}

/** Moves the account's posted credits counter away from its entries (an incident, not a transfer). */
async function drift(accountRef: string, points: number): Promise<void> {
  await sql`update ledger_accounts set credits_posted = credits_posted + ${points}
    where program_id = ${bookstore.programId} and account_ref = ${accountRef}`.execute(gateway.db);
}

describe("a hosted programme's balance breaks", () => {
  it('find a new drift after a resolved one, and drop a repaired one', async () => {
    const from = new Date();
    const member = await alliance.member({ bookstore: 10_000n, coffee: 0n });
    const transfer = (await (await alliance.transfer(bookstore, coffee, member, 100n)).json()) as {
      status: string;
    };
    expect(transfer.status).toBe('completed');
    const accountRef = member.accounts.bookstore;
    expect(await hostedRun(from)).toMatchObject({ status: 'completed', breakCounts: {} });

    await drift(accountRef, 7);
    expect(await hostedRun(from)).toMatchObject({ breakCounts: { balance_mismatch: 1 } });
    const [first] = await openBalanceBreaks();
    expect(first).toMatchObject({ gateway: { points: '9907' }, partner: { points: '9900' } });
    // The drift persists while the member keeps transferring: the same break, found when it was first.
    const more = (await (await alliance.transfer(bookstore, coffee, member, 100n)).json()) as {
      status: string;
    };
    expect(more.status).toBe('completed');
    expect(await hostedRun(from)).toMatchObject({ breakCounts: { balance_mismatch: 1 } });
    expect(await openBalanceBreaks()).toEqual([first]);
    const resolved = await gateway.call(
      gateway.finance,
      'POST',
      `/v1/finance/reconciliation/breaks/${first?.id}/resolution`,
      { body: { resolution: 'gateway_fixed', reason: 'counters rebuilt from the entries' } },
    );
    expect(resolved.status).toBe(200);
    expect(await openBalanceBreaks()).toEqual([]);

    // The same account drifts again, by another amount: a new break, not the resolved one.
    await drift(accountRef, 5);
    expect(await hostedRun(from)).toMatchObject({ breakCounts: { balance_mismatch: 1 } });
    const open = await openBalanceBreaks();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ gateway: { points: '9812' }, partner: { points: '9800' } });
    expect(open[0]?.id).not.toBe(first?.id);

    // Repaired before anyone resolved it: the next run leaves no open break for it.
    await drift(accountRef, -12);
    expect(await hostedRun(from)).toMatchObject({ breakCounts: {} });
    expect(await openBalanceBreaks()).toEqual([]);
  }, 60_000);
});
