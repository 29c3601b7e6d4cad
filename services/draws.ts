// The points draw use case. A partner publishes a draw (a catalog item of kind 'draw' whose orders
// are its entries); the gateway makes its secret seed then and publishes the seed's SHA-256 with
// the item. At the close the entry list is frozen, the winners drawn from the seed and the list's
// hash (domain/draw.ts), the seed revealed, prize and consolation coupons issued and the partners
// told, all in one transaction. Anyone reads the result and recomputes it (docs/draws.md).
import {
  type CouponDetails,
  couponValidUntil,
  type ItemTerms,
  requireCouponStillValid,
  requireNewExternalRef,
} from '../domain/catalog.ts';
import { normalizeCouponCode } from '../domain/coupon-code.ts';
import {
  canonicalEntries,
  type DrawTerms,
  drawScheme,
  drawWinners,
  entriesHash,
  newDrawSeed,
  seedCommitment,
} from '../domain/draw.ts';
import { ProblemError } from '../domain/errors.ts';
import { findItem, type ItemWithVersion, insertItem } from '../store/catalog.ts';
import {
  type CatalogDraw,
  countEntriesInFlight,
  type DrawCoupon,
  findCouponTerms,
  findDraw,
  insertDraw,
  insertDrawCoupons,
  insertDrawEntries,
  listCompletedEntries,
  listDrawEntries,
  markDrawClosed,
  pendingDeliveries,
  stopEntries,
} from '../store/draws.ts';
import { newId } from '../store/ids.ts';
import { inTransaction } from '../store/transaction.ts';
import { enqueueEvent } from '../store/webhooks.ts';
import type { ServiceContext } from './context.ts';
import { requireOwnProgram } from './programs.ts';

/** How long after `closesAt` a prize coupon with a fixed end must still be valid. */
const prizeValidityMarginMs = 7 * 86_400_000;

/** Starts (or finds) a draw's close workflow. */
export type DrawStarter = (itemId: string) => Promise<unknown>;

export interface DrawDraft {
  programId: string;
  kind: 'draw';
  externalRef: string | null;
  /** How many entries can be sold in all. */
  stock: bigint;
  terms: ItemTerms;
  draw: DrawTerms;
  now: Date;
}

const closeHorizonMs = 366 * 86_400_000;

function invalid(field: string, message: string): ProblemError {
  return new ProblemError('validation_failed', `draw.${field}: ${message}.`, [
    { field: `draw.${field}`, message },
  ]);
}

/** A coupon item of the publisher's own, with generated codes, that never refunds: the version promised. */
async function requirePrizeCoupon(
  context: ServiceContext,
  partnerId: string,
  itemId: string,
  field: string,
  closesAt: Date,
): Promise<number> {
  const found = await findItem(context.db, itemId);
  if (!found || found.item.publisher_id !== partnerId) throw invalid(field, 'not an item of yours');
  if (found.item.kind !== 'coupon' || found.item.code_source !== 'generated') {
    throw invalid(field, 'a coupon item with generated codes');
  }
  // A refund gives back what the member paid for the coupon, and a prize coupon was not paid for.
  if ((found.version.details as { refundOnExpiry?: boolean }).refundOnExpiry) {
    throw invalid(field, 'a coupon that refunds on expiry cannot be a prize');
  }
  // Issued when the draw closes, which waits for entries still being paid (hours, at worst): a coupon
  // whose fixed end comes before that margin could be issued expired.
  try {
    requireCouponStillValid(found.version.details, new Date(closesAt.getTime() + prizeValidityMarginMs));
  } catch {
    throw invalid(field, 'a coupon still valid a week after the draw closes');
  }
  return found.version.version;
}

