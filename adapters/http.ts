// The LoyaltyAdapter over a partner's own system: signed HTTP calls (undici, connection reuse,
// explicit timeouts) following openapi/partner.json. 2xx is done, 422 is a refusal for good;
// anything else (5xx, a timeout, a refused connection) is a fault the caller retries or asks about.
import type { CatalogFeed } from '../domain/catalog-sync.ts';
import { type ExpiryPortion, normalizeProfile, profilePoints } from '../domain/point-lots.ts';
import type { SigningKeyPair } from '../signing/keys.ts';
import { createSignedClient, type SignedResponse } from '../signing/signed-client.ts';
import { addFeedPage } from './catalog-feed.ts';
import {
  type LoyaltyAdapter,
  type PartnerAnswer,
  type PartnerRefusal,
  type PartnerTransaction,
  PartnerUnavailableError,
  type ReserveAnswer,
  type ReverseAnswer,
  type StepState,
} from './loyalty-adapter.ts';
import { CatalogFeedEnvelope, ExpiryProfile, OperationState } from './partner-contract.ts';

/** A feed of more pages than this is refused whole, rather than read without end. */
const catalogPagesMax = 200;

/**
 * A catalog page may hold 500 items of up to ~27,000 characters each (adapters/partner-contract.ts),
 * far past any other answer's size: its pages alone get this cap, the others keep the client's.
 */
const catalogPageBytesMax = 48 * 1024 * 1024;
/** ...and time to send it: a page that big takes longer than any other call's deadline allows. */
const catalogPageTimeoutMs = 60_000;

/**
 * The expiry profile a reservation's answer reports, when it is one and sums to the points held.
 * One that does not is not used: the credit then takes the target's own rule, as for a system that
 * keeps no expiries (the reservation itself stands, so it is no fault to retry).
 */
function reportedExpiryProfile(response: SignedResponse, points: bigint): ExpiryPortion[] | undefined {
  let body: unknown;
  try {
    body = response.json();
  } catch {
    return undefined;
  }
  const parsed = ExpiryProfile.safeParse((body as { expiryProfile?: unknown } | null)?.expiryProfile);
  if (!parsed.success) return undefined;
  const profile = normalizeProfile(
    parsed.data.map((portion) => ({
      points: BigInt(portion.points),
      expiresAt: portion.expiresAt === null ? null : new Date(portion.expiresAt),
    })),
  );
  return profilePoints(profile) === points ? profile : undefined;
}

export interface HttpAdapterOptions {
  baseUrl: string;
  partnerId: string;
  gatewayIssuer: string;
  gatewayKey: SigningKeyPair;
  /** Each call whole, its answer read to the end included. */
  callTimeoutMs: number;
  /** The largest answer read, catalog pages apart; the signed client's default otherwise. */
  maxResponseBytes?: number;
  connectionsMax?: number;
  /** Times each call (the worker's metrics); the adapter knows nothing of how. */
  timeCall?: PartnerCallTimer;
}

/** Wraps one call to a partner, labelled by partner and operation (never by key or account). */
export type PartnerCallTimer = <T extends { status: number }>(
  labels: { partner: string; operation: string },
  call: () => Promise<T>,
) => Promise<T>;

/** The operation a partner path is, for a metric's label: the path carries keys and accounts. */
function operationOf(method: string, path: string): string {
  const route = path.split('?')[0] ?? path;
  if (route === '/loyalty/reservations') return 'reserve';
  if (route === '/loyalty/credits') return 'credit';
  const last = route.slice(route.lastIndexOf('/') + 1);
  if (last === 'post' || last === 'void' || last === 'reverse') return last;
  const section = route.split('/')[2] ?? 'other';
  const named: Record<string, string> = {
    operations: 'outcome',
    accounts: 'balance',
    transactions: 'transactions',
    catalog: 'catalog',
  };
  return named[section] ?? `${method.toLowerCase()}_other`;
}

