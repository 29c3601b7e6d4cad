// Which adapter reaches a programme's points: the hosted ledger, or the owning partner's system over
// HTTP. HTTP adapters are kept per partner, so their connections are reused across calls.
import type { Kysely } from 'kysely';
import type { SigningKeyPair } from '../signing/keys.ts';
import type { Database } from '../store/database.ts';
import { findProgram } from '../store/programs.ts';
import { createHostedAdapter } from './hosted.ts';
import { createHttpAdapter } from './http.ts';
import type { LoyaltyAdapter } from './loyalty-adapter.ts';

export interface AdapterResolverOptions {
  db: Kysely<Database>;
  gatewayIssuer: string;
  gatewayKey: SigningKeyPair;
  partnerCallTimeoutMs: number;
}

export function createAdapterResolver(options: AdapterResolverOptions) {
  const httpAdapters = new Map<string, ReturnType<typeof createHttpAdapter>>();
  return {
    async forProgram(programId: string): Promise<LoyaltyAdapter> {
      const program = await findProgram(options.db, programId);
      if (!program) throw new Error(`programme ${programId} does not exist`);
      if (program.ledger === 'hosted') return createHostedAdapter(options.db, programId);
      if (!program.loyalty_api_url) throw new Error(`partner ${program.partner_id} has no loyalty API URL`);
      const cacheKey = `${program.partner_id} ${program.loyalty_api_url}`;
      let adapter = httpAdapters.get(cacheKey);
      if (!adapter) {
        adapter = createHttpAdapter({
          baseUrl: program.loyalty_api_url,
          partnerId: program.partner_id,
          gatewayIssuer: options.gatewayIssuer,
          gatewayKey: options.gatewayKey,
          callTimeoutMs: options.partnerCallTimeoutMs,
        });
        httpAdapters.set(cacheKey, adapter);
      }
      return adapter;
    },
    async close(): Promise<void> {
      await Promise.all([...httpAdapters.values()].map((adapter) => adapter.close()));
    },
  };
}

export type AdapterResolver = ReturnType<typeof createAdapterResolver>;
