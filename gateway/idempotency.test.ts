// A POST repeated with the same Idempotency-Key returns the first answer and does nothing twice;
// the same key with another request is a 409; concurrent duplicates run the handler once.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../domain/errors.ts';
import { claimIdempotencyKey } from '../store/idempotency.ts';
import { createTestGateway } from '../test/support/gateway.ts';
import { createSigner } from '../test/support/signer.ts';
import { signedRequests } from './auth/signed-by.ts';
import { replyStoredWithEffect } from './idempotency.ts';

const gateway = await createTestGateway();

/**
 * A gateway with a route whose first run stalls until released (as a run whose event loop was
 * blocked past its lease) and whose later runs answer at once. Routes are added before its first
 * request: the router is built then.
 */
async function stallingGateway() {
  const stalling = {
    gateway: await createTestGateway(),
    path: '/v1/test/stalled',
    runs: 0,
    release: () => {},
  };
  const stalled = new Promise<void>((resolve) => {
    stalling.release = resolve;
  });
  const [signed, claimed] = signedRequests('operator');
  if (!signed || !claimed) throw new Error('the signature check and the claim go together');
  stalling.gateway.app.post(stalling.path, signed, claimed, async (c) => {
    stalling.runs += 1;
    if (stalling.runs === 1) {
      await stalled;
      return c.json({ run: 'stalled' }, 422);
    }
    return c.json({ run: 'retry' }, 201);
  });
  // A route whose statement, meant to store its reply with its effect, fails: nothing committed.
  stalling.gateway.app.post('/v1/test/effect-statement-fails', signed, claimed, (c) => {
    replyStoredWithEffect(c, 201, { stored: true });
    throw new ProblemError('amount_out_of_range', 'the statement refused the figure');
  });
  return stalling;
}
const stalling = await stallingGateway();

async function partnerBody(name: string) {
  const signer = await createSigner('pending');
  return {
    name,
    programs: [{ name: `${name} Club`, unitName: 'points', ledger: 'hosted' }],
    keys: [signer.key.publicJwk],
  };
}

async function countPartnersNamed(name: string): Promise<number> {
  const rows = await gateway.db.selectFrom('partners').select('id').where('name', '=', name).execute();
  return rows.length;
}

describe('Idempotency-Key on POST', () => {
  it('replays the first answer for a repeated request and creates nothing more', async () => {
    const body = await partnerBody('Replay Books');
    const first = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      body,
      idempotencyKey: 'k-1',
    });
    const second = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      body,
      idempotencyKey: 'k-1',
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect(await countPartnersNamed('Replay Books')).toBe(1);
  });

  it('refuses the same key with a different body', async () => {
    const key = 'k-conflict';
    const first = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      body: await partnerBody('Conflict One'),
      idempotencyKey: key,
    });
    expect(first.status).toBe(201);
    const second = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      body: await partnerBody('Conflict Two'),
      idempotencyKey: key,
    });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { code: string }).code).toBe('idempotency_key_reused');
    expect(await countPartnersNamed('Conflict Two')).toBe(0);
  });

  it('runs concurrent duplicates once', async () => {
    const body = await partnerBody('Concurrent Cinema');
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
          body,
          idempotencyKey: 'k-concurrent',
        }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    expect(statuses).toContain(201);
    for (const response of responses.filter((candidate) => candidate.status === 409)) {
      expect(((await response.json()) as { code: string }).code).toBe('idempotency_request_in_progress');
      expect(response.headers.get('retry-after')).toBe('1');
    }
    expect(await countPartnersNamed('Concurrent Cinema')).toBe(1);
  });

  it('keeps the first answer when a run whose lease was taken over answers after it', async () => {
    // A stalled run (its event loop blocked past the lease) is taken over by a retry, which answers;
    // then the stalled run answers too, differently. The key keeps the retry's answer, and the
    // stalled run's caller is given it as well.
    const key = `k-takeover-${randomUUID()}`;
    const send = () =>
      stalling.gateway.call(stalling.gateway.operator, 'POST', stalling.path, {
        body: {},
        idempotencyKey: key,
      });
    const first = send();
    await expect.poll(() => stalling.runs).toBe(1);
    await stalling.gateway.db
      .updateTable('idempotency_records')
      .set({ locked_until: new Date(Date.now() - 1_000) })
      .where('key', '=', key)
      .execute();
    const retry = await send();
    expect(retry.status, await retry.clone().text()).toBe(201);
    stalling.release();
    const late = await first;
    expect(late.status).toBe(201);
    expect(await late.json()).toEqual({ run: 'retry' });
    const again = await send();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual({ run: 'retry' });
  });

  it('answers and stores the refusal of a statement that was to store its reply with its effect', async () => {
    const key = `k-effect-fails-${randomUUID()}`;
    const send = () =>
      stalling.gateway.call(stalling.gateway.operator, 'POST', '/v1/test/effect-statement-fails', {
        body: {},
        idempotencyKey: key,
      });
    expect((await send()).status).toBe(422);
    // The key is not left claimed until its lease runs out: the retry gets the refusal at once.
    const retry = await send();
    expect(retry.status).toBe(422);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('keeps keys of different callers apart', async () => {
    const claim = (principal: string) =>
      claimIdempotencyKey(gateway.db, { principal, key: 'shared-key', requestHash: 'h', lockSeconds: 30 });
    expect(await claim('ptn_a')).toEqual({ outcome: 'claimed', effectId: null });
    expect(await claim('ptn_b')).toEqual({ outcome: 'claimed', effectId: null });
    expect((await claim('ptn_a')).outcome).toBe('existing');
  });

  it("records a signed request's jti with its claim, and claims nothing for the jti again", async () => {
    const jti = { issuer: 'ptn_jti', jti: randomUUID(), expiresAt: new Date(Date.now() + 60_000) };
    const claim = (key: string) =>
      claimIdempotencyKey(gateway.db, { principal: 'ptn_jti', key, requestHash: 'h', lockSeconds: 30, jti });
    expect(await claim('jti-key-1')).toEqual({ outcome: 'claimed', effectId: null });
    expect(await claim('jti-key-2')).toEqual({ outcome: 'replayed' });
    const nonces = await gateway.db
      .selectFrom('request_nonces')
      .select(['issuer', 'jti', 'expires_at'])
      .where('issuer', '=', 'ptn_jti')
      .execute();
    expect(nonces).toEqual([{ issuer: 'ptn_jti', jti: jti.jti, expires_at: jti.expiresAt }]);
    const keys = await gateway.db
      .selectFrom('idempotency_records')
      .select('key')
      .where('principal', '=', 'ptn_jti')
      .execute();
    expect(keys).toEqual([{ key: 'jti-key-1' }]);
  });

  it('requires the header on every POST', async () => {
    const response = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      body: await partnerBody('No Key'),
      idempotencyKey: null,
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('idempotency_key_missing');
    expect(problem.errors[0]?.field).toBe('header.Idempotency-Key');
  });
});
