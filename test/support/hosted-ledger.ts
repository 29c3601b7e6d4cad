// A hosted programme of a test file's own, and members holding lots in it: what the hosted ledger's
// store tests (store/hosted-ledger/*.test.ts) start from.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect } from 'vitest';
import type { Db } from '../../store/connection.ts';
import type { createLedgerAccountIds } from '../../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../../store/hosted-ledger/operations.ts';
import { newId } from '../../store/ids.ts';

export interface HostedProgram {
  partnerId: string;
  programId: string;
  /** A member with one lot per [points, expiry], credited in that order; its account reference. */
  memberWithLots(lots: [bigint, Date | null][]): Promise<string>;
}

/** Registers the partner and its hosted programme before the file's tests. */
export function useHostedProgram(
  db: Db,
  accountIds: ReturnType<typeof createLedgerAccountIds>,
  name: string,
  options: { webhookUrl?: string } = {},
): HostedProgram {
  const partnerId = newId('ptn');
  const programId = newId('prg');
  beforeAll(async () => {
    await db
      .insertInto('partners')
      .values({
        id: partnerId,
        name,
        status: 'active',
        webhook_url: options.webhookUrl ?? null,
        loyalty_api_url: null,
      })
      .execute();
    await db
      .insertInto('programs')
      .values({ id: programId, partner_id: partnerId, name, unit_name: name.toLowerCase(), ledger: 'hosted' })
      .execute();
  });
  return {
    partnerId,
    programId,
    async memberWithLots(lots) {
      const accountRef = `${name.toLowerCase()}-${randomUUID()}`;
      for (const [index, [points, expiresAt]] of lots.entries()) {
        const outcome = await creditPoints(db, accountIds, {
          programId,
          key: `${accountRef}:seed:${index}`,
          accountRef,
          points,
          reason: 'seed',
          carriedExpiry: [{ points, expiresAt }],
        });
        expect(outcome.outcome).toBe('done');
      }
      return accountRef;
    },
  };
}
