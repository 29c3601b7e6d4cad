// Quotes through the API: the reply is stored with the quote, so a repeat gets it byte for byte;
// a missing link names the programme's field; nothing is stored for a refused quote; the key's claim
// reads the quote's context in its own statement, and claims as any other claim does.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { quoteContextWithClaim } from '../../services/quotes.ts';
import { claimIdempotencyKey } from '../../store/idempotency.ts';
import { insertQuote, readQuoteContext } from '../../store/quotes.ts';
import { agreeRate, linkMember } from '../../test/support/exchange.ts';
import { createTestGateway } from '../../test/support/gateway.ts';
import { hashRequest } from '../idempotency.ts';

const gateway = await createTestGateway();
const coffee = await gateway.onboardPartner('Quote Coffee', undefined, { ledger: 'hosted' });
const airline = await gateway.onboardPartner('Quote Airline', undefined, { ledger: 'hosted' });
const program = (partner: typeof coffee) => partner.partner.programs[0]?.id ?? '';

const owner = (partner: typeof coffee) => ({ signer: partner.signer, programId: program(partner) });
await agreeRate(gateway, owner(coffee), owner(airline), {
  fromPoints: '10',
  toPoints: '7',
  sourcePointsMin: '10',
  sourcePointsMax: '100000',
  memberDailyCapSourcePoints: '50000',
});
const member = (...partners: (typeof coffee)[]) => linkMember(gateway, partners.map(owner));

async function quotesOf(memberId: string): Promise<number> {
  const rows = await gateway.db.selectFrom('quotes').select('id').where('member_id', '=', memberId).execute();
  return rows.length;
}

function quoteRequest(memberId: string, idempotencyKey: string) {
  return {
    body: {
      memberId,
      sourceProgramId: program(coffee),
      targetProgramId: program(airline),
      sourcePoints: '100',
    },
    idempotencyKey,
  };
}

