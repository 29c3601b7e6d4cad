// Both adapters keep the same contract, against real storage: the hosted ledger directly, and a
// reference partner system over signed HTTP. Keys are applied once, refusals are final, an asked-
// about key is fenced, and the period's transactions come back for reconciliation.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferencePartner } from '../reference-partner/server.ts';
import { generateSigningKeyPair } from '../signing/keys.ts';
import { createLedgerAccountIds, ensureAccount } from '../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../store/hosted-ledger/operations.ts';
import { readBalance } from '../store/hosted-ledger/reports.ts';
import { newId } from '../store/ids.ts';
import { useTestDatabase } from '../test/support/database.ts';
import { createHostedAdapter } from './hosted.ts';
import { createHttpAdapter } from './http.ts';
import type { LoyaltyAdapter } from './loyalty-adapter.ts';

const accountIds = createLedgerAccountIds();

const db = useTestDatabase(5);
const gatewayKey = await generateSigningKeyPair('ES256');
const partnerId = newId('ptn');
const programId = newId('prg');
await db
  .insertInto('partners')
  .values({ id: partnerId, name: 'Contract', status: 'active', webhook_url: null, loyalty_api_url: null })
  .execute();
await db
  .insertInto('programs')
  .values({ id: programId, partner_id: partnerId, name: 'Points', unit_name: 'points', ledger: 'hosted' })
  .execute();

const server = await startReferencePartner({
  db,
  schema: `ref_contract_${randomUUID().slice(0, 8)}`,
  partnerId,
  gatewayIssuer: 'points-alliance-gateway',
  gatewayPublicKeys: () => [gatewayKey.publicJwk],
});
const http = createHttpAdapter({
  baseUrl: server.url,
  partnerId,
  gatewayIssuer: 'points-alliance-gateway',
  gatewayKey,
  callTimeoutMs: 2_000,
});
afterAll(async () => {
  await http.close();
  await server.close();
});

const adapters: {
  name: string;
  adapter: LoyaltyAdapter;
  seed(accountRef: string, points: bigint, expiresAt?: Date | null): Promise<void>;
  /** What the account's available points are made of, soonest expiry first. */
  expiryProfile(accountRef: string): Promise<{ points: bigint; expiresAt: Date | null }[]>;
}[] = [
  {
    name: 'hosted',
    adapter: createHostedAdapter(db, accountIds, programId),
    seed: async (accountRef, points, expiresAt = null) => {
      if (points === 0n) await ensureAccount(db, programId, accountRef, 'member');
      else
        await creditPoints(db, accountIds, {
          programId,
          key: `seed-${accountRef}-${randomUUID()}`,
          accountRef,
          points,
          reason: 'seed',
          carriedExpiry: [{ points, expiresAt }],
        });
    },
    expiryProfile: async (accountRef) => (await readBalance(db, programId, accountRef))?.expiryProfile ?? [],
  },
  {
    name: 'http',
    adapter: http,
    seed: (accountRef, points, expiresAt = null) => server.books.openAccount(accountRef, points, expiresAt),
    expiryProfile: (accountRef) => server.books.expiryProfile(accountRef),
  },
];