export function createHttpAdapter(options: HttpAdapterOptions): LoyaltyAdapter & { close(): Promise<void> } {
  const client = createSignedClient({
    baseUrl: options.baseUrl,
    issuer: options.gatewayIssuer,
    key: options.gatewayKey,
    audience: options.partnerId,
    connectTimeoutMs: Math.min(options.callTimeoutMs, 5_000),
    headersTimeoutMs: options.callTimeoutMs,
    bodyTimeoutMs: options.callTimeoutMs,
    callTimeoutMs: options.callTimeoutMs,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
    connectionsMax: options.connectionsMax ?? 32,
  });

  async function send(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    key?: string,
    big?: { maxResponseBytes: number; callTimeoutMs: number },
  ): Promise<SignedResponse> {
    const call = () => client.call({ method, path, body, ...(key ? { idempotencyKey: key } : {}), ...big });
    try {
      return options.timeCall
        ? await options.timeCall({ partner: options.partnerId, operation: operationOf(method, path) }, call)
        : await call();
    } catch (error) {
      throw new PartnerUnavailableError(
        `${method} ${path} at partner ${options.partnerId}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  function refusalOf(response: SignedResponse): PartnerRefusal {
    const refusal = response.json<{ code?: string; detail?: string }>();
    return { outcome: 'refused', code: refusal.code ?? 'refused', detail: refusal.detail ?? '' };
  }

  async function step(path: string, body: { key: string } & Record<string, unknown>): Promise<PartnerAnswer> {
    const answer = await answered(path, body);
    return answer.outcome === 'done' ? { outcome: 'done' } : answer;
  }

  async function answered(
    path: string,
    body: { key: string } & Record<string, unknown>,
  ): Promise<PartnerRefusal | { outcome: 'done'; response: SignedResponse }> {
    const response = await send('POST', path, body, body.key);
    if (response.status >= 200 && response.status < 300) return { outcome: 'done', response };
    if (response.status === 422) return refusalOf(response);
    throw new PartnerUnavailableError(
      `POST ${path} at partner ${options.partnerId} answered ${response.status}`,
    );
  }

  const encode = encodeURIComponent;
  return {
    async reserve(input): Promise<ReserveAnswer> {
      const answer = await answered('/loyalty/reservations', {
        ...input,
        points: String(input.points),
        expiresAt: input.expiresAt.toISOString(),
      });
      if (answer.outcome === 'refused') return answer;
      const expiryProfile = reportedExpiryProfile(answer.response, input.points);
      return expiryProfile ? { outcome: 'done', expiryProfile } : { outcome: 'done' };
    },
    post: (input) => step(`/loyalty/reservations/${encode(input.reservationKey)}/post`, { key: input.key }),
    void: (input) => step(`/loyalty/reservations/${encode(input.reservationKey)}/void`, { key: input.key }),
    credit: ({ expiryProfile, ...input }) =>
      step('/loyalty/credits', {
        ...input,
        points: String(input.points),
        ...(expiryProfile && expiryProfile.length > 0
          ? {
              expiryProfile: expiryProfile.map((portion) => ({
                points: String(portion.points),
                expiresAt: portion.expiresAt?.toISOString() ?? null,
              })),
            }
          : {}),
      }),
    async reverseCredit(input): Promise<ReverseAnswer> {
      const path = `/loyalty/credits/${encode(input.creditKey)}/reverse`;
      const body = { key: input.key, points: String(input.points), reason: input.reason };
      const response = await send('POST', path, body, input.key);
      if (response.status === 422) return refusalOf(response);
      const reversedPoints =
        response.status === 200 ? response.json<{ reversedPoints?: string }>().reversedPoints : undefined;
      // Without the figure, what was taken back is unknown: a fault, so the key is asked again.
      if (reversedPoints === undefined || !/^\d{1,19}$/.test(reversedPoints)) {
        throw new PartnerUnavailableError(
          `POST ${path} at partner ${options.partnerId} answered ${response.status} without reversedPoints`,
        );
      }
      return { outcome: 'done', reversedPoints: BigInt(reversedPoints) };
    },
    async outcome(key: string): Promise<StepState> {
      const response = await send('GET', `/loyalty/operations/${encode(key)}`);
      if (response.status !== 200) {
        throw new PartnerUnavailableError(
          `outcome of ${key} at partner ${options.partnerId}: ${response.status}`,
        );
      }
      // Only the contract's two answers decide anything: a state outside them (`pending`, say) read as
      // one or the other would void a credit that may still land, or post one that never will.
      const parsed = OperationState.safeParse(response.json());
      if (!parsed.success || parsed.data.key !== key) {
        throw new PartnerUnavailableError(
          `outcome of ${key} at partner ${options.partnerId} is not one the contract knows: ${JSON.stringify(response.json())}`,
        );
      }
      return parsed.data.state satisfies StepState;
    },
    async balance(accountRef: string) {
      const response = await send('GET', `/loyalty/accounts/${encode(accountRef)}`);
      if (response.status === 404) return undefined;
      if (response.status !== 200)
        throw new PartnerUnavailableError(`balance at partner ${options.partnerId}: ${response.status}`);
      const balance = response.json<{ availablePoints: string; postedPoints: string }>();
      return {
        accountRef,
        availablePoints: BigInt(balance.availablePoints),
        postedPoints: BigInt(balance.postedPoints),
      };
    },
    async transactions(period) {
      const query = new URLSearchParams({ from: period.from.toISOString(), to: period.to.toISOString() });
      const response = await send('GET', `/loyalty/transactions?${query}`);
      if (response.status !== 200)
        throw new PartnerUnavailableError(`transactions at partner ${options.partnerId}: ${response.status}`);
      return response
        .json<{
          transactions: {
            key: string;
            operation: PartnerTransaction['operation'];
            accountRef: string | null;
            points: string;
            status: string;
            at: string;
          }[];
        }>()
        .transactions.map((row) => ({ ...row, points: BigInt(row.points), at: new Date(row.at) }));
    },
    async catalog(programId): Promise<CatalogFeed | null> {
      const feed: CatalogFeed = { items: [], unreadable: [] };
      let cursor: string | null = null;
      for (let page = 0; page < catalogPagesMax; page += 1) {
        const query = new URLSearchParams({ programId, ...(cursor ? { cursor } : {}) });
        const response = await send('GET', `/loyalty/catalog?${query}`, undefined, undefined, {
          maxResponseBytes: catalogPageBytesMax,
          callTimeoutMs: Math.max(options.callTimeoutMs, catalogPageTimeoutMs),
        });
        // A system that runs no catalog of its own has no such route.
        if (response.status === 404 && page === 0) return null;
        if (response.status !== 200)
          throw new PartnerUnavailableError(`catalog at partner ${options.partnerId}: ${response.status}`);
        let envelope: ReturnType<typeof CatalogFeedEnvelope.parse>;
        try {
          envelope = CatalogFeedEnvelope.parse(response.json());
        } catch (error) {
          throw new PartnerUnavailableError(`catalog at partner ${options.partnerId}: not a catalog page`, {
            cause: error,
          });
        }
        addFeedPage(feed, envelope.items);
        cursor = envelope.nextCursor;
        if (cursor === null) return feed;
      }
      throw new PartnerUnavailableError(
        `catalog at partner ${options.partnerId}: more than ${catalogPagesMax} pages`,
      );
    },
    close: () => client.close(),
  };
}
