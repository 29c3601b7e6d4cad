// The web console's own accounts: users with a role (a partner's users name their partner), their
// sessions (only a digest of each session token is kept, so a copy of the table signs no one in),
// every sign-in attempt (the throttle counts failures here, so it holds across processes), and the
// audit log of who did what.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('console_users')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    // Stored lower-cased: two users cannot differ only by case.
    .addColumn('username', 'text', (column) =>
      column.notNull().unique().check(sql`username = lower(username)`),
    )
    .addColumn('role', 'text', (column) =>
      column.notNull().check(sql`role in ('operator', 'finance', 'partner_admin', 'partner_viewer')`),
    )
    .addColumn('partner_id', 'text', (column) => column.references('partners.id'))
    .addColumn('password_hash', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('disabled_at', 'timestamptz')
    .addCheckConstraint(
      'console_users_partner_role',
      sql`(role in ('partner_admin', 'partner_viewer')) = (partner_id is not null)`,
    )
    .execute();
  await db.schema
    .createTable('console_sessions')
    .addColumn('token_sha256', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'bigint', (column) => column.notNull().references('console_users.id'))
    .addColumn('csrf_token', 'text', (column) => column.notNull())
    .addColumn('address', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_user').on('console_sessions').column('user_id').execute();
  await db.schema
    .createTable('console_sign_in_attempts')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('username', 'text', (column) => column.notNull())
    .addColumn('address', 'text', (column) => column.notNull())
    .addColumn('succeeded', 'boolean', (column) => column.notNull())
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('console_sign_in_attempts_username')
    .on('console_sign_in_attempts')
    .columns(['username', 'at'])
    .execute();
  await db.schema
    .createIndex('console_sign_in_attempts_address')
    .on('console_sign_in_attempts')
    .columns(['address', 'at'])
    .execute();
  await db.schema
    .createTable('console_audit_log')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    // A console username, or `operator` for the signed operator API.
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('actor_role', 'text', (column) => column.notNull())
    .addColumn('partner_id', 'text')
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('target', 'text')
    .addColumn('detail', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('address', 'text')
    .execute();
  await db.schema.createIndex('console_audit_log_at').on('console_audit_log').column('at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('console_audit_log').execute();
  await db.schema.dropTable('console_sign_in_attempts').execute();
  await db.schema.dropTable('console_sessions').execute();
  await db.schema.dropTable('console_users').execute();
}
