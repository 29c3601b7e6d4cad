// The reference partner's fault switches never change a key's answer: a key is applied at most once,
// a repeat gets the first answer whatever is armed, and a refusal is kept as the key's answer. Each
// test arms a switch on a real server and drives it over signed HTTP, as the gateway does.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHttpAdapter } from '../adapters/http.ts';
import { PartnerUnavailableError } from '../adapters/loyalty-adapter.ts';
import { generateSigningKeyPair } from '../signing/keys.ts';
import { useTestDatabase } from '../test/support/database.ts';
import { startReferencePartner } from './server.ts';

const db = useTestDatabase(5);
const gatewayKey = await generateSigningKeyPair('ES256');
const partnerId = `ptn_faults_${randomUUID().slice(0, 8)}`;
const server = await startReferencePartner({
  db,
  schema: `ref_faults_${randomUUID().slice(0, 8)}`,
  partnerId,
  gatewayIssuer: 'points-alliance-gateway',
  gatewayPublicKeys: () => [gatewayKey.publicJwk],
});
const partner = createHttpAdapter({
  baseUrl: server.url,
  partnerId,
  gatewayIssuer: 'points-alliance-gateway',
  gatewayKey,
  callTimeoutMs: 2_000,
});
afterEach(() => server.faults.clear());
afterAll(async () => {
  await partner.close();
  await server.close();
});

async function account(points: bigint): Promise<string> {
  const accountRef = `acct-${randomUUID()}`;
  await server.books.openAccount(accountRef, points);
  return accountRef;
}

const inAMinute = () => new Date(Date.now() + 60_000);
const reserve = (key: string, accountRef: string, points: bigint) =>
  partner.reserve({ key, accountRef, points, expiresAt: inAMinute(), reason: 'test' });
const available = async (accountRef: string) => (await partner.balance(accountRef))?.availablePoints;

describe('a repeat of a key that took effect', () => {
  it('gets the first answer while a refusal is armed, and the refusal waits for a new key', async () => {
    const accountRef = await account(1_000n);
    const key = `${randomUUID()}:reserve`;
    expect(await reserve(key, accountRef, 300n)).toEqual({
      outcome: 'done',
      expiryProfile: [{ points: 300n, expiresAt: null }],
    });
    server.faults.add({ operation: 'reserve', mode: 'refuse', count: 1, delayMs: 0, code: 'account_closed' });

    expect(await reserve(key, accountRef, 300n)).toEqual({
      outcome: 'done',
      expiryProfile: [{ points: 300n, expiresAt: null }],
    });
    expect(server.faults.pending()).toHaveLength(1);
    expect(await available(accountRef)).toBe(700n);

    const fresh = `${randomUUID()}:reserve`;
    expect(await reserve(fresh, accountRef, 300n)).toMatchObject({
      outcome: 'refused',
      code: 'account_closed',
    });
    expect(await available(accountRef)).toBe(700n);
  });

  it('is applied once when its answer is lost and the retry meets a refusal (the lost-answer case)', async () => {
    const accountRef = await account(0n);
    const key = `${randomUUID()}:credit`;
    server.faults.add({ operation: 'credit', mode: 'fail_after', count: 1, delayMs: 0, code: 'refused' });
    await expect(partner.credit({ key, accountRef, points: 70n, reason: 'test' })).rejects.toBeInstanceOf(
      PartnerUnavailableError,
    );
    server.faults.add({ operation: 'credit', mode: 'refuse', count: 1, delayMs: 0, code: 'account_closed' });

    expect(await partner.credit({ key, accountRef, points: 70n, reason: 'test' })).toEqual({
      outcome: 'done',
    });
    expect(await available(accountRef)).toBe(70n);
    expect(await partner.outcome(key)).toBe('succeeded');
  });

  it('may lose or delay its answer again, but never applies twice', async () => {
    const accountRef = await account(0n);
    const key = `${randomUUID()}:credit`;
    expect(await partner.credit({ key, accountRef, points: 40n, reason: 'test' })).toEqual({
      outcome: 'done',
    });
    server.faults.add({ operation: 'credit', mode: 'fail_after', count: 1, delayMs: 0, code: 'refused' });
    server.faults.add({ operation: 'credit', mode: 'fail_before', count: 1, delayMs: 0, code: 'refused' });
    await expect(partner.credit({ key, accountRef, points: 40n, reason: 'test' })).rejects.toBeInstanceOf(
      PartnerUnavailableError,
    );
    await expect(partner.credit({ key, accountRef, points: 40n, reason: 'test' })).rejects.toBeInstanceOf(
      PartnerUnavailableError,
    );
    expect(await partner.credit({ key, accountRef, points: 40n, reason: 'test' })).toEqual({
      outcome: 'done',
    });
    expect(await available(accountRef)).toBe(40n);
  });
});

