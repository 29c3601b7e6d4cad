// Housekeeping on the real database: expired nonces go, and an expired hosted reservation gives its
// points back without anyone touching the account.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../runtime/logger.ts';
import { createLedgerAccountIds } from '../store/hosted-ledger/accounts.ts';
import { creditPoints, reservePoints } from '../store/hosted-ledger/operations.ts';
import { readBalance } from '../store/hosted-ledger/reports.ts';
import { newId } from '../store/ids.ts';
import { recordNonce } from '../store/request-nonces.ts';
import { useTestDatabase } from '../test/support/database.ts';
import { startHousekeeping } from './housekeeping.ts';

const accountIds = createLedgerAccountIds();

const db = useTestDatabase(3);

describe('housekeeping', () => {
  it('prunes expired nonces and releases expired reservations', async () => {
    const partnerId = newId('ptn');
    const programId = newId('prg');
    await db
      .insertInto('partners')
      .values({ id: partnerId, name: 'Sweep', status: 'active', webhook_url: null, loyalty_api_url: null })
      .execute();
    await db
      .insertInto('programs')
      .values({ id: programId, partner_id: partnerId, name: 'Beans', unit_name: 'beans', ledger: 'hosted' })
      .execute();
    const account = `sweep-${randomUUID()}`;
    await creditPoints(db, accountIds, {
      programId,
      key: `${account}:seed`,
      accountRef: account,
      points: 300n,
      reason: 'seed',
    });
    await reservePoints(db, accountIds, {
      programId,
      key: `${account}:hold`,
      accountRef: account,
      points: 300n,
      expiresAt: new Date(Date.now() + 200),
      reason: 'hold',
    });
    const jti = randomUUID();
    await recordNonce(db, partnerId, jti, new Date(Date.now() - 1_000));
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(0n);

    await new Promise((resolve) => setTimeout(resolve, 250));
    const stop = startHousekeeping({
      db,
      logger: createLogger('silent'),
      idempotencyRetentionHours: 72,
      intervalMs: 50,
    });
    try {
      await expect
        .poll(async () => (await readBalance(db, programId, account))?.availablePoints, { timeout: 5_000 })
        .toBe(300n);
      await expect
        .poll(
          async () =>
            (await db.selectFrom('request_nonces').select('jti').where('jti', '=', jti).execute()).length,
          { timeout: 5_000 },
        )
        .toBe(0);
    } finally {
      stop();
    }
  });
});
