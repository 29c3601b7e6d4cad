// Signed-request nonces (a jti is accepted once until it expires) and stored idempotent responses.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('request_nonces')
    .addColumn('issuer', 'text', (column) => column.notNull())
    .addColumn('jti', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .addPrimaryKeyConstraint('request_nonces_pkey', ['issuer', 'jti'])
    .execute();
  await db.schema
    .createIndex('request_nonces_expires_at')
    .on('request_nonces')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('idempotency_records')
    .addColumn('principal', 'text', (column) => column.notNull())
    .addColumn('key', 'text', (column) => column.notNull())
    .addColumn('request_hash', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('in_progress', 'completed')`),
    )
    .addColumn('response_status', 'integer')
    .addColumn('response_content_type', 'text')
    .addColumn('response_body', 'text')
    .addColumn('locked_until', 'timestamptz', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_records_pkey', ['principal', 'key'])
    .execute();
  await db.schema
    .createIndex('idempotency_records_created_at')
    .on('idempotency_records')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_records').execute();
  await db.schema.dropTable('request_nonces').execute();
}