describe('POST /v1/quotes', () => {
  it('stores the reply with the quote: a repeat gets the same bytes and no second quote', async () => {
    const memberId = await member(coffee, airline);
    const first = await gateway.call(coffee.signer, 'POST', '/v1/quotes', quoteRequest(memberId, 'q-1'));
    const second = await gateway.call(coffee.signer, 'POST', '/v1/quotes', quoteRequest(memberId, 'q-1'));
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    const [firstText, secondText] = [await first.text(), await second.text()];
    expect(secondText).toBe(firstText);
    const quote = JSON.parse(firstText) as { id: string; creditPoints: string; debitPoints: string };
    expect(quote).toMatchObject({ creditPoints: '70', debitPoints: '100' });
    expect(await quotesOf(memberId)).toBe(1);
    const record = await gateway.db
      .selectFrom('idempotency_records')
      .selectAll()
      .where('principal', '=', coffee.partner.id)
      .where('key', '=', 'q-1')
      .executeTakeFirstOrThrow();
    expect(record).toMatchObject({ status: 'completed', response_status: 201, response_body: firstText });
  });

  it('names the programme whose link is missing, and stores no quote', async () => {
    const onlyCoffee = await member(coffee);
    const onlyAirline = await member(airline);
    for (const [memberId, field] of [
      [onlyCoffee, 'targetProgramId'],
      [onlyAirline, 'sourceProgramId'],
    ] as const) {
      const response = await gateway.call(
        coffee.signer,
        'POST',
        '/v1/quotes',
        quoteRequest(memberId, `q-${field}`),
      );
      expect(response.status).toBe(422);
      const problem = (await response.json()) as { code: string; errors: { field: string }[] };
      expect(problem.code).toBe('member_link_missing');
      expect(problem.errors.map((error) => error.field)).toEqual([field]);
      expect(await quotesOf(memberId)).toBe(0);
    }
  });

  it('refuses a signed quote request sent again under a new key, and claims nothing for it', async () => {
    const memberId = await member(coffee, airline);
    const { body } = quoteRequest(memberId, 'unused');
    const token = await coffee.signer.sign('POST', '/v1/quotes', JSON.stringify(body));
    const headers = { authorization: `Bearer ${token}` };
    const first = await gateway.call(null, 'POST', '/v1/quotes', { body, headers, idempotencyKey: 'jti-1' });
    expect(first.status).toBe(201);
    const again = await gateway.call(null, 'POST', '/v1/quotes', { body, headers, idempotencyKey: 'jti-2' });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { code: string }).code).toBe('signature_replayed');
    const claimed = await gateway.db
      .selectFrom('idempotency_records')
      .select('key')
      .where('principal', '=', coffee.partner.id)
      .where('key', '=', 'jti-2')
      .execute();
    expect(claimed).toEqual([]);
    expect(await quotesOf(memberId)).toBe(1);
  });

  it("reads the quote's context in its key's claim, which claims, refuses a replay and finds a key as always", async () => {
    const memberId = await member(coffee, airline);
    const input = {
      memberId,
      sourceProgramId: program(coffee),
      targetProgramId: program(airline),
      now: new Date(),
    };
    const jti = { issuer: coffee.partner.id, jti: randomUUID(), expiresAt: new Date(Date.now() + 60_000) };
    const claim = (key: string, token: typeof jti, reading = quoteContextWithClaim(input)) =>
      claimIdempotencyKey(gateway.db, {
        principal: coffee.partner.id,
        key,
        requestHash: 'hash-of-the-request',
        lockSeconds: 30,
        jti: token,
        asyncCommit: true,
        insertWith: reading.claim,
      }).then((outcome) => ({ outcome, read: reading.read() }));

    const first = await claim('q-read', jti);
    expect(first.outcome).toEqual({ outcome: 'claimed', effectId: null });
    expect(first.read?.input).toEqual(input);
    // The same figures a read of its own gives: the links, the day's debits, the agreement in force.
    expect(first.read?.context).toEqual(await readQuoteContext(gateway.db, input));
    expect(first.read?.context.version?.version).toBeGreaterThan(0);
    expect(first.read?.context.source.link_tier).not.toBeUndefined();

    const replayed = await claim('q-read-again', jti);
    expect(replayed.outcome).toEqual({ outcome: 'replayed' });
    const another = { ...jti, jti: randomUUID() };
    const existing = await claim('q-read', another);
    expect(existing.outcome).toMatchObject({
      outcome: 'existing',
      record: { key: 'q-read', status: 'in_progress', request_hash: 'hash-of-the-request' },
    });
    const keys = await gateway.db
      .selectFrom('idempotency_records')
      .select('key')
      .where('principal', '=', coffee.partner.id)
      .where('key', 'in', ['q-read', 'q-read-again'])
      .execute();
    expect(keys.map((row) => row.key)).toEqual(['q-read']);
    const nonces = await gateway.db
      .selectFrom('request_nonces')
      .select('jti')
      .where('jti', 'in', [jti.jti, another.jti])
      .execute();
    expect(nonces.map((row) => row.jti).sort()).toEqual([jti.jti, another.jti].sort());
  });

  it('answers a retry of a request whose process died between its claim and its quote, once the lease ran out', async () => {
    const memberId = await member(coffee, airline);
    const request = quoteRequest(memberId, 'q-died');
    // What a killed gateway leaves: the key claimed (with its context read), no quote, no answer.
    const bytes = new TextEncoder().encode(JSON.stringify(request.body));
    const died = await claimIdempotencyKey(gateway.db, {
      principal: coffee.partner.id,
      key: 'q-died',
      requestHash: hashRequest('POST', '/v1/quotes', bytes),
      lockSeconds: 0,
      jti: { issuer: coffee.partner.id, jti: randomUUID(), expiresAt: new Date(Date.now() + 60_000) },
      asyncCommit: true,
      insertWith: quoteContextWithClaim({ ...request.body, now: new Date() }).claim,
    });
    expect(died).toEqual({ outcome: 'claimed', effectId: null });
    expect(await quotesOf(memberId)).toBe(0);

    const retried = await gateway.call(coffee.signer, 'POST', '/v1/quotes', request);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const again = await gateway.call(coffee.signer, 'POST', '/v1/quotes', request);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(await retried.text());
    expect(await quotesOf(memberId)).toBe(1);
  });

  it('writes no quote for a run whose key was taken over and answered by the retry', async () => {
    const memberId = await member(coffee, airline);
    const request = quoteRequest(memberId, 'q-stalled');
    const bytes = new TextEncoder().encode(JSON.stringify(request.body));
    // The stalled run: its key claimed, its lease run out while its event loop was blocked.
    const stalled = await claimIdempotencyKey(gateway.db, {
      principal: coffee.partner.id,
      key: 'q-stalled',
      requestHash: hashRequest('POST', '/v1/quotes', bytes),
      lockSeconds: 0,
      jti: { issuer: coffee.partner.id, jti: randomUUID(), expiresAt: new Date(Date.now() + 60_000) },
      asyncCommit: true,
      insertWith: quoteContextWithClaim({ ...request.body, now: new Date() }).claim,
    });
    expect(stalled).toEqual({ outcome: 'claimed', effectId: null });
    const retried = await gateway.call(coffee.signer, 'POST', '/v1/quotes', request);
    expect(retried.status).toBe(201);
    const answered = await retried.text();

    // The stalled run wakes up and writes its own quote with its own reply: nothing is written.
    const { created_at, ...retriedQuote } = await gateway.db
      .selectFrom('quotes')
      .selectAll()
      .where('member_id', '=', memberId)
      .executeTakeFirstOrThrow();
    const stalledQuote = { ...retriedQuote, id: `qte_${randomUUID()}` };
    const written = await insertQuote(
      gateway.db,
      stalledQuote,
      new Date(),
      {
        principal: coffee.partner.id,
        key: 'q-stalled',
        status: 201,
        contentType: 'application/json',
        body: JSON.stringify({ id: stalledQuote.id }),
      },
      { asyncCommit: true },
    );
    expect(written).toBe(false);
    expect(await quotesOf(memberId)).toBe(1);
    const again = await gateway.call(coffee.signer, 'POST', '/v1/quotes', request);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(answered);
  });
});
