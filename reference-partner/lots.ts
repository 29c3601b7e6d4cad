// The reference partner's lots: points with their expiry, the soonest-expiring held first, so that
// its reservations report what they hold and its credits keep the expiry a transfer carries. Its own
// expiry run is not modelled (a partner's system does that its own way); only what the contract sees.
import { type Kysely, sql, type Transaction } from 'kysely';
import { ReferencePartnerError } from './errors.ts';

export interface LotPortion {
  points: bigint;
  expiresAt: Date | null;
}

// biome-ignore lint/suspicious/noExplicitAny: the schema is created here, not in the gateway's types.
type AnyTrx = Transaction<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above.
type AnyRunner = Kysely<any> | AnyTrx;

export function createPartnerLots(schema: string) {
  const lots = sql.table(`${schema}.lots`);
  return {
    async setUp(db: AnyRunner): Promise<void> {
      await sql`create table if not exists ${lots} (
        id bigserial primary key,
        account_ref text not null,
        expires_at timestamptz,
        remaining bigint not null check (remaining >= 0))`.execute(db);
      await sql`create index if not exists lots_account on ${lots} (account_ref)`.execute(db);
    },

    async add(db: AnyRunner, accountRef: string, portions: readonly LotPortion[]): Promise<void> {
      for (const portion of portions) {
        if (portion.points <= 0n) continue;
        await sql`insert into ${lots} (account_ref, expires_at, remaining)
          values (${accountRef}, ${portion.expiresAt}, ${portion.points})`.execute(db);
      }
    },

    /**
     * Takes points from the account's lots, soonest expiry first, and says what they were made of.
     * Points the account holds beyond its lots (books older than lots) count as never expiring.
     */
    async take(trx: AnyTrx, accountRef: string, points: bigint): Promise<LotPortion[]> {
      const rows = await sql<{ id: bigint; expires_at: Date | null; remaining: bigint }>`
        select id, expires_at, remaining from ${lots}
        where account_ref = ${accountRef} and remaining > 0
        order by expires_at nulls last, id for update`.execute(trx);
      const taken: LotPortion[] = [];
      let left = points;
      for (const row of rows.rows) {
        if (left === 0n) break;
        // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigint.
        const part = row.remaining < left ? row.remaining : left;
        await sql`update ${lots} set remaining = remaining - ${part} where id = ${row.id}`.execute(trx);
        taken.push({ points: part, expiresAt: row.expires_at });
        left -= part;
      }
      if (left > 0n) taken.push({ points: left, expiresAt: null });
      return merge(taken);
    },

    /** What an account's lots hold, soonest expiry first. */
    async profile(db: AnyRunner, accountRef: string): Promise<LotPortion[]> {
      const rows = await sql<{ expires_at: Date | null; points: bigint }>`
        select expires_at, sum(remaining)::int8 as points from ${lots}
        where account_ref = ${accountRef} and remaining > 0
        group by expires_at order by expires_at nulls last`.execute(db);
      return rows.rows.map((row) => ({ points: row.points, expiresAt: row.expires_at }));
    },
  };
}

function merge(portions: LotPortion[]): LotPortion[] {
  const merged: LotPortion[] = [];
  for (const portion of portions) {
    const last = merged[merged.length - 1];
    if (last && last.expiresAt?.getTime() === portion.expiresAt?.getTime()) last.points += portion.points;
    else merged.push({ ...portion });
  }
  return merged;
}

export type PartnerLots = ReturnType<typeof createPartnerLots>;

/** A stored profile (jsonb) back to portions. */
export function portionsFromJson(value: unknown): LotPortion[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((portion: { points: string; expiresAt: string | null }) => ({
    points: BigInt(portion.points),
    expiresAt: portion.expiresAt === null ? null : new Date(portion.expiresAt),
  }));
}

export function portionsToJson(portions: readonly LotPortion[]): string {
  return JSON.stringify(
    portions.map((portion) => ({
      points: String(portion.points),
      expiresAt: portion.expiresAt?.toISOString() ?? null,
    })),
  );
}

/**
 * The profile a credit request carries, checked against its points: one that does not sum to them is
 * refused as the request's fault (the gateway always sends one that does).
 */
export function portionsFromBody(body: {
  points: string;
  expiryProfile?: { points: string; expiresAt: string | null }[] | undefined;
}): LotPortion[] | undefined {
  if (!body.expiryProfile) return undefined;
  const portions = portionsFromJson(body.expiryProfile) ?? [];
  const total = portions.reduce((sum, portion) => sum + portion.points, 0n);
  if (total !== BigInt(body.points)) {
    throw new ReferencePartnerError('validation_failed', 'expiryProfile does not sum to points');
  }
  return portions;
}
