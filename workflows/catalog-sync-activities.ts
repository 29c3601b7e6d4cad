// Catalog sync's I/O: the programmes to read, and one programme's feed read through its adapter and
// applied by services/catalog-sync.ts. A feed that cannot be read (the partner is down, answers
// something that is not a page) is logged and skipped, not retried: the next scheduled run reads it
// again, and until then the shared catalog stays as it was.
import { heartbeat } from '@temporalio/activity';
import { PartnerUnavailableError } from '../adapters/loyalty-adapter.ts';
import type { AdapterResolver } from '../adapters/resolver.ts';
import type { Logger } from '../runtime/logger.ts';
import { type CatalogSyncReport, feedPrograms, syncProgramCatalog } from '../services/catalog-sync.ts';
import type { ServiceContext } from '../services/context.ts';

export interface CatalogSyncDependencies {
  context: ServiceContext;
  adapters: AdapterResolver;
  logger: Logger;
}

/** What one programme's sync came to: plain JSON, as Temporal carries it. */
export type ProgramSyncOutcome =
  | { outcome: 'synced'; report: CatalogSyncReport }
  | { outcome: 'no_feed'; programId: string }
  | { outcome: 'skipped'; programId: string; reason: string };

/** A report keeps its first refusals only: the rest are in the log. */
const refusalsReported = 20;

export function createCatalogSyncActivities(deps: CatalogSyncDependencies) {
  return {
    listCatalogFeedPrograms: (): Promise<string[]> => feedPrograms(deps.context),

    async syncCatalogFromFeed(programId: string): Promise<ProgramSyncOutcome> {
      const adapter = await deps.adapters.forProgram(programId);
      let feed: Awaited<ReturnType<typeof adapter.catalog>>;
      try {
        feed = await adapter.catalog(programId);
      } catch (error) {
        if (!(error instanceof PartnerUnavailableError)) throw error;
        deps.logger.warn(
          { programId, err: error },
          'catalog feed could not be read; skipped until the next sync',
        );
        return { outcome: 'skipped', programId, reason: error.message };
      }
      if (feed === null) return { outcome: 'no_feed', programId };
      heartbeat({ programId, items: feed.items.length });
      const report = await syncProgramCatalog(deps.context, { programId, feed, now: new Date() });
      const { refused, ...counts } = report;
      deps.logger[refused.length > 0 ? 'warn' : 'info'](
        { ...counts, refused: refused.length, refusals: refused.slice(0, refusalsReported) },
        'catalog synced from the partner feed',
      );
      return { outcome: 'synced', report: { ...report, refused: refused.slice(0, refusalsReported) } };
    },
  };
}

export type CatalogSyncActivities = ReturnType<typeof createCatalogSyncActivities>;
