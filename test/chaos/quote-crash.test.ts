// A quote's writes (its key claim and jti, the quote and its stored reply) commit without waiting
// for the disk (store/async-commit.ts). Nothing of that may be lost when the gateway dies: with the
// gateway a real process, SIGKILLed and started again, a quote made before the kill is still spent
// once and only once, the very same signed requests (quote and transfer) sent again are refused, and
// the transfer's key, asked again, answers with the reply stored before the kill.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { signRequest } from '../../signing/request-token.ts';
import { useOwnTestDatabaseAt } from '../support/database.ts';
import { type ChaosProgram, chaosAudience, startChaosAlliance } from './alliance.ts';

const { db, url: databaseUrl } = await useOwnTestDatabaseAt('quote_crash', 2);
const alliance = await startChaosAlliance({
  databaseUrl,
  temporalAddress: inject('temporalAddress'),
  members: 1,
  seedPoints: 10_000n,
  connectionsMax: 2,
});
afterAll(() => alliance.stop());

/** One signed POST, kept so that the very same bytes (token, key, body) can be sent again. */
async function signedPost(program: ChaosProgram, path: string, body: unknown) {
  const text = JSON.stringify(body);
  const token = await signRequest({
    privateJwk: program.key.privateJwk,
    kid: program.key.kid,
    alg: program.key.alg,
    issuer: program.partnerId,
    audience: chaosAudience,
    method: 'POST',
    path,
    body: text,
    lifetimeSeconds: 300,
  });
  return (idempotencyKey: string) =>
    fetch(`${alliance.gatewayUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
      },
      body: text,
    });
}

async function crashGateway(): Promise<void> {
  await alliance.gateway.kill();
  await alliance.gateway.start();
}

async function problemCode(response: Response): Promise<{ status: number; code: unknown }> {
  return { status: response.status, code: ((await response.json()) as { code?: unknown }).code };
}

describe('a crash of the gateway', () => {
  it('loses no quote, spends it once, and refuses the same signed requests again', {
    timeout: 180_000,
  }, async () => {
    const { alpha, beta } = alliance.programs;
    const memberId = alliance.members[0]?.memberId ?? '';
    const quoteRequest = await signedPost(alpha, '/v1/quotes', {
      memberId,
      sourceProgramId: alpha.programId,
      targetProgramId: beta.programId,
      sourcePoints: '100',
    });
    const quoteKey = randomUUID();
    const quoted = await quoteRequest(quoteKey);
    expect(quoted.status).toBe(201);
    const quote = (await quoted.json()) as { id: string };
    // Killed the moment the answer is out: the quote's statements committed asynchronously.
    await crashGateway();

    expect(await problemCode(await quoteRequest(quoteKey))).toEqual({
      status: 401,
      code: 'signature_replayed',
    });
    expect(await problemCode(await quoteRequest(randomUUID()))).toEqual({
      status: 401,
      code: 'signature_replayed',
    });

    const transferRequest = await signedPost(alpha, '/v1/transfers', { quoteId: quote.id });
    const transferKey = randomUUID();
    const created = await transferRequest(transferKey);
    expect(created.status).toBe(201);
    const transfer = (await created.json()) as { id: string };
    await crashGateway();

    // The transfer's key, under a new token: its stored reply, unchanged.
    const retried = await (await signedPost(alpha, '/v1/transfers', { quoteId: quote.id }))(transferKey);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(((await retried.json()) as { id: string }).id).toBe(transfer.id);

    // The quote again, under a new key and a new token: the transfer it already started, no other.
    const again = await (await signedPost(alpha, '/v1/transfers', { quoteId: quote.id }))(randomUUID());
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(transfer.id);
    expect(await problemCode(await transferRequest(randomUUID()))).toEqual({
      status: 401,
      code: 'signature_replayed',
    });
    const spent = await db
      .selectFrom('transfers')
      .select(({ fn }) => fn.countAll<string>().as('count'))
      .where('quote_id', '=', quote.id)
      .executeTakeFirstOrThrow();
    expect(Number(spent.count)).toBe(1);
  });
});