/** Publishes a draw of one of the partner's programmes, its seed made and committed to at once. */
export async function publishDraw(
  context: ServiceContext,
  input: { partnerId: string; draft: DrawDraft },
): Promise<ItemWithVersion> {
  const { draft } = input;
  const { draw } = draft;
  await requireOwnProgram(context, input.partnerId, draft.programId, 'programId');
  if (draw.closesAt <= draft.now) throw invalid('closesAt', 'in the future');
  if (draw.closesAt.getTime() - draft.now.getTime() > closeHorizonMs)
    throw invalid('closesAt', 'within a year');
  if (draw.closesAt <= draft.terms.saleStartsAt) throw invalid('closesAt', 'after the sale starts');
  if (draft.terms.saleEndsAt !== null && draft.terms.saleEndsAt.getTime() !== draw.closesAt.getTime()) {
    throw new ProblemError('validation_failed', 'A draw sells entries until it closes.', [
      { field: 'saleEndsAt', message: 'null or draw.closesAt' },
    ]);
  }
  const prizeVersion =
    draw.prize.couponItemId === null
      ? null
      : await requirePrizeCoupon(
          context,
          input.partnerId,
          draw.prize.couponItemId,
          'prize.couponItemId',
          draw.closesAt,
        );
  const consolationVersion =
    draw.consolationCouponItemId === null
      ? null
      : await requirePrizeCoupon(
          context,
          input.partnerId,
          draw.consolationCouponItemId,
          'consolationCouponItemId',
          draw.closesAt,
        );
  const seed = newDrawSeed();
  const commitment = seedCommitment(seed);
  const itemId = newId('itm');
  return inTransaction(context.db, async (trx) => {
    const inserted = await insertItem(trx, {
      id: itemId,
      publisherId: input.partnerId,
      programId: draft.programId,
      kind: 'draw',
      externalRef: draft.externalRef,
      codeSource: null,
      stock: draft.stock,
      terms: { ...draft.terms, saleEndsAt: draw.closesAt },
      details: {
        scheme: drawScheme,
        commitment,
        winners: draw.winners,
        prize: { ...draw.prize, couponItemVersion: prizeVersion },
        consolation:
          draw.consolationCouponItemId === null
            ? null
            : { couponItemId: draw.consolationCouponItemId, couponItemVersion: consolationVersion },
        closesAt: draw.closesAt.toISOString(),
        resultPath: `/v1/catalog/draws/${itemId}/result`,
      },
    });
    const published = requireNewExternalRef(inserted, draft.externalRef);
    await insertDraw(trx, {
      item_id: itemId,
      winners: draw.winners,
      prize_description: draw.prize.description,
      prize_item_id: draw.prize.couponItemId,
      prize_item_version: prizeVersion,
      consolation_item_id: draw.consolationCouponItemId,
      consolation_item_version: consolationVersion,
      closes_at: draw.closesAt,
      seed,
      commitment,
    });
    return published;
  });
}

/** When the draw closes; undefined for an item that is not a draw. */
export async function drawClosesAt(context: ServiceContext, itemId: string): Promise<Date | undefined> {
  return (await findDraw(context.db, itemId))?.closes_at;
}

function couponValidity(details: unknown): CouponDetails['validity'] {
  const validity = (details as { validity?: { days: number } | { until: string } | null }).validity ?? null;
  if (validity === null || 'days' in validity) return validity;
  return { until: new Date(validity.until) };
}

/** The coupons of one kind (prize or consolation) the close gives these entries. */
async function couponsFor(
  context: ServiceContext,
  entryIds: string[],
  item: { id: string | null; version: number | null },
  input: { generateCode: () => string; now: Date },
): Promise<DrawCoupon[]> {
  if (item.id === null || item.version === null || entryIds.length === 0) return [];
  const terms = await findCouponTerms(context.db, { itemId: item.id, version: item.version });
  if (!terms) throw new Error(`coupon item ${item.id} version ${item.version} does not exist`);
  const validUntil = couponValidUntil(couponValidity(terms.details), input.now);
  return entryIds.map((orderId) => ({
    id: newId('cpn'),
    orderId,
    itemId: item.id as string,
    publisherId: terms.publisher_id,
    code: normalizeCouponCode(input.generateCode()),
    validUntil,
  }));
}

export const drawClosedEvent = (itemId: string) => `${itemId}:catalog.draw_closed`;

export type CloseOutcome =
  | { state: 'not_due'; closesAt: Date }
  | { state: 'waiting'; entriesInFlight: number }
  | { state: 'closed'; deliveryIds: string[] };

