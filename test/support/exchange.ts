// Helpers for tests that quote or move points: a member linked to programmes with transfer consent,
// and a rate agreement both sides accepted.
import { expect } from 'vitest';
import type { TestGateway } from './gateway.ts';
import type { Signer } from './signer.ts';

export interface ProgramOwner {
  signer: Signer;
  programId: string;
}

/** Links one new member to each programme in turn (its owner signs), and returns the member id. */
export async function linkMember(
  gateway: TestGateway,
  owners: ProgramOwner[],
  options: { tier?: string } = {},
): Promise<string> {
  let memberId: string | null = null;
  for (const owner of owners) {
    const response = await gateway.call(owner.signer, 'POST', '/v1/member-links', {
      body: {
        memberId,
        programId: owner.programId,
        accountRef: `acct-${Math.random()}`,
        ...(options.tier ? { tier: options.tier } : {}),
        consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'app-consent' },
      },
    });
    expect(response.status).toBe(201);
    memberId = ((await response.json()) as { memberId: string }).memberId;
  }
  if (!memberId) throw new Error('linkMember needs at least one programme');
  return memberId;
}

/** Proposes terms from `from` to `to` and has `to` accept them; returns the version in force. */
export async function agreeRate(
  gateway: TestGateway,
  from: ProgramOwner,
  to: ProgramOwner,
  terms: Record<string, unknown>,
): Promise<{ agreementId: string; version: number }> {
  const proposed = await gateway.call(from.signer, 'POST', '/v1/rate-agreements', {
    body: {
      sourceProgramId: from.programId,
      targetProgramId: to.programId,
      feeBasisPoints: 0,
      feePayer: 'source_partner',
      settlement: { amountMinor: '1', perTargetPoints: '1', currency: 'CNY' },
      effectiveFrom: new Date(Date.now() - 60_000).toISOString(),
      ...terms,
    },
  });
  expect(proposed.status).toBe(201);
  const version = (await proposed.json()) as { agreementId: string; version: number };
  const accepted = await gateway.call(
    to.signer,
    'POST',
    `/v1/rate-agreements/${version.agreementId}/versions/${version.version}/accept`,
  );
  expect(accepted.status).toBe(200);
  return version;
}
