// Campaigns a partner schedules on its own programme, beside the agreements' own campaigns: a bonus
// multiplier on transfers into the programme (all of them, or those from one source programme, or
// for one tier) during a window. Their terms never change; ending one early only sets ended_at. The
// programme's owner caps how far campaigns may stack; a programme without a row has the default cap.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('program_campaigns')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('created_by', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    // Accruals are named already so that their earn computation needs no migration to read them.
    .addColumn('applies_to', 'text', (column) =>
      column.notNull().check(sql`applies_to in ('transfers_in', 'accruals')`),
    )
    .addColumn('source_program_id', 'text', (column) => column.references('programs.id'))
    .addColumn('tier', 'text')
    .addColumn('multiplier_numerator', 'bigint', (column) => column.notNull())
    .addColumn('multiplier_denominator', 'bigint', (column) => column.notNull())
    .addColumn('starts_at', 'timestamptz', (column) => column.notNull())
    .addColumn('ends_at', 'timestamptz', (column) => column.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    // A campaign is a bonus: it multiplies by more than one, never takes points away.
    .addCheckConstraint(
      'program_campaigns_bonus',
      sql`multiplier_denominator > 0 and multiplier_numerator > multiplier_denominator`,
    )
    .addCheckConstraint('program_campaigns_window', sql`ends_at > starts_at`)
    .execute();
  await db.schema
    .createIndex('program_campaigns_program')
    .on('program_campaigns')
    .columns(['program_id', 'ends_at'])
    .execute();

  await db.schema
    .createTable('program_campaign_caps')
    .addColumn('program_id', 'text', (column) => column.primaryKey().references('programs.id'))
    .addColumn('cap_numerator', 'bigint', (column) => column.notNull())
    .addColumn('cap_denominator', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'program_campaign_caps_at_least_one',
      sql`cap_denominator > 0 and cap_numerator >= cap_denominator`,
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('program_campaign_caps').execute();
  await db.schema.dropTable('program_campaigns').execute();
}