/**
 * Closes the draw, once: stops the sale, and once no entry's points are still moving, freezes the
 * entry list, draws the winners, reveals the seed, issues the coupons and queues the webhooks. A
 * draw closed already answers with its deliveries not yet sent, so a retried close sends them.
 */
export async function closeDraw(
  context: ServiceContext,
  input: { itemId: string; generateCode: () => string; now: Date },
): Promise<CloseOutcome> {
  const outcome = await inTransaction(context.db, async (trx): Promise<CloseOutcome> => {
    const terms = await findDraw(trx, input.itemId);
    if (!terms) throw new ProblemError('not_found', `Draw ${input.itemId} does not exist.`);
    if (input.now < terms.closes_at) return { state: 'not_due', closesAt: terms.closes_at };
    const draw = await stopEntries(trx, input.itemId);
    if (draw.status === 'closed') return { state: 'closed', deliveryIds: [] };
    const inFlight = await countEntriesInFlight(trx, input.itemId);
    if (inFlight > 0) return { state: 'waiting', entriesInFlight: inFlight };
    const within = { ...context, db: trx };
    const entries = await listCompletedEntries(trx, input.itemId);
    const entryIds = canonicalEntries(entries.map((entry) => entry.id));
    const winners = drawWinners({ seed: draw.seed, entryIds, winners: draw.winners });
    const rank = new Map(winners.map((entryId, index) => [entryId, index + 1]));
    await insertDrawEntries(
      trx,
      input.itemId,
      entryIds.map((orderId) => ({ orderId, winnerRank: rank.get(orderId) ?? null })),
    );
    const losers = entryIds.filter((entryId) => !rank.has(entryId));
    await insertDrawCoupons(
      trx,
      [
        ...(await couponsFor(
          within,
          winners,
          { id: draw.prize_item_id, version: draw.prize_item_version },
          input,
        )),
        ...(await couponsFor(
          within,
          losers,
          { id: draw.consolation_item_id, version: draw.consolation_item_version },
          input,
        )),
      ],
      input.now,
    );
    const hashOfEntries = entriesHash(entryIds);
    const closed = await markDrawClosed(trx, {
      itemId: input.itemId,
      entriesHash: hashOfEntries,
      closedAt: input.now,
    });
    const item = await findItem(trx, input.itemId);
    const deliveryIds = await enqueueEvent(trx, {
      programIds: [...new Set([item?.item.program_id ?? '', ...entries.map((entry) => entry.program_id)])],
      type: 'catalog.draw_closed',
      eventId: drawClosedEvent(input.itemId),
      payload: {
        type: 'catalog.draw_closed',
        itemId: input.itemId,
        scheme: drawScheme,
        commitment: closed.commitment,
        seed: closed.seed,
        entriesHash: hashOfEntries,
        entriesCount: entryIds.length,
        winners,
        resultPath: `/v1/catalog/draws/${input.itemId}/result`,
      },
    });
    return { state: 'closed', deliveryIds };
  });
  if (outcome.state === 'closed' && outcome.deliveryIds.length === 0) {
    return {
      state: 'closed',
      deliveryIds: await pendingDeliveries(context.db, drawClosedEvent(input.itemId)),
    };
  }
  return outcome;
}

export interface DrawResult {
  draw: CatalogDraw;
  item: ItemWithVersion;
  /** Once closed: every entry in canonical order, and the winners in the order they were drawn. */
  entries: string[] | null;
  winners: string[] | null;
}

/** A draw's published data: its commitment from the start; its seed, entries and winners once closed. */
export async function readDrawResult(context: ServiceContext, itemId: string): Promise<DrawResult> {
  const [draw, item] = await Promise.all([findDraw(context.db, itemId), findItem(context.db, itemId)]);
  if (!draw || !item) throw new ProblemError('not_found', `Draw ${itemId} does not exist.`);
  if (draw.status !== 'closed') return { draw, item, entries: null, winners: null };
  const entries = await listDrawEntries(context.db, itemId);
  const winners = entries
    .filter((entry) => entry.winner_rank !== null)
    .sort((left, right) => (left.winner_rank ?? 0) - (right.winner_rank ?? 0))
    .map((entry) => entry.order_id);
  return { draw, item, entries: canonicalEntries(entries.map((entry) => entry.order_id)), winners };
}
