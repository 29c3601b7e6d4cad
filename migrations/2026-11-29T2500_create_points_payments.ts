// Points as cash at checkout (积分当钱花): a merchant takes part of an order in another brand's
// points. A cash agreement fixes what one point of a programme is worth to one merchant; a payment
// reserves the member's points at that price (authorize), then is captured, voided or expires, and a
// captured payment may be refunded in parts. Each of those is an operation with its own workflow.
// docs/points-payments.md describes it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Offered by the programme's owner (who pays), accepted by the merchant (who is paid); a newer
  // accepted agreement for the same pair ends the older one.
  await db.schema
    .createTable('cash_agreements')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('owner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('merchant_id', 'text', (column) => column.notNull().references('partners.id'))
    // amount_minor per per_points points: 1 per 100 is a cent per point.
    .addColumn('amount_minor', 'bigint', (column) => column.notNull().check(sql`amount_minor > 0`))
    .addColumn('per_points', 'bigint', (column) => column.notNull().check(sql`per_points > 0`))
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('offered', 'accepted', 'ended')`),
    )
    .addColumn('offered_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('cash_agreements_one_accepted')
    .on('cash_agreements')
    .columns(['program_id', 'merchant_id'])
    .unique()
    .where(sql.ref('status'), '=', 'accepted')
    .execute();

  await db.schema
    .createTable('points_payments')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('merchant_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('owner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('member_id', 'text', (column) => column.notNull().references('members.id'))
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('account_ref', 'text', (column) => column.notNull())
    .addColumn('cash_agreement_id', 'text', (column) => column.notNull().references('cash_agreements.id'))
    // The agreement's price when authorized: the payment keeps it whatever the agreement becomes.
    .addColumn('price_amount_minor', 'bigint', (column) => column.notNull())
    .addColumn('price_per_points', 'bigint', (column) => column.notNull())
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('order_reference', 'text', (column) => column.notNull())
    .addColumn('authorized_points', 'bigint', (column) => column.notNull().check(sql`authorized_points > 0`))
    .addColumn('authorized_amount_minor', 'bigint', (column) => column.notNull())
    .addColumn('captured_points', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('captured_amount_minor', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('refunded_points', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('refunded_amount_minor', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('status', 'text', (column) =>
      column
        .notNull()
        .check(
          sql`status in ('authorizing', 'authorized', 'capturing', 'captured', 'voiding', 'voided', 'expired', 'failed', 'needs_attention')`,
        ),
    )
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .addColumn('reservation_expires_at', 'timestamptz', (column) => column.notNull())
    .addColumn('failure_code', 'text')
    .addColumn('failure_detail', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'points_payments_captured_within',
      sql`captured_points <= authorized_points and refunded_points <= captured_points`,
    )
    .execute();
  // The expiry sweep's question: authorizations past their end.
  await db.schema
    .createIndex('points_payments_authorized_expiry')
    .on('points_payments')
    .columns(['expires_at', 'id'])
    .where(sql.ref('status'), '=', 'authorized')
    .execute();

  // One row per thing asked of a payment. At most one authorize, one capture and one void each;
  // refunds as many as fit in what was captured.
  await db.schema
    .createTable('points_payment_operations')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('payment_id', 'text', (column) => column.notNull().references('points_payments.id'))
    .addColumn('kind', 'text', (column) =>
      column.notNull().check(sql`kind in ('authorize', 'capture', 'void', 'refund')`),
    )
    // A partner id, or `expiry` for a void the expiry sweep asked.
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('points', 'bigint', (column) => column.notNull().check(sql`points >= 0`))
    .addColumn('amount_minor', 'bigint', (column) => column.notNull().check(sql`amount_minor >= 0`))
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('pending', 'completed', 'failed', 'needs_attention')`),
    )
    .addColumn('failure_code', 'text')
    .addColumn('failure_detail', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('points_payment_operations_once')
    .on('points_payment_operations')
    .columns(['payment_id', 'kind'])
    .unique()
    .where(sql.ref('kind'), '<>', 'refund')
    .execute();
  await db.schema
    .createIndex('points_payment_operations_payment')
    .on('points_payment_operations')
    .columns(['payment_id', 'id'])
    .execute();
  // The sweep's question: operations accepted but never finished (a start that never happened).
  await db.schema
    .createIndex('points_payment_operations_pending')
    .on('points_payment_operations')
    .columns(['updated_at', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();

  await db.schema
    .createTable('points_payment_steps')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('payment_id', 'text', (column) => column.notNull().references('points_payments.id'))
    .addColumn('operation_id', 'text', (column) =>
      column.notNull().references('points_payment_operations.id'),
    )
    .addColumn('step', 'text', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('points_payment_steps_once', ['operation_id', 'step', 'outcome'])
    .execute();
  await db.schema
    .createIndex('points_payment_steps_payment')
    .on('points_payment_steps')
    .columns(['payment_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'points_payment_steps',
    'points_payment_operations',
    'points_payments',
    'cash_agreements',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
