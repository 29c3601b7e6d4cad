// Points a hosted programme's partner credits its members, keyed by the request's Idempotency-Key.
// Goal: a key credits once, whatever becomes of the request (repeated; its process dead after the
// credit committed), and the same key used again once its record is gone (72 h) credits anew, for
// whichever account it names, rather than replaying an older credit. Method: the signed API over a
// real PostgreSQL; the record's states a crash or housekeeping leave are set in the database.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestGateway } from '../support/gateway.ts';

const gateway = await createTestGateway();
const { partner, signer } = await gateway.onboardPartner('Credit Books', undefined, { ledger: 'hosted' });
const programId = partner.programs[0]?.id ?? '';

const credit = (accountRef: string, points: number, idempotencyKey: string) =>
  gateway.call(signer, 'POST', `/v1/programs/${programId}/accounts/${accountRef}/credits`, {
    body: { points: String(points), reason: 'earned' },
    idempotencyKey,
  });

async function available(accountRef: string): Promise<string> {
  const response = await gateway.call(signer, 'GET', `/v1/programs/${programId}/accounts/${accountRef}`);
  if (response.status === 404) return '0';
  return ((await response.json()) as { availablePoints: string }).availablePoints;
}

const record = (key: string) => gateway.db.updateTable('idempotency_records').where('key', '=', key);

describe('crediting a hosted member', () => {
  it('credits once for a key repeated, and once when its process died after the credit', async () => {
    const account = `acct-${randomUUID()}`;
    const key = `credit-${randomUUID()}`;
    expect((await credit(account, 100, key)).status).toBe(201);
    const repeated = await credit(account, 100, key);
    expect(repeated.headers.get('idempotent-replayed')).toBe('true');
    // The process died after the credit committed, before its answer was stored: the key is still
    // claimed, bound to its credit, and its lease has run out.
    await record(key)
      .set({ status: 'in_progress', response_status: null, response_body: null, locked_until: new Date(0) })
      .execute();
    expect((await credit(account, 100, key)).status).toBe(201);
    expect(await available(account)).toBe('100');
  });

  it('credits anew when a key is used again after its record is gone, for the account it names', async () => {
    const first = `acct-${randomUUID()}`;
    const second = `acct-${randomUUID()}`;
    const key = `credit-${randomUUID()}`;
    expect((await credit(first, 100, key)).status).toBe(201);
    await gateway.db.deleteFrom('idempotency_records').where('key', '=', key).execute();
    const again = await credit(second, 50, key);
    expect(again.status).toBe(201);
    expect(await available(second)).toBe('50');
    expect(await available(first)).toBe('100');
  });
});
