// The catalog use case for publishers and for members' programmes: a partner publishes, edits (a new
// version) and withdraws its own items and fills their code pools; a partner browses the catalog for
// one of its members, every price shown in the member's points at the agreement in force and the
// member's tier (items with no rate path from the member's programme are not offered). The API and
// the console both call this module; the sync from a partner's own catalog will too.
import {
  type CouponDetails,
  type ItemKind,
  type ItemTerms,
  type MemberPrice,
  memberPrice,
  type ProductDetails,
  requireNewExternalRef,
} from '../domain/catalog.ts';
import { ProblemError } from '../domain/errors.ts';
import {
  addPoolCodes,
  browseItems,
  findItem,
  type ItemWithVersion,
  insertItem,
  insertNextItemVersion,
  lockItem,
  withdrawItem,
} from '../store/catalog.ts';
import type { CodeSource } from '../store/database.ts';
import { newId } from '../store/ids.ts';
import { findActiveLink } from '../store/members.ts';
import { agreementTargets, termsInForceFrom } from '../store/rate-agreements.ts';
import { inTransaction } from '../store/transaction.ts';
import type { ServiceContext } from './context.ts';
import { type DrawDraft, publishDraw } from './draws.ts';
import { requireOwnProgram } from './programs.ts';

export type ItemDetails =
  | { coupon: CouponDetails & { codeSource: CodeSource } }
  | { product: ProductDetails };

export interface ItemDraft {
  programId: string;
  kind: Exclude<ItemKind, 'draw'>;
  externalRef: string | null;
  stock: bigint;
  terms: ItemTerms;
  details: ItemDetails;
}

/** An item's details as the catalog stores them (the code source is kept on the item). */
export function storedDetails(details: ItemDetails): unknown {
  if ('product' in details) return details.product;
  const { codeSource: _codeSource, faceValue, validity, ...rest } = details.coupon;
  return {
    ...rest,
    faceValue: faceValue && { amountMinor: String(faceValue.amountMinor), currency: faceValue.currency },
    validity: validity && ('days' in validity ? validity : { until: validity.until.toISOString() }),
  };
}

function requireKindDetails(kind: ItemDraft['kind'], details: ItemDetails): void {
  if ((kind === 'coupon') !== 'coupon' in details) {
    throw new ProblemError('validation_failed', `A ${kind} needs its ${kind} terms.`, [
      { field: kind, message: 'required for this kind' },
    ]);
  }
}

/** Publishes a new item of one of the partner's programmes. */
export async function publishItem(
  context: ServiceContext,
  input: { partnerId: string; draft: ItemDraft | DrawDraft },
): Promise<ItemWithVersion> {
  const { draft } = input;
  if (draft.kind === 'draw') return publishDraw(context, { partnerId: input.partnerId, draft });
  await requireOwnProgram(context, input.partnerId, draft.programId, 'programId');
  requireKindDetails(draft.kind, draft.details);
  return inTransaction(context.db, async (trx) =>
    requireNewExternalRef(
      await insertItem(trx, {
        id: newId('itm'),
        publisherId: input.partnerId,
        programId: draft.programId,
        kind: draft.kind,
        externalRef: draft.externalRef,
        codeSource: 'coupon' in draft.details ? draft.details.coupon.codeSource : null,
        stock: draft.stock,
        terms: draft.terms,
        details: storedDetails(draft.details),
      }),
      draft.externalRef,
    ),
  );
}

/** The item, locked, if the partner publishes it; another partner's item is refused, not hidden. */
async function lockOwnItem(trx: Parameters<typeof lockItem>[0], partnerId: string, itemId: string) {
  const item = await lockItem(trx, itemId);
  if (!item) throw new ProblemError('not_found', `Item ${itemId} does not exist.`);
  if (item.publisher_id !== partnerId) {
    throw new ProblemError('forbidden', `Item ${itemId} is another partner's: only its publisher edits it.`);
  }
  return item;
}

