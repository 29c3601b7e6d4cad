// Reads a partner's catalog feed (GET /loyalty/catalog, openapi/partner.json) into the catalog's
// terms. Each item is checked alone: a malformed one is reported by its externalRef (when it has a
// readable one) and left out, and the rest of the page still counts.
import type { CatalogFeed, FeedItem } from '../domain/catalog-sync.ts';
import { CatalogFeedItem } from './partner-contract.ts';

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

function problemOf(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || 'item'}: ${issue.message}`)
    .join('; ');
}

function refOf(raw: unknown): string | null {
  const ref = (raw as { externalRef?: unknown } | null)?.externalRef;
  return typeof ref === 'string' && CatalogFeedItem.shape.externalRef.safeParse(ref).success ? ref : null;
}

/** One item of a page: the catalog's form of it, or why it was refused. */
export function readFeedItem(raw: unknown): FeedItem | { externalRef: string | null; problem: string } {
  const parsed = CatalogFeedItem.safeParse(raw);
  if (!parsed.success) return { externalRef: refOf(raw), problem: problemOf(parsed.error.issues) };
  const item = parsed.data;
  const termsFit = item.kind === 'coupon' ? item.product === undefined : item.product && !item.coupon;
  if (!termsFit) {
    return { externalRef: item.externalRef, problem: `a ${item.kind} carries its ${item.kind} terms only` };
  }
  const coupon = item.coupon ?? {
    faceValue: null,
    validity: null,
    terms: '',
    refundOnExpiry: false,
    codes: 'generated' as const,
  };
  return {
    externalRef: item.externalRef,
    kind: item.kind,
    stock: BigInt(item.stock),
    terms: {
      title: item.title,
      description: item.description,
      imageUrls: item.imageUrls,
      tags: item.tags,
      pricePoints: BigInt(item.pricePoints),
      saleStartsAt: dateOrNull(item.saleStartsAt),
      saleEndsAt: dateOrNull(item.saleEndsAt),
      perMemberLimit: item.perMemberLimit,
    },
    details: item.product
      ? { product: item.product }
      : {
          coupon: {
            faceValue: coupon.faceValue && {
              amountMinor: BigInt(coupon.faceValue.amountMinor),
              currency: coupon.faceValue.currency,
            },
            validity:
              coupon.validity &&
              ('days' in coupon.validity ? coupon.validity : { until: new Date(coupon.validity.until) }),
            terms: coupon.terms,
            refundOnExpiry: coupon.refundOnExpiry,
            codeSource: coupon.codes,
          },
        },
  };
}

/** Adds a page's items to the feed read so far. */
export function addFeedPage(feed: CatalogFeed, rawItems: readonly unknown[]): void {
  for (const raw of rawItems) {
    const read = readFeedItem(raw);
    if ('problem' in read) feed.unreadable.push(read);
    else feed.items.push(read);
  }
}
