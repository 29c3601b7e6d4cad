// The reference partner's tables, made on start in a schema of its own; books made by an older
// version get the columns added since.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { createPartnerLots } from './lots.ts';

export async function createPartnerSchema(
  // biome-ignore lint/suspicious/noExplicitAny: the schema is created here, not in the gateway's types.
  db: Kysely<any>,
  tables: {
    schema: string;
    accounts: RawBuilder<unknown>;
    operations: RawBuilder<unknown>;
    lots: ReturnType<typeof createPartnerLots>;
  },
): Promise<void> {
  const { schema, accounts, operations, lots } = tables;
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  await sql`create table if not exists ${accounts} (
    account_ref text primary key,
    posted bigint not null default 0,
    held bigint not null default 0,
    check (held >= 0 and posted - held >= 0))`.execute(db);
  await sql`create table if not exists ${operations} (
    key text primary key,
    kind text not null,
    account_ref text,
    points bigint not null,
    status text not null,
    reservation_key text,
    expires_at timestamptz,
    created_at timestamptz not null default now())`.execute(db);
  // Books made before refusals were kept as answers get the columns that hold them.
  await sql`alter table ${operations} add column if not exists refusal_code text`.execute(db);
  await sql`alter table ${operations} add column if not exists refusal_detail text`.execute(db);
  await sql`alter table ${operations} add column if not exists expiry_profile jsonb`.execute(db);
  await lots.setUp(db);
}
