// Which adapter reaches a programme's points: the hosted ledger, or the owning partner's system over
// HTTP. HTTP adapters are kept per partner, so their connections are reused across calls; the
// resolver is made once per process and owns its caches, each bounded (an adapter pushed out is
// closed).
import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { SigningKeyPair } from '../signing/keys.ts';
import type { Database } from '../store/database.ts';
import { createLedgerAccountIds } from '../store/hosted-ledger/accounts.ts';
import { createProgramCache } from '../store/programs.ts';
import { createHostedAdapter } from './hosted.ts';
import { createHttpAdapter, type PartnerCallTimer } from './http.ts';
import type { LoyaltyAdapter } from './loyalty-adapter.ts';

export interface AdapterResolverOptions {
  db: Kysely<Database>;
  gatewayIssuer: string;
  gatewayKey: SigningKeyPair;
  partnerCallTimeoutMs: number;
  /** How many partners' HTTP adapters (each with its connection pool) are kept open at once. */
  httpAdaptersMax?: number;
  /** Times each partner call (the worker's metrics). */
  timePartnerCall?: PartnerCallTimer;
}

type HttpAdapter = ReturnType<typeof createHttpAdapter>;

export function createAdapterResolver(options: AdapterResolverOptions) {
  const programs = createProgramCache();
  const ledgerAccounts = createLedgerAccountIds();
  const httpAdapters = new LRUCache<string, HttpAdapter>({
    max: options.httpAdaptersMax ?? 500,
    dispose: (adapter) => {
      adapter.close().catch(() => {});
    },
  });
  return {
    async forProgram(programId: string): Promise<LoyaltyAdapter> {
      const program = await programs.find(options.db, programId);
      if (!program) throw new Error(`programme ${programId} does not exist`);
      if (program.ledger === 'hosted') return createHostedAdapter(options.db, ledgerAccounts, programId);
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
          ...(options.timePartnerCall ? { timeCall: options.timePartnerCall } : {}),
        });
        httpAdapters.set(cacheKey, adapter);
      }
      return adapter;
    },
    async close(): Promise<void> {
      const open = [...httpAdapters.values()];
      httpAdapters.clear();
      await Promise.all(open.map((adapter) => adapter.close()));
    },
  };
}

export type AdapterResolver = ReturnType<typeof createAdapterResolver>;
