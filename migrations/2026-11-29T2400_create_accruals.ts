// Earning at partner merchants (cross-brand accrual). An earn agreement between a merchant partner
// and an earning programme, versioned like rate agreements: how many points a purchase earns, the
// tier bonuses, and the price per point the merchant pays the programme's owner. An accrual is one
// purchase's points, one per merchant and order reference; its refunds (accrual reversals) take the
// points back in whole or in part. docs/accruals.md describes them.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('earn_agreements')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('merchant_partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('earn_agreements_pair', ['merchant_partner_id', 'program_id'])
    .execute();

  // Terms never change once proposed; only the merchant's acceptance is filled in (the programme's
  // owner proposes, which is its acceptance).
  await db.schema
    .createTable('earn_agreement_versions')
    .addColumn('agreement_id', 'text', (column) => column.notNull().references('earn_agreements.id'))
    .addColumn('version', 'integer', (column) => column.notNull().check(sql`version > 0`))
    .addColumn('purchase_currency', 'text', (column) => column.notNull())
    // `earn_points` points per `per_amount_minor` of the purchase, before any tier bonus.
    .addColumn('earn_points', 'bigint', (column) => column.notNull().check(sql`earn_points > 0`))
    .addColumn('per_amount_minor', 'bigint', (column) => column.notNull().check(sql`per_amount_minor > 0`))
    // [{ tier, numerator, denominator }]: the earned points are multiplied for members of that tier.
    .addColumn('tier_bonuses', 'jsonb', (column) => column.notNull().defaultTo(sql`'[]'::jsonb`))
    // The merchant pays the programme's owner `price_amount_minor` per `price_per_points` points.
    .addColumn('price_amount_minor', 'bigint', (column) =>
      column.notNull().check(sql`price_amount_minor >= 0`),
    )
    .addColumn('price_per_points', 'bigint', (column) => column.notNull().check(sql`price_per_points > 0`))
    .addColumn('price_currency', 'text', (column) => column.notNull())
    .addColumn('effective_from', 'timestamptz', (column) => column.notNull())
    .addColumn('effective_until', 'timestamptz')
    .addColumn('proposed_by', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('merchant_accepted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('earn_agreement_versions_pkey', ['agreement_id', 'version'])
    .addCheckConstraint(
      'earn_agreement_versions_window',
      sql`effective_until is null or effective_until > effective_from`,
    )
    .execute();

  await db.schema
    .createTable('accruals')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('merchant_partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('order_reference', 'text', (column) => column.notNull())
    .addColumn('member_id', 'text', (column) => column.notNull().references('members.id'))
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('account_ref', 'text', (column) => column.notNull())
    .addColumn('tier', 'text')
    .addColumn('purchase_amount_minor', 'bigint', (column) =>
      column.notNull().check(sql`purchase_amount_minor > 0`),
    )
    .addColumn('purchase_currency', 'text', (column) => column.notNull())
    .addColumn('agreement_id', 'text', (column) => column.notNull())
    .addColumn('agreement_version', 'integer', (column) => column.notNull())
    .addColumn('points', 'bigint', (column) => column.notNull().check(sql`points > 0`))
    // What the merchant owes the programme's owner once the points are credited.
    .addColumn('amount_owed_minor', 'bigint', (column) => column.notNull().check(sql`amount_owed_minor >= 0`))
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('pending', 'completed', 'failed', 'needs_attention')`),
    )
    .addColumn('failure_code', 'text')
    .addColumn('failure_detail', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint(
      'accruals_agreement_version',
      ['agreement_id', 'agreement_version'],
      'earn_agreement_versions',
      ['agreement_id', 'version'],
    )
    // One accrual per purchase: the merchant's order reference is its natural key.
    .addUniqueConstraint('accruals_order_once', ['merchant_partner_id', 'order_reference'])
    .execute();
  await sql`create index accruals_pending on accruals (updated_at) where status = 'pending'`.execute(db);

  // A refund of the purchase, whole or in part: what it asks is fixed at creation under the accrual's
  // row lock, so refunds never add up past the purchase; what it took back is written when it ends.
  await db.schema
    .createTable('accrual_reversals')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('accrual_id', 'text', (column) => column.notNull().references('accruals.id'))
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('refund_amount_minor', 'bigint', (column) =>
      column.notNull().check(sql`refund_amount_minor > 0`),
    )
    .addColumn('points', 'bigint', (column) => column.notNull().check(sql`points >= 0`))
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('pending', 'completed', 'failed', 'needs_attention')`),
    )
    .addColumn('taken_points', 'bigint', (column) => column.check(sql`taken_points >= 0`))
    .addColumn('reversed_amount_minor', 'bigint', (column) => column.check(sql`reversed_amount_minor >= 0`))
    // Points asked back that the member no longer had; the merchant bears them (docs/accruals.md).
    .addColumn('shortfall_points', 'bigint', (column) => column.check(sql`shortfall_points >= 0`))
    .addColumn('failure_code', 'text')
    .addColumn('failure_detail', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('accrual_reversals_taken', sql`taken_points is null or taken_points <= points`)
    .execute();
  await db.schema
    .createIndex('accrual_reversals_accrual')
    .on('accrual_reversals')
    .columns(['accrual_id', 'id'])
    .execute();
  await sql`create index accrual_reversals_pending on accrual_reversals (updated_at) where status = 'pending'`.execute(
    db,
  );

  // An accrual's timeline: its credit, its refunds' steps (`<reversalId>:reverse`), its end.
  await db.schema
    .createTable('accrual_steps')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('accrual_id', 'text', (column) => column.notNull().references('accruals.id'))
    .addColumn('step', 'text', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('accrual_steps_once', ['accrual_id', 'step', 'outcome'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from settlement_obligations where kind in ('accrual', 'accrual_reversal')`.execute(db);
  for (const table of [
    'accrual_steps',
    'accrual_reversals',
    'accruals',
    'earn_agreement_versions',
    'earn_agreements',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