describe('a refused key', () => {
  it('keeps an injected refusal as its answer once the switch is spent', async () => {
    const accountRef = await account(500n);
    const key = `${randomUUID()}:reserve`;
    server.faults.add({ operation: 'reserve', mode: 'refuse', count: 1, delayMs: 0, code: 'account_closed' });
    expect(await reserve(key, accountRef, 100n)).toMatchObject({
      outcome: 'refused',
      code: 'account_closed',
    });
    expect(server.faults.pending()).toEqual([]);

    expect(await reserve(key, accountRef, 100n)).toMatchObject({
      outcome: 'refused',
      code: 'account_closed',
    });
    expect(await available(accountRef)).toBe(500n);
    expect(await partner.outcome(key)).toBe('abandoned');
  });

  it('keeps a refusal of its own as its answer, even once the member could pay', async () => {
    const accountRef = await account(50n);
    const key = `${randomUUID()}:reserve`;
    expect(await reserve(key, accountRef, 100n)).toMatchObject({
      outcome: 'refused',
      code: 'insufficient_points',
    });
    await server.books.openAccount(accountRef, 100n);
    expect(await reserve(key, accountRef, 100n)).toMatchObject({
      outcome: 'refused',
      code: 'insufficient_points',
    });
    expect(await available(accountRef)).toBe(150n);
  });

  it('is left out of the period’s transactions', async () => {
    const from = new Date(Date.now() - 1_000);
    const accountRef = await account(10n);
    const key = `${randomUUID()}:reserve`;
    await reserve(key, accountRef, 100n);
    const transactions = await partner.transactions({ from, to: new Date(Date.now() + 1_000) });
    expect(transactions.filter((row) => row.key === key)).toEqual([]);
  });
});

describe('a fault for some accounts alone', () => {
  it("disturbs only calls for accounts under its prefix, those naming an earlier key's account included", async () => {
    const prefix = `mine-${randomUUID().slice(0, 8)}-`;
    const mine = `${prefix}member`;
    await server.books.openAccount(mine, 1_000n);
    const theirs = await account(1_000n);
    const scoped = { count: 1, delayMs: 0, code: 'account_closed', accountRefPrefix: prefix } as const;
    server.faults.add({ ...scoped, operation: 'credit', mode: 'refuse' });

    expect(
      await partner.credit({ key: `${randomUUID()}:credit`, accountRef: theirs, points: 5n, reason: 'test' }),
    ).toEqual({ outcome: 'done' });
    expect(server.faults.pending()).toHaveLength(1);
    expect(
      await partner.credit({ key: `${randomUUID()}:credit`, accountRef: mine, points: 5n, reason: 'test' }),
    ).toMatchObject({ outcome: 'refused', code: 'account_closed' });

    // A post names only its reservation's key: the account is the reservation's.
    const theirHold = `${randomUUID()}:reserve`;
    const myHold = `${randomUUID()}:reserve`;
    await reserve(theirHold, theirs, 100n);
    await reserve(myHold, mine, 100n);
    server.faults.add({ ...scoped, operation: 'post', mode: 'fail_before' });
    expect(await partner.post({ key: `${randomUUID()}:post`, reservationKey: theirHold })).toEqual({
      outcome: 'done',
    });
    await expect(
      partner.post({ key: `${randomUUID()}:post`, reservationKey: myHold }),
    ).rejects.toBeInstanceOf(PartnerUnavailableError);
    expect(server.faults.pending()).toEqual([]);
  });

  it('is cleared with its prefix, leaving the others armed', () => {
    server.faults.add({
      operation: 'credit',
      mode: 'refuse',
      count: 1,
      delayMs: 0,
      code: 'x',
      accountRefPrefix: 'a-',
    });
    server.faults.add({
      operation: 'credit',
      mode: 'refuse',
      count: 1,
      delayMs: 0,
      code: 'y',
      accountRefPrefix: 'b-',
    });
    server.faults.clearFor('a-');
    expect(server.faults.pending().map((fault) => fault.code)).toEqual(['y']);
  });
});