/** Edits an item: its next version (orders keep the version they bought); a withdrawn item comes back. */
export async function reviseItem(
  context: ServiceContext,
  input: { partnerId: string; itemId: string; terms: ItemTerms; details: ItemDetails; stock: bigint | null },
): Promise<ItemWithVersion> {
  return inTransaction(context.db, async (trx) => {
    const item = await lockOwnItem(trx, input.partnerId, input.itemId);
    // Its seed is committed to with its terms: a draw is withdrawn, never edited.
    if (item.kind === 'draw') throw new ProblemError('validation_failed', 'A draw is not edited this way.');
    requireKindDetails(item.kind, input.details);
    if (input.stock !== null && input.stock < item.stock_total - item.stock_left) {
      throw new ProblemError('validation_failed', `${item.stock_total - item.stock_left} are sold already.`, [
        { field: 'stock', message: 'below what is sold' },
      ]);
    }
    return insertNextItemVersion(trx, {
      item,
      terms: input.terms,
      details: storedDetails(input.details),
      stock: input.stock,
      reactivate: true,
    });
  });
}

export async function withdrawOwnItem(context: ServiceContext, input: { partnerId: string; itemId: string }) {
  return inTransaction(context.db, async (trx) => {
    await lockOwnItem(trx, input.partnerId, input.itemId);
    return withdrawItem(trx, input.itemId);
  });
}

/** Adds codes to a pool item; returns how many were new. */
export async function addItemCodes(
  context: ServiceContext,
  input: { partnerId: string; itemId: string; codes: string[] },
): Promise<number> {
  return inTransaction(context.db, async (trx) => {
    const item = await lockOwnItem(trx, input.partnerId, input.itemId);
    if (item.code_source !== 'pool') {
      throw new ProblemError('validation_failed', 'This item generates its own codes.', [
        { field: 'codes', message: 'the item does not take a pool' },
      ]);
    }
    return addPoolCodes(trx, item, input.codes);
  });
}

export async function readItem(
  context: ServiceContext,
  itemId: string,
  version?: number,
): Promise<ItemWithVersion> {
  const found = await findItem(context.db, itemId, version);
  if (!found)
    throw new ProblemError(
      'not_found',
      `Item ${itemId}${version ? ` version ${version}` : ''} does not exist.`,
    );
  return found;
}

export interface OfferedItem extends ItemWithVersion {
  price: MemberPrice;
}

const browseScanMax = 1_000;

/**
 * A page of the catalog for one member of one of the partner's programmes, every price in the
 * member's points. Items of programmes the member's programme has no agreement in force with are
 * left out; the price range applies to the converted price.
 */
export async function browseCatalog(
  context: ServiceContext,
  input: {
    partnerId: string;
    memberId: string;
    programId: string;
    tag: string | null;
    publisherId: string | null;
    minPoints: bigint | null;
    maxPoints: bigint | null;
    inStock: boolean;
    onSaleNow: boolean;
    cursor: string | null;
    limit: number;
    now: Date;
  },
): Promise<OfferedItem[]> {
  await requireOwnProgram(context, input.partnerId, input.programId, 'programId');
  const link = await findActiveLink(context.db, input.memberId, input.programId);
  if (!link) {
    throw new ProblemError(
      'member_link_missing',
      `Member ${input.memberId} is not linked to ${input.programId}.`,
      [{ field: 'memberId', message: 'not linked to this programme' }],
    );
  }
  const terms = await termsInForceFrom(
    context.db,
    input.programId,
    await agreementTargets(context.db, input.programId),
    input.now,
  );
  const offered: OfferedItem[] = [];
  let afterId = input.cursor;
  // The price range is on the converted price, so a page may need more than one read.
  for (let scanned = 0; offered.length < input.limit && scanned < browseScanMax; ) {
    const batch = await browseItems(context.db, {
      programIds: [...terms.keys()],
      tag: input.tag,
      publisherId: input.publisherId,
      inStock: input.inStock,
      onSaleAt: input.onSaleNow ? input.now : null,
      afterId,
      limit: input.limit,
    });
    scanned += batch.length;
    for (const found of batch) {
      const agreement = terms.get(found.item.program_id);
      if (!agreement) continue;
      const price = memberPrice({
        terms: agreement.terms,
        memberTier: link.tier,
        pricePoints: found.version.price_points,
        at: input.now,
      });
      if (input.minPoints !== null && price.memberPoints < input.minPoints) continue;
      if (input.maxPoints !== null && price.memberPoints > input.maxPoints) continue;
      if (offered.length < input.limit) offered.push({ ...found, price });
    }
    if (batch.length < input.limit) break;
    afterId = batch[batch.length - 1]?.item.id ?? null;
  }
  return offered;
}
