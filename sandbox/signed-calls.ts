// The sandbox builds its alliance through the sandbox gateway's own signed API, as an operator and
// its partners would: these are the few calls it makes, each under an Idempotency-Key derived from
// what it makes (and a body that is the same on every run), so that a run cut short and run again
// finds what the first made instead of making it twice.
import type { SignedCall, SignedClient, SignedResponse } from '../signing/signed-client.ts';

const inProgressRetriesMax = 30;

/**
 * Sends the call until it is answered with one of `expected` (or with a code in `alsoFine`), and
 * returns that answer. A 409 idempotency_request_in_progress (another run holds the same key) is
 * waited out; anything else is an error naming the call.
 */
export async function expectAnswer(
  client: SignedClient,
  call: SignedCall,
  expected: readonly number[],
  alsoFine: readonly string[] = [],
): Promise<SignedResponse> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await client.call(call);
    if (expected.includes(response.status)) return response;
    const code = problemCode(response);
    if (code !== undefined && alsoFine.includes(code)) return response;
    if (code === 'idempotency_request_in_progress' && attempt < inProgressRetriesMax) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    throw new Error(`sandbox: ${call.method} ${call.path} answered ${response.status}: ${response.text}`);
  }
}

function problemCode(response: SignedResponse): string | undefined {
  try {
    return response.json<{ code?: string }>().code;
  } catch {
    return undefined;
  }
}

export interface AgreementSide {
  client: SignedClient;
  programId: string;
}

/** Proposes `from` → `to` at `rate` and has `to` accept it (both under keys named by `key`). */
export async function agreeRate(
  from: AgreementSide,
  to: AgreementSide,
  input: { rate: readonly [string, string]; effectiveFrom: Date; key: string },
): Promise<void> {
  const proposed = await expectAnswer(
    from.client,
    {
      method: 'POST',
      path: '/v1/rate-agreements',
      idempotencyKey: `${input.key}:propose`,
      body: {
        sourceProgramId: from.programId,
        targetProgramId: to.programId,
        fromPoints: input.rate[0],
        toPoints: input.rate[1],
        feeBasisPoints: 100,
        feePayer: 'source_partner',
        sourcePointsMin: '10',
        sourcePointsMax: '100000',
        memberDailyCapSourcePoints: '100000',
        settlement: { amountMinor: '1', perTargetPoints: '1', currency: 'CNY' },
        effectiveFrom: input.effectiveFrom.toISOString(),
      },
    },
    [201],
  );
  const version = proposed.json<{ agreementId: string; version: number }>();
  await expectAnswer(
    to.client,
    {
      method: 'POST',
      path: `/v1/rate-agreements/${version.agreementId}/versions/${version.version}/accept`,
      idempotencyKey: `${input.key}:accept`,
    },
    [200],
  );
}

/** Links the member (a new one when memberId is null) to a programme its owner signs for. */
export async function linkMember(
  owner: AgreementSide,
  input: {
    memberId: string | null;
    accountRef: string;
    grantedAt: Date;
    key: string;
    scopes: readonly ('transfers' | 'pull_transfers' | 'redemptions')[];
  },
): Promise<string> {
  const linked = await expectAnswer(
    owner.client,
    {
      method: 'POST',
      path: '/v1/member-links',
      idempotencyKey: input.key,
      body: {
        memberId: input.memberId,
        programId: owner.programId,
        accountRef: input.accountRef,
        consent: {
          grantedAt: input.grantedAt.toISOString(),
          scopes: input.scopes,
          reference: 'sandbox demo member',
        },
      },
    },
    [201],
  );
  return linked.json<{ memberId: string }>().memberId;
}
