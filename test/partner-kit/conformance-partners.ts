// Reference partners for the conformance tests: each over real HTTP with its books in a schema of its
// own, two test accounts opened with points, and the gateway key it trusts (the key the conformance
// command signs with).
import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { afterAll } from 'vitest';
import type { ConformanceTarget } from '../../partner-kit/conformance/runner.ts';
import type { ConformanceBreakage } from '../../reference-partner/breakages.ts';
import { type RunningReferencePartner, startReferencePartner } from '../../reference-partner/server.ts';
import type { SigningKeyPair } from '../../signing/keys.ts';
import type { Db } from '../../store/connection.ts';

export const conformanceIssuer = 'points-alliance-gateway';

export interface ConformancePartner {
  server: RunningReferencePartner;
  target: ConformanceTarget;
  balances(): Promise<{ first: unknown; second: unknown }>;
}

export async function startConformancePartner(
  db: Db,
  gatewayKey: SigningKeyPair,
  brokenFor?: ConformanceBreakage,
  /** The keys it trusts as the gateway's: gatewayKey's by default. */
  gatewayPublicKeys: () => readonly JWK[] = () => [gatewayKey.publicJwk],
): Promise<ConformancePartner> {
  const suffix = randomUUID().slice(0, 8);
  const partnerId = `ptn_conformance_${suffix}`;
  const server = await startReferencePartner({
    db,
    schema: `conformance_${brokenFor ?? 'sound'}_${suffix}`,
    partnerId,
    gatewayIssuer: conformanceIssuer,
    gatewayPublicKeys,
    brokenFor,
  });
  afterAll(() => server.close());
  const accountRef = `member-${suffix}`;
  const secondAccountRef = `member-big-${suffix}`;
  await server.books.openAccount(accountRef, 1_000n);
  await server.books.openAccount(secondAccountRef, 250n);
  return {
    server,
    target: {
      url: server.url,
      partnerId,
      issuer: conformanceIssuer,
      gatewayKey,
      accountRef,
      secondAccountRef,
    },
    balances: async () => ({
      first: await server.books.balance(accountRef),
      second: await server.books.balance(secondAccountRef),
    }),
  };
}
