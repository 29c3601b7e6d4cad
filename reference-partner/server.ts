// Runs a reference partner over real HTTP, with its books in a schema of its own.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { createReferencePartnerApp } from './app.ts';
import type { ConformanceBreakage } from './breakages.ts';
import type { CatalogFeed } from './catalog-feed.ts';
import type { FaultPlan } from './faults.ts';
import type { ReportQuirks } from './report-quirks.ts';
import { createPartnerBooks, type PartnerBooks } from './store.ts';

export interface RunningReferencePartner {
  url: string;
  /** Sets the id the gateway gave this partner (known once it is onboarded with this server's URL). */
  setPartnerId(partnerId: string): void;
  books: PartnerBooks;
  faults: FaultPlan;
  /** Switches that make its transaction list disagree with its books (reconciliation's breaks). */
  reportQuirks: ReportQuirks;
  /** Each programme's catalog feed, when this partner runs one (none set: GET /loyalty/catalog is a 404). */
  catalogFeed: CatalogFeed;
  /** Webhooks received from the gateway, each verified against its keys. */
  webhooks: unknown[];
  close(): Promise<void>;
}

export async function startReferencePartner(options: {
  // biome-ignore lint/suspicious/noExplicitAny: the partner's schema is its own, not the gateway's.
  db: Kysely<any>;
  schema: string;
  partnerId?: string;
  gatewayIssuer: string;
  gatewayPublicKeys: () => readonly JWK[];
  host?: string;
  port?: number;
  /** Only to prove the conformance command catches it: a rule this partner breaks. */
  brokenFor?: ConformanceBreakage;
}): Promise<RunningReferencePartner> {
  const books = createPartnerBooks(options.db, options.schema);
  await books.setUp();
  let partnerId = options.partnerId ?? '';
  const { app, faults, webhooks, reportQuirks, catalogFeed } = createReferencePartnerApp({
    partnerId: () => partnerId,
    books,
    gatewayIssuer: options.gatewayIssuer,
    gatewayPublicKeys: options.gatewayPublicKeys,
    brokenFor: options.brokenFor,
  });
  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>(
    (resolve) => {
      const server = serve(
        { fetch: app.fetch, hostname: options.host ?? '127.0.0.1', port: options.port ?? 0 },
        (info) => resolve({ server, address: info }),
      );
    },
  );
  return {
    url: `http://${address.address}:${address.port}`,
    setPartnerId: (id) => {
      partnerId = id;
    },
    books,
    faults,
    reportQuirks,
    catalogFeed,
    webhooks,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Hanging requests (the hang_after switch) must not hold the close up.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
