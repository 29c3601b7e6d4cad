// A hosted programme's expiry rule for the lots its credits make (never, N months after earning,
// or the end of the Nth calendar year) and how many days ahead members' partners are reminded.
// A change applies to lots made after it; lots keep the expiry they were made with. The expiry run
// delivers its own notices (points.expired, points.expiring), found by the index below.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('programs')
    .addColumn('points_expiry_rule', 'text', (column) =>
      column
        .notNull()
        .defaultTo('never')
        .check(sql`points_expiry_rule in ('never', 'months_after_earning', 'end_of_calendar_year')`),
    )
    .addColumn('points_expiry_period', 'integer', (column) =>
      column.check(sql`points_expiry_period between 1 and 1200`),
    )
    .addColumn('expiry_reminder_days', sql`integer[]`, (column) => column.notNull().defaultTo(sql`'{}'`))
    .execute();
  await sql`alter table programs add constraint programs_points_expiry_period
    check ((points_expiry_rule = 'never') = (points_expiry_period is null))`.execute(db);
  await sql`create index webhook_deliveries_pending_by_type on webhook_deliveries (event_type, id)
    where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index webhook_deliveries_pending_by_type`.execute(db);
  await sql`alter table programs drop constraint programs_points_expiry_period`.execute(db);
  await db.schema
    .alterTable('programs')
    .dropColumn('expiry_reminder_days')
    .dropColumn('points_expiry_period')
    .dropColumn('points_expiry_rule')
    .execute();
}
