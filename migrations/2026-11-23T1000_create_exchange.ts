// The exchange core: members and their links, rate agreements and their versions, quotes,
// transfers with their steps, settlement obligations, finance flags and webhook deliveries.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('partners').addColumn('loyalty_api_url', 'text').execute();

  await db.schema
    .createTable('members')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('member_links')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('member_id', 'text', (column) => column.notNull().references('members.id'))
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('account_ref', 'text', (column) => column.notNull())
    .addColumn('tier', 'text')
    .addColumn('consent_granted_at', 'timestamptz', (column) => column.notNull())
    .addColumn('consent_scopes', sql`text[]`, (column) => column.notNull())
    .addColumn('consent_reference', 'text', (column) => column.notNull())
    .addColumn('linked_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('cooling_off_until', 'timestamptz', (column) => column.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_reason', 'text')
    .execute();
  await sql`create unique index member_links_active_account on member_links (program_id, account_ref) where revoked_at is null`.execute(
    db,
  );
  await sql`create unique index member_links_active_member on member_links (member_id, program_id) where revoked_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('rate_agreements')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('source_program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('target_program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('rate_agreements_pair', ['source_program_id', 'target_program_id'])
    .addCheckConstraint('rate_agreements_distinct', sql`source_program_id <> target_program_id`)
    .execute();

  await db.schema
    .createTable('rate_agreement_versions')
    .addColumn('agreement_id', 'text', (column) => column.notNull().references('rate_agreements.id'))
    .addColumn('version', 'integer', (column) => column.notNull().check(sql`version > 0`))
    .addColumn('from_points', 'bigint', (column) => column.notNull().check(sql`from_points > 0`))
    .addColumn('to_points', 'bigint', (column) => column.notNull().check(sql`to_points > 0`))
    .addColumn('rounding', 'text', (column) => column.notNull().check(sql`rounding = 'floor'`))
    .addColumn('fee_basis_points', 'bigint', (column) =>
      column.notNull().check(sql`fee_basis_points between 0 and 10000`),
    )
    .addColumn('fee_payer', 'text', (column) =>
      column.notNull().check(sql`fee_payer in ('source_partner', 'member')`),
    )
    .addColumn('source_points_min', 'bigint', (column) => column.notNull().check(sql`source_points_min > 0`))
    .addColumn('source_points_max', 'bigint', (column) => column.notNull())
    .addColumn('member_daily_cap_source_points', 'bigint', (column) => column.notNull())
    .addColumn('settlement_amount_minor', 'bigint', (column) =>
      column.notNull().check(sql`settlement_amount_minor >= 0`),
    )
    .addColumn('settlement_per_target_points', 'bigint', (column) =>
      column.notNull().check(sql`settlement_per_target_points > 0`),
    )
    .addColumn('settlement_currency', 'text', (column) =>
      column.notNull().check(sql`settlement_currency ~ '^[A-Z]{3}$'`),
    )
    .addColumn('tier_ratios', 'jsonb', (column) => column.notNull())
    .addColumn('campaigns', 'jsonb', (column) => column.notNull())
    .addColumn('effective_from', 'timestamptz', (column) => column.notNull())
    .addColumn('effective_until', 'timestamptz')
    .addColumn('proposed_by', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('source_accepted_at', 'timestamptz')
    .addColumn('target_accepted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('rate_agreement_versions_pkey', ['agreement_id', 'version'])
    .addCheckConstraint('rate_agreement_versions_limits', sql`source_points_max >= source_points_min`)
    .addCheckConstraint(
      'rate_agreement_versions_window',
      sql`effective_until is null or effective_until > effective_from`,
    )
    .execute();

  await db.schema
    .createTable('quotes')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('requested_by', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('member_id', 'text', (column) => column.notNull().references('members.id'))
    .addColumn('source_program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('target_program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('agreement_id', 'text', (column) => column.notNull())
    .addColumn('agreement_version', 'integer', (column) => column.notNull())
    .addColumn('converted_source_points', 'bigint', (column) => column.notNull())
    .addColumn('fee_points', 'bigint', (column) => column.notNull())
    .addColumn('debit_points', 'bigint', (column) => column.notNull())
    .addColumn('credit_points', 'bigint', (column) => column.notNull().check(sql`credit_points > 0`))
    .addColumn('daily_cap_source_points', 'bigint', (column) => column.notNull())
    .addColumn('ratio_numerator', 'bigint', (column) => column.notNull())
    .addColumn('ratio_denominator', 'bigint', (column) => column.notNull())
    .addColumn('remainder_numerator', 'bigint', (column) => column.notNull())
    .addColumn('remainder_denominator', 'bigint', (column) => column.notNull())
    .addColumn('modifiers', 'jsonb', (column) => column.notNull())
    .addColumn('settlement_amount_minor', 'bigint', (column) => column.notNull())
    .addColumn('fee_amount_minor', 'bigint', (column) => column.notNull())
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .addColumn('used_by_transfer_id', 'text', (column) => column.unique())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint(
      'quotes_agreement_version',
      ['agreement_id', 'agreement_version'],
      'rate_agreement_versions',
      ['agreement_id', 'version'],
    )
    .execute();

  await db.schema
    .createTable('transfers')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('quote_id', 'text', (column) => column.notNull().unique().references('quotes.id'))
    .addColumn('requested_by', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('member_id', 'text', (column) => column.notNull().references('members.id'))
    .addColumn('source_program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('target_program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('source_account_ref', 'text', (column) => column.notNull())
    .addColumn('target_account_ref', 'text', (column) => column.notNull())
    .addColumn('debit_points', 'bigint', (column) => column.notNull().check(sql`debit_points > 0`))
    .addColumn('credit_points', 'bigint', (column) => column.notNull().check(sql`credit_points > 0`))
    .addColumn('status', 'text', (column) =>
      column
        .notNull()
        .check(sql`status in ('pending', 'reserved', 'credited', 'completed', 'failed', 'needs_attention')`),
    )
    .addColumn('failure_code', 'text')
    .addColumn('failure_detail', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('transfers_member_day')
    .on('transfers')
    .columns(['member_id', 'source_program_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('transfers_requested_by')
    .on('transfers')
    .columns(['requested_by', 'id'])
    .execute();

  await db.schema
    .createTable('transfer_steps')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('transfer_id', 'text', (column) => column.notNull().references('transfers.id'))
    .addColumn('step', 'text', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('transfer_steps_once', ['transfer_id', 'step', 'outcome'])
    .execute();

  await db.schema
    .createTable('settlement_obligations')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('transfer_id', 'text', (column) => column.notNull().references('transfers.id'))
    .addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in ('transfer', 'alliance_fee')`))
    .addColumn('debtor_partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('creditor_partner_id', 'text', (column) => column.references('partners.id'))
    .addColumn('amount_minor', 'bigint', (column) => column.notNull().check(sql`amount_minor >= 0`))
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('settlement_obligations_once', ['transfer_id', 'kind'])
    .execute();

  await db.schema
    .createTable('finance_flags')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('transfer_id', 'text', (column) => column.notNull().references('transfers.id'))
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .addUniqueConstraint('finance_flags_once', ['transfer_id', 'reason'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('event_type', 'text', (column) => column.notNull())
    .addColumn('event_id', 'text', (column) => column.notNull())
    .addColumn('payload', 'jsonb', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('pending', 'delivered', 'failed')`),
    )
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('webhook_deliveries_once', ['partner_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_partner')
    .on('webhook_deliveries')
    .columns(['partner_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'webhook_deliveries',
    'finance_flags',
    'settlement_obligations',
    'transfer_steps',
    'transfers',
    'quotes',
    'rate_agreement_versions',
    'rate_agreements',
    'member_links',
    'members',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('partners').dropColumn('loyalty_api_url').execute();
}
