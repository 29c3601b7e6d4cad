// The reference partner's own books, in a PostgreSQL schema of its own: accounts with posted and
// held points, and every operation by its key. Deliberately independent of the gateway's ledger.
// A key is applied at most once and keeps its first answer: what it did, or why it was refused.
import { type Kysely, sql, type Transaction } from 'kysely';
import { createPartnerLots, type LotPortion, portionsFromJson, portionsToJson } from './lots.ts';
import { createPartnerSchema } from './store-schema.ts';

export type PartnerOutcome =
  /**
   * points: what the operation moved (for a reversal, what it took back); expiryProfile: what a
   * reservation holds.
   */
  | { outcome: 'done'; replayed: boolean; points?: bigint; expiryProfile?: LotPortion[] }
  | { outcome: 'refused'; code: string; detail: string };

export interface PartnerOperation {
  key: string;
  kind: 'reserve' | 'post' | 'void' | 'credit' | 'reverse' | 'abandon';
  accountRef: string | null;
  points: bigint;
  status: string;
  at: Date;
}

// biome-ignore lint/suspicious/noExplicitAny: the schema is created here, not in the gateway's types.
type AnyDb = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above.
type AnyTrx = Transaction<any>;

export function createPartnerBooks(db: AnyDb, schema: string) {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) throw new Error(`schema name ${schema} is not allowed`);
  const accounts = sql.table(`${schema}.accounts`);
  const operations = sql.table(`${schema}.operations`);
  const lots = createPartnerLots(schema);

  const setUp = () => createPartnerSchema(db, { schema, accounts, operations, lots });

  async function previous(runner: AnyDb | AnyTrx, key: string): Promise<PartnerOutcome | undefined> {
    const result = await sql<{
      status: string;
      points: bigint;
      refusal_code: string | null;
      refusal_detail: string | null;
      expiry_profile: unknown;
    }>`select status, points, refusal_code, refusal_detail, expiry_profile from ${operations} where key = ${key}`.execute(
      runner,
    );
    const row = result.rows[0];
    if (!row) return undefined;
    if (row.status === 'abandoned')
      return { outcome: 'refused', code: 'operation_abandoned', detail: `${key} was abandoned` };
    if (row.status === 'refused')
      return { outcome: 'refused', code: row.refusal_code ?? 'refused', detail: row.refusal_detail ?? '' };
    const expiryProfile = portionsFromJson(row.expiry_profile);
    return {
      outcome: 'done',
      replayed: true,
      points: row.points,
      ...(expiryProfile ? { expiryProfile } : {}),
    };
  }

  /** Keeps a refusal as the key's answer: nothing took effect, and a repeat is refused the same way. */
  async function recordRefusal(
    runner: AnyDb | AnyTrx,
    key: string,
    kind: PartnerOperation['kind'],
    refusal: { code: string; detail: string },
  ): Promise<void> {
    await sql`insert into ${operations} (key, kind, points, status, refusal_code, refusal_detail)
      values (${key}, ${kind}, 0, 'refused', ${refusal.code}, ${refusal.detail})
      on conflict (key) do nothing`.execute(runner);
  }

  async function once(
    key: string,
    kind: PartnerOperation['kind'],
    run: (trx: AnyTrx) => Promise<PartnerOutcome>,
  ): Promise<PartnerOutcome> {
    const earlier = await previous(db, key);
    if (earlier) return earlier;
    try {
      return await db.transaction().execute(async (trx) => {
        const outcome = await run(trx);
        if (outcome.outcome === 'refused') await recordRefusal(trx, key, kind, outcome);
        return outcome;
      });
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      const raced = await previous(db, key);
      if (!raced) throw error;
      return raced;
    }
  }

  async function record(
    trx: AnyTrx,
    operation: Omit<PartnerOperation, 'at'> & {
      reservationKey?: string;
      expiresAt?: Date;
      expiryProfile?: LotPortion[];
    },
  ) {
    const profile = operation.expiryProfile ? portionsToJson(operation.expiryProfile) : null;
    await sql`insert into ${operations} (key, kind, account_ref, points, status, reservation_key, expires_at, expiry_profile)
      values (${operation.key}, ${operation.kind}, ${operation.accountRef}, ${operation.points}, ${operation.status},
              ${operation.reservationKey ?? null}, ${operation.expiresAt ?? null}, ${profile}::jsonb)`.execute(
      trx,
    );
  }

  async function lockAccount(trx: AnyTrx, accountRef: string) {
    const result = await sql<{ posted: bigint; held: bigint }>`
      select posted, held from ${accounts} where account_ref = ${accountRef} for update`.execute(trx);
    return result.rows[0];
  }

  async function lockReservation(trx: AnyTrx, reservationKey: string) {
    const result = await sql<{
      account_ref: string;
      points: bigint;
      status: string;
      expires_at: Date;
      expiry_profile: unknown;
    }>`
      select account_ref, points, status, expires_at, expiry_profile from ${operations}
      where key = ${reservationKey} and kind = 'reserve' for update`.execute(trx);
    return result.rows[0];
  }

  async function releaseHold(
    trx: AnyTrx,
    reservation: { account_ref: string; points: bigint; expiry_profile: unknown },
    reservationKey: string,
    status: string,
  ) {
    await sql`update ${accounts} set held = held - ${reservation.points} where account_ref = ${reservation.account_ref}`.execute(
      trx,
    );
    // A hold released without a post gives its lots back; a posted one stays burnt.
    if (status !== 'posted')
      await lots.add(trx, reservation.account_ref, portionsFromJson(reservation.expiry_profile) ?? []);
    await sql`update ${operations} set status = ${status} where key = ${reservationKey}`.execute(trx);
  }

  return {
    setUp,

    /** The first answer of a key that has one; undefined for a key never applied nor refused. */
    answer: (key: string): Promise<PartnerOutcome | undefined> => previous(db, key),

    /** The account an operation was for; null for a key never applied (or refused before it was read). */
    async accountOf(key: string): Promise<string | null> {
      const { rows } = await sql<{ account_ref: string | null }>`
        select account_ref from ${operations} where key = ${key}`.execute(db);
      return rows[0]?.account_ref ?? null;
    },

    /** Refuses a key that has no answer yet (a fault switch); a key that has one keeps it. */
    async refuse(
      key: string,
      kind: PartnerOperation['kind'],
      refusal: { code: string; detail: string },
    ): Promise<PartnerOutcome> {
      await recordRefusal(db, key, kind, refusal);
      const first = await previous(db, key);
      if (!first) throw new Error(`the refusal of ${key} was not recorded`);
      return first;
    },

    /** Opens (or adds to) an account with points expiring at `expiresAt` (null: never). */
    async openAccount(accountRef: string, points: bigint, expiresAt: Date | null = null): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await sql`insert into ${accounts} (account_ref, posted) values (${accountRef}, ${points})
          on conflict (account_ref) do update set posted = ${accounts}.posted + excluded.posted`.execute(trx);
        await lots.add(trx, accountRef, [{ points, expiresAt }]);
      });
    },

    /** What the account's points are made of, soonest expiry first. */
    expiryProfile: (accountRef: string): Promise<LotPortion[]> => lots.profile(db, accountRef),

    reserve: (input: { key: string; accountRef: string; points: bigint; expiresAt: Date }) =>
      once(input.key, 'reserve', async (trx) => {
        const account = await lockAccount(trx, input.accountRef);
        if (!account)
          return { outcome: 'refused', code: 'account_unknown', detail: `no account ${input.accountRef}` };
        if (account.posted - account.held < input.points) {
          return {
            outcome: 'refused',
            code: 'insufficient_points',
            detail: `${account.posted - account.held} available`,
          };
        }
        await sql`update ${accounts} set held = held + ${input.points} where account_ref = ${input.accountRef}`.execute(
          trx,
        );
        const expiryProfile = await lots.take(trx, input.accountRef, input.points);
        await record(trx, {
          key: input.key,
          kind: 'reserve',
          accountRef: input.accountRef,
          points: input.points,
          status: 'reserved',
          expiresAt: input.expiresAt,
          expiryProfile,
        });
        return { outcome: 'done', replayed: false, expiryProfile };
      }),

    post: (input: { key: string; reservationKey: string }) =>
      once(input.key, 'post', async (trx) => {
        const reservation = await lockReservation(trx, input.reservationKey);
        if (!reservation)
          return { outcome: 'refused', code: 'reservation_unknown', detail: input.reservationKey };
        if (reservation.status === 'reserved' && reservation.expires_at <= new Date()) {
          await releaseHold(trx, reservation, input.reservationKey, 'expired');
          return {
            outcome: 'refused',
            code: 'reservation_expired',
            detail: 'the hold expired and was released',
          };
        }
        if (reservation.status !== 'reserved') {
          return {
            outcome: 'refused',
            code: 'reservation_not_pending',
            detail: `the reservation is ${reservation.status}`,
          };
        }
        await releaseHold(trx, reservation, input.reservationKey, 'posted');
        await sql`update ${accounts} set posted = posted - ${reservation.points} where account_ref = ${reservation.account_ref}`.execute(
          trx,
        );
        await record(trx, {
          key: input.key,
          kind: 'post',
          accountRef: reservation.account_ref,
          points: reservation.points,
          status: 'posted',
          reservationKey: input.reservationKey,
        });
        return { outcome: 'done', replayed: false };
      }),

    void: (input: { key: string; reservationKey: string }) =>
      once(input.key, 'void', async (trx) => {
        const reservation = await lockReservation(trx, input.reservationKey);
        if (reservation?.status === 'posted') {
          return {
            outcome: 'refused',
            code: 'reservation_not_pending',
            detail: 'the reservation was posted',
          };
        }
        if (reservation?.status === 'reserved')
          await releaseHold(trx, reservation, input.reservationKey, 'voided');
        await record(trx, {
          key: input.key,
          kind: 'void',
          accountRef: reservation?.account_ref ?? null,
          points: reservation?.points ?? 0n,
          status: 'voided',
          reservationKey: input.reservationKey,
        });
        return { outcome: 'done', replayed: false };
      }),

    /** expiryProfile: what the gateway says paid for the points; each part keeps at most its expiry. */
    credit: (input: { key: string; accountRef: string; points: bigint; expiryProfile?: LotPortion[] }) =>
      once(input.key, 'credit', async (trx) => {
        await sql`insert into ${accounts} (account_ref, posted) values (${input.accountRef}, ${input.points})
          on conflict (account_ref) do update set posted = ${accounts}.posted + excluded.posted`.execute(trx);
        await lots.add(
          trx,
          input.accountRef,
          input.expiryProfile ?? [{ points: input.points, expiresAt: null }],
        );
        await record(trx, {
          key: input.key,
          kind: 'credit',
          accountRef: input.accountRef,
          points: input.points,
          status: 'credited',
        });
        return { outcome: 'done', replayed: false };
      }),

    /** Takes back what the member still has of the credit, up to the points asked, in parts if need be. */
    reverse: (input: { key: string; creditKey: string; points: bigint }) =>
      once(input.key, 'reverse', async (trx) => {
        const result = await sql<{ account_ref: string; points: bigint }>`
          select account_ref, points from ${operations} where key = ${input.creditKey} and kind = 'credit' for update`.execute(
          trx,
        );
        const credit = result.rows[0];
        if (!credit) {
          return { outcome: 'refused', code: 'credit_unknown', detail: `no credit ${input.creditKey}` };
        }
        const reversed = await sql<{ total: bigint }>`
          select coalesce(sum(points), 0)::int8 as total from ${operations}
          where kind = 'reverse' and reservation_key = ${input.creditKey} and status = 'reversed'`.execute(
          trx,
        );
        const account = await lockAccount(trx, credit.account_ref);
        const unreversed = credit.points - (reversed.rows[0]?.total ?? 0n);
        const available = account ? account.posted - account.held : 0n;
        const taken = [input.points, unreversed, available].reduce((least, value) =>
          value < least ? value : least,
        );
        if (taken <= 0n) {
          return {
            outcome: 'refused',
            code: 'insufficient_points',
            detail:
              unreversed <= 0n ? 'the credit is reversed in full' : 'the member has none of the points left',
          };
        }
        await sql`update ${accounts} set posted = posted - ${taken} where account_ref = ${credit.account_ref}`.execute(
          trx,
        );
        await lots.take(trx, credit.account_ref, taken);
        if (taken === unreversed) {
          await sql`update ${operations} set status = 'reversed' where key = ${input.creditKey}`.execute(trx);
        }
        await record(trx, {
          key: input.key,
          kind: 'reverse',
          accountRef: credit.account_ref,
          points: taken,
          status: 'reversed',
          reservationKey: input.creditKey,
        });
        return { outcome: 'done', replayed: false, points: taken };
      }),

    /** A key never seen is recorded as abandoned: a late request with it will be refused. */
    async outcome(key: string): Promise<'succeeded' | 'abandoned'> {
      await sql`insert into ${operations} (key, kind, points, status) values (${key}, 'abandon', 0, 'abandoned')
        on conflict (key) do nothing`.execute(db);
      const result = await sql<{
        status: string;
      }>`select status from ${operations} where key = ${key}`.execute(db);
      // A refused key never took effect, and a repeat of it is refused: to the gateway it is abandoned.
      const status = result.rows[0]?.status;
      return status === 'abandoned' || status === 'refused' ? 'abandoned' : 'succeeded';
    },

    async balance(
      accountRef: string,
    ): Promise<{ availablePoints: bigint; postedPoints: bigint } | undefined> {
      const result = await sql<{ posted: bigint; held: bigint }>`
        select posted, held from ${accounts} where account_ref = ${accountRef}`.execute(db);
      const row = result.rows[0];
      return row && { availablePoints: row.posted - row.held, postedPoints: row.posted };
    },

    /** Operations that took effect in [from, to), oldest first. */
    async transactions(period: { from: Date; to: Date; limit: number }): Promise<PartnerOperation[]> {
      const result = await sql<{
        key: string;
        kind: PartnerOperation['kind'];
        account_ref: string | null;
        points: bigint;
        status: string;
        created_at: Date;
      }>`
        select key, kind, account_ref, points, status, created_at from ${operations}
        where kind <> 'abandon' and status <> 'refused' and created_at >= ${period.from} and created_at < ${period.to}
        order by created_at, key limit ${period.limit}`.execute(db);
      return result.rows.map((row) => ({
        key: row.key,
        kind: row.kind,
        accountRef: row.account_ref,
        points: row.points,
        status: row.status,
        at: row.created_at,
      }));
    },

    async totalPostedPoints(): Promise<bigint> {
      const result = await sql<{
        total: bigint;
      }>`select coalesce(sum(posted), 0)::int8 as total from ${accounts}`.execute(db);
      return result.rows[0]?.total ?? 0n;
    },
  };
}

export type PartnerBooks = ReturnType<typeof createPartnerBooks>;
