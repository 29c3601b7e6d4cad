// Property: whatever sequence of transfers and partner faults happens, points are conserved. For
// each programme, the member's balance ends at its start, minus what completed transfers debited
// from it, plus what they credited into it; no hold is left behind; the hosted ledger balances.
// Method: fast-check draws sequences of transfers between the alliance's programmes, each with a
// fault injected at a reference partner, runs them for real, then checks every balance.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultMode, PartnerOperationName } from '../../reference-partner/faults.ts';
import { checkLedger } from '../../store/hosted-ledger/reports.ts';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance();
const { coffee, airline, bookstore, gateway } = alliance;
const routes: [AlliancePartner, AlliancePartner][] = [
  [coffee, airline],
  [airline, bookstore],
  [bookstore, coffee],
  [coffee, bookstore],
];
const names = new Map<AlliancePartner, 'coffee' | 'airline' | 'bookstore'>([
  [coffee, 'coffee'],
  [airline, 'airline'],
  [bookstore, 'bookstore'],
]);

const faultArbitrary = fc.constantFrom<null | {
  at: 'source' | 'target';
  operation: PartnerOperationName;
  mode: FaultMode;
  count: number;
}>(
  null,
  null,
  { at: 'target', operation: 'credit', mode: 'refuse', count: 1 },
  { at: 'target', operation: 'credit', mode: 'fail_after', count: 1 },
  { at: 'target', operation: 'credit', mode: 'hang_after', count: 1 },
  { at: 'target', operation: 'credit', mode: 'fail_before', count: 30 },
  { at: 'source', operation: 'reserve', mode: 'fail_after', count: 1 },
  { at: 'source', operation: 'post', mode: 'fail_before', count: 2 },
);

const stepArbitrary = fc.record({
  route: fc.integer({ min: 0, max: routes.length - 1 }),
  sourcePoints: fc.bigInt({ min: 1n, max: 3_000n }),
  fault: faultArbitrary,
});

describe('conservation of points', () => {
  it('holds across random transfers and faults', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          coffee: fc.bigInt({ min: 0n, max: 5_000n }),
          airline: fc.bigInt({ min: 0n, max: 5_000n }),
          bookstore: fc.bigInt({ min: 0n, max: 5_000n }),
        }),
        fc.array(stepArbitrary, { minLength: 1, maxLength: 3 }),
        async (start, steps) => {
          const member = await alliance.member(start);
          const expected = { ...start };
          for (const step of steps) {
            const [from, to] = routes[step.route] as [AlliancePartner, AlliancePartner];
            const faulted = step.fault && (step.fault.at === 'source' ? from : to);
            if (step.fault && faulted?.server) alliance.fault(faulted, { ...step.fault, delayMs: 2_500 });
            const response = await alliance.transfer(from, to, member, step.sourcePoints);
            const body = (await response.json()) as { id?: string; code?: string };
            coffee.server?.faults.clear();
            airline.server?.faults.clear();
            if (!body.id) continue;
            const transfer = await alliance.settled(body.id);
            expect(transfer.status).not.toBe('needs_attention');
            if (transfer.status === 'completed') {
              const row = await gateway.db
                .selectFrom('transfers')
                .select(['debit_points', 'credit_points'])
                .where('id', '=', body.id)
                .executeTakeFirstOrThrow();
              expected[names.get(from) ?? 'coffee'] -= row.debit_points;
              expected[names.get(to) ?? 'coffee'] += row.credit_points;
            }
          }
          for (const partner of [coffee, airline, bookstore]) {
            expect(await alliance.balance(partner, member)).toBe(expected[names.get(partner) ?? 'coffee']);
          }
          for (const partner of [coffee, airline]) {
            const balance = await partner.server?.books.balance(
              member.accounts[names.get(partner) ?? 'coffee'],
            );
            expect(balance?.availablePoints).toBe(balance?.postedPoints);
          }
          expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
        },
      ),
      {
        numRuns: 8,
        seed: Number(process.env.PROPERTY_SEED ?? Date.now() % 2_147_483_647),
        endOnFailure: true,
      },
    );
  });
});
