// Catalog sync, for one programme whose partner runs its own catalog: the feed just read is compared
// with the programme's synced items (domain/catalog-sync.ts plans it) and applied through the same
// use cases a partner calls: publishItem for a new externalRef, reviseItem for a changed item (its
// next version), withdrawOwnItem for one the feed left out. Each change is its own transaction, so a
// refusal (stock below what is sold, say) stops only its item; a run cut short is finished by the
// next, since applying the same feed again changes nothing.
import { type CatalogFeed, type FeedItem, planCatalogSync } from '../domain/catalog-sync.ts';
import { ProblemError } from '../domain/errors.ts';
import { findItemByExternalRef } from '../store/catalog.ts';
import { listFeedPrograms, listSyncedItems } from '../store/catalog-sync.ts';
import { publishItem, reviseItem, storedDetails, withdrawOwnItem } from './catalog.ts';
import type { ServiceContext } from './context.ts';
import { requireProgram } from './programs.ts';

export interface CatalogSyncReport {
  programId: string;
  added: number;
  revised: number;
  withdrawn: number;
  unchanged: number;
  /** Items left as they were, and why: malformed in the feed, or refused by the catalog's rules. */
  refused: { externalRef: string | null; problem: string }[];
}

/** Programmes whose feeds the sync reads: those kept in an active partner's own system. */
export function feedPrograms(context: ServiceContext): Promise<string[]> {
  return listFeedPrograms(context.db);
}

function terms(item: FeedItem, saleStartsAt: Date) {
  return { ...item.terms, saleStartsAt: item.terms.saleStartsAt ?? saleStartsAt };
}

/** A refusal of the catalog's rules stops its item only; anything else (the database) stops the run. */
async function refusedBy(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (error) {
    if (error instanceof ProblemError) return error.message;
    throw error;
  }
}

/** Makes the programme's synced items follow the feed; what it did. */
export async function syncProgramCatalog(
  context: ServiceContext,
  input: { programId: string; feed: CatalogFeed; now: Date },
): Promise<CatalogSyncReport> {
  const program = await requireProgram(context, input.programId, 'programId');
  const partnerId = program.partner_id;
  const synced = await listSyncedItems(context.db, input.programId);
  const plan = planCatalogSync({ feed: input.feed, synced, storedDetails });
  const report: CatalogSyncReport = {
    programId: input.programId,
    added: 0,
    revised: 0,
    withdrawn: 0,
    unchanged: plan.unchanged.length,
    refused: [...plan.refused],
  };
  const refuse = (externalRef: string, problem: string | null) => {
    if (problem !== null) report.refused.push({ externalRef, problem });
    return problem === null;
  };

  for (const item of plan.add) {
    // externalRef is unique per publisher: another programme of the same partner may hold it.
    const elsewhere = await findItemByExternalRef(context.db, partnerId, item.externalRef);
    if (elsewhere) {
      refuse(
        item.externalRef,
        `item ${elsewhere.id} of programme ${elsewhere.program_id} has this externalRef`,
      );
      continue;
    }
    const problem = await refusedBy(() =>
      publishItem(context, {
        partnerId,
        draft: {
          programId: input.programId,
          kind: item.kind,
          externalRef: item.externalRef,
          stock: item.stock,
          terms: terms(item, input.now),
          details: item.details,
        },
      }),
    );
    if (refuse(item.externalRef, problem)) report.added += 1;
  }

  const current = new Map(synced.map((item) => [item.itemId, item]));
  for (const { itemId, item } of plan.revise) {
    const saleStartsAt = current.get(itemId)?.terms.saleStartsAt ?? input.now;
    const problem = await refusedBy(() =>
      reviseItem(context, {
        partnerId,
        itemId,
        terms: terms(item, saleStartsAt),
        details: item.details,
        stock: item.stock,
      }),
    );
    if (refuse(item.externalRef, problem)) report.revised += 1;
  }

  for (const { itemId, externalRef } of plan.withdraw) {
    const problem = await refusedBy(() => withdrawOwnItem(context, { partnerId, itemId }));
    if (refuse(externalRef, problem)) report.withdrawn += 1;
  }
  return report;
}