describe.each(adapters)('the $name adapter', ({ adapter, seed, expiryProfile }) => {
  const expiresAt = () => new Date(Date.now() + 60_000);

  it('reserves, posts and reports both in the period', async () => {
    const from = new Date(Date.now() - 1_000);
    const account = `acct-${randomUUID()}`;
    await seed(account, 1_000n);
    const key = randomUUID();
    expect(
      await adapter.reserve({
        key: `${key}:reserve`,
        accountRef: account,
        points: 600n,
        expiresAt: expiresAt(),
        reason: 'test',
      }),
    ).toEqual({ outcome: 'done', expiryProfile: [{ points: 600n, expiresAt: null }] });
    expect(
      await adapter.reserve({
        key: `${key}:reserve`,
        accountRef: account,
        points: 600n,
        expiresAt: expiresAt(),
        reason: 'test',
      }),
    ).toEqual({ outcome: 'done', expiryProfile: [{ points: 600n, expiresAt: null }] });
    expect(await adapter.post({ key: `${key}:post`, reservationKey: `${key}:reserve` })).toEqual({
      outcome: 'done',
    });
    expect(await adapter.balance(account)).toEqual({
      accountRef: account,
      availablePoints: 400n,
      postedPoints: 400n,
    });
    const transactions = await adapter.transactions({ from, to: new Date(Date.now() + 1_000) });
    expect(
      transactions
        .filter((row) => row.key.startsWith(key))
        .map((row) => [row.operation, row.points, row.accountRef, row.status]),
    ).toEqual([
      // Both report statuses in the contract's words: the reservation as it stands now.
      ['reserve', 600n, account, 'posted'],
      ['post', 600n, account, 'posted'],
    ]);
  });

  it('holds the soonest-expiring points first, says so, and gives them back on a void', async () => {
    const account = `acct-${randomUUID()}`;
    const soon = new Date('2031-01-01T00:00:00.000Z');
    const later = new Date('2031-07-01T00:00:00.000Z');
    await seed(account, 100n, later);
    await seed(account, 100n, soon);
    await seed(account, 100n, null);
    const key = randomUUID();
    const held = [
      { points: 100n, expiresAt: soon },
      { points: 50n, expiresAt: later },
    ];
    const reserve = () =>
      adapter.reserve({
        key: `${key}:r`,
        accountRef: account,
        points: 150n,
        expiresAt: expiresAt(),
        reason: 'test',
      });
    expect(await reserve()).toEqual({ outcome: 'done', expiryProfile: held });
    expect(await reserve()).toEqual({ outcome: 'done', expiryProfile: held });
    expect(await expiryProfile(account)).toEqual([
      { points: 50n, expiresAt: later },
      { points: 100n, expiresAt: null },
    ]);
    await adapter.void({ key: `${key}:v`, reservationKey: `${key}:r` });
    expect(await expiryProfile(account)).toEqual([
      { points: 100n, expiresAt: soon },
      { points: 100n, expiresAt: later },
      { points: 100n, expiresAt: null },
    ]);
  });

  it('credits points that keep the expiry the credit carries', async () => {
    const account = `acct-${randomUUID()}`;
    await seed(account, 0n);
    const carried = [
      { points: 30n, expiresAt: new Date('2031-02-01T00:00:00.000Z') },
      { points: 40n, expiresAt: null },
    ];
    expect(
      await adapter.credit({
        key: `${randomUUID()}:credit`,
        accountRef: account,
        points: 70n,
        reason: 'transfer in',
        expiryProfile: carried,
      }),
    ).toEqual({ outcome: 'done' });
    expect(await expiryProfile(account)).toEqual(carried);
  });

  it('refuses for good what the member cannot pay, and voids a reservation', async () => {
    const account = `acct-${randomUUID()}`;
    await seed(account, 100n);
    const key = randomUUID();
    expect(
      await adapter.reserve({
        key: `${key}:big`,
        accountRef: account,
        points: 101n,
        expiresAt: expiresAt(),
        reason: 'test',
      }),
    ).toMatchObject({
      outcome: 'refused',
      code: 'insufficient_points',
    });
    await adapter.reserve({
      key: `${key}:r`,
      accountRef: account,
      points: 100n,
      expiresAt: expiresAt(),
      reason: 'test',
    });
    expect(await adapter.void({ key: `${key}:v`, reservationKey: `${key}:r` })).toEqual({ outcome: 'done' });
    expect((await adapter.balance(account))?.availablePoints).toBe(100n);
  });

  it('credits once per key and reverses a credit in parts, never past it, a repeat answering the same', async () => {
    const account = `acct-${randomUUID()}`;
    await seed(account, 0n);
    const key = randomUUID();
    const creditKey = `${key}:credit`;
    await adapter.credit({ key: creditKey, accountRef: account, points: 70n, reason: 'test' });
    await adapter.credit({ key: creditKey, accountRef: account, points: 70n, reason: 'test' });
    expect((await adapter.balance(account))?.availablePoints).toBe(70n);
    const reverse = (suffix: string, points: bigint) =>
      adapter.reverseCredit({ key: `${key}:${suffix}`, creditKey, points, reason: 'test' });
    expect(await reverse('r1', 30n)).toEqual({ outcome: 'done', reversedPoints: 30n });
    expect(await reverse('r1', 30n)).toEqual({ outcome: 'done', reversedPoints: 30n });
    // Only 40 are left unreversed: asking for 50 takes 40.
    expect(await reverse('r2', 50n)).toEqual({ outcome: 'done', reversedPoints: 40n });
    expect(await reverse('r3', 1n)).toMatchObject({ outcome: 'refused', code: 'insufficient_points' });
    expect((await adapter.balance(account))?.availablePoints).toBe(0n);
  });

  it('reverses only what the member still has of a credit', async () => {
    const account = `acct-${randomUUID()}`;
    await seed(account, 0n);
    const key = randomUUID();
    await adapter.credit({ key: `${key}:credit`, accountRef: account, points: 50n, reason: 'test' });
    // The member spends 35 of the 50 points.
    expect(
      await adapter.reserve({
        key: `${key}:spend`,
        accountRef: account,
        points: 35n,
        expiresAt: new Date(Date.now() + 60_000),
        reason: 'spent',
      }),
    ).toEqual({ outcome: 'done', expiryProfile: [{ points: 35n, expiresAt: null }] });
    expect(await adapter.post({ key: `${key}:spent`, reservationKey: `${key}:spend` })).toEqual({
      outcome: 'done',
    });
    expect(
      await adapter.reverseCredit({
        key: `${key}:reverse`,
        creditKey: `${key}:credit`,
        points: 50n,
        reason: 'test',
      }),
    ).toEqual({ outcome: 'done', reversedPoints: 15n });
    expect(
      await adapter.reverseCredit({
        key: `${key}:again`,
        creditKey: `${key}:credit`,
        points: 35n,
        reason: 'test',
      }),
    ).toMatchObject({ outcome: 'refused', code: 'insufficient_points' });
    expect((await adapter.balance(account))?.availablePoints).toBe(0n);
  });

  it('refuses to reverse a credit it never made', async () => {
    expect(
      await adapter.reverseCredit({
        key: `${randomUUID()}:reverse`,
        creditKey: 'no-such-credit',
        points: 1n,
        reason: 'test',
      }),
    ).toMatchObject({ outcome: 'refused', code: 'credit_unknown' });
  });

  it('fences a key it is asked about before the key arrives', async () => {
    const account = `acct-${randomUUID()}`;
    await seed(account, 10n);
    const key = `${randomUUID()}:credit`;
    expect(await adapter.outcome(key)).toBe('abandoned');
    expect(await adapter.credit({ key, accountRef: account, points: 5n, reason: 'late' })).toMatchObject({
      outcome: 'refused',
      code: 'operation_abandoned',
    });
    expect((await adapter.balance(account))?.availablePoints).toBe(10n);
  });
});
