// What the sandbox made in its own alliance, kept in a schema of its own in the sandbox database
// (never in the live one): the stand-in brands' ids, and each live partner's twin with its demo
// members. The gateway's tables there are reached only through the sandbox gateway's API.
import { type Kysely, sql } from 'kysely';
import type { SandboxStandInSlug } from '../domain/sandbox.ts';

// biome-ignore lint/suspicious/noExplicitAny: the registry's schema is its own, not the gateway's.
type AnyDb = Kysely<any>;

const standInsTable = sql.table('sandbox_registry.stand_ins');
const twinsTable = sql.table('sandbox_registry.twins');

export interface StandInRecord {
  slug: SandboxStandInSlug;
  partnerId: string;
  programId: string;
}

export interface TwinRecord {
  livePartnerId: string;
  partnerId: string;
  programId: string;
  createdAt: Date;
  /** Set once its agreements, members and points are all made. */
  members: { memberId: string; accountRef: string }[] | null;
}

export async function setUpRegistry(db: AnyDb): Promise<void> {
  await sql`create schema if not exists sandbox_registry`.execute(db);
  await sql`create table if not exists ${standInsTable} (
    slug text primary key,
    partner_id text not null unique,
    program_id text not null,
    created_at timestamptz not null default now())`.execute(db);
  await sql`create table if not exists ${twinsTable} (
    live_partner_id text primary key,
    partner_id text not null unique,
    program_id text not null,
    created_at timestamptz not null default now(),
    members jsonb)`.execute(db);
}

export async function findStandIns(db: AnyDb): Promise<StandInRecord[]> {
  const { rows } = await sql<{ slug: SandboxStandInSlug; partner_id: string; program_id: string }>`
    select slug, partner_id, program_id from ${standInsTable} order by slug`.execute(db);
  return rows.map((row) => ({ slug: row.slug, partnerId: row.partner_id, programId: row.program_id }));
}

export async function insertStandIn(db: AnyDb, record: StandInRecord): Promise<void> {
  await sql`insert into ${standInsTable} (slug, partner_id, program_id)
    values (${record.slug}, ${record.partnerId}, ${record.programId})
    on conflict (slug) do nothing`.execute(db);
}

type TwinRow = {
  live_partner_id: string;
  partner_id: string;
  program_id: string;
  created_at: Date;
  members: TwinRecord['members'];
};

function twinFromRow(row: TwinRow): TwinRecord {
  return {
    livePartnerId: row.live_partner_id,
    partnerId: row.partner_id,
    programId: row.program_id,
    createdAt: row.created_at,
    members: row.members,
  };
}

export async function findTwin(db: AnyDb, livePartnerId: string): Promise<TwinRecord | undefined> {
  const { rows } = await sql<TwinRow>`
    select * from ${twinsTable} where live_partner_id = ${livePartnerId}`.execute(db);
  return rows[0] ? twinFromRow(rows[0]) : undefined;
}

/** Records a twin; when another run recorded one first, that one is returned and kept. */
export async function insertTwin(
  db: AnyDb,
  twin: { livePartnerId: string; partnerId: string; programId: string },
): Promise<TwinRecord> {
  await sql`insert into ${twinsTable} (live_partner_id, partner_id, program_id)
    values (${twin.livePartnerId}, ${twin.partnerId}, ${twin.programId})
    on conflict (live_partner_id) do nothing`.execute(db);
  const recorded = await findTwin(db, twin.livePartnerId);
  if (!recorded) throw new Error(`the twin of ${twin.livePartnerId} vanished as it was recorded`);
  return recorded;
}

export async function markTwinSeeded(
  db: AnyDb,
  livePartnerId: string,
  members: NonNullable<TwinRecord['members']>,
): Promise<void> {
  await sql`update ${twinsTable} set members = ${JSON.stringify(members)}::jsonb
    where live_partner_id = ${livePartnerId}`.execute(db);
}
