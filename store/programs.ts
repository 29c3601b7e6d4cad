// Programmes and who owns them, as the use cases read them (services/programs.ts holds the rules).
import type { Kysely } from 'kysely';
import type { Database, Program } from './database.ts';

export interface ProgramWithPartner extends Program {
  partner_status: 'active' | 'suspended';
  loyalty_api_url: string | null;
}

// Every quote and every transfer step reads a programme, its ledger, its partner's system URL and
// status; they are kept for a few seconds per process (a suspension reaches quotes within that time).
const programCacheMs = 5_000;
const programCacheSizeMax = 10_000;
const programs = new Map<string, { program: ProgramWithPartner; expiresAt: number }>();

export async function findProgram(
  db: Kysely<Database>,
  programId: string,
): Promise<ProgramWithPartner | undefined> {
  const cached = programs.get(programId);
  if (cached && cached.expiresAt > Date.now()) return cached.program;
  const program = await db
    .selectFrom('programs')
    .innerJoin('partners', 'partners.id', 'programs.partner_id')
    .selectAll('programs')
    .select(['partners.status as partner_status', 'partners.loyalty_api_url'])
    .where('programs.id', '=', programId)
    .executeTakeFirst();
  if (program) {
    if (programs.size >= programCacheSizeMax) programs.clear();
    programs.set(programId, { program, expiresAt: Date.now() + programCacheMs });
  }
  return program;
}

/** Whether the partner owns either of the two programmes. */
export async function ownsEither(
  db: Kysely<Database>,
  partnerId: string,
  programIds: readonly string[],
): Promise<boolean> {
  const owned = await db
    .selectFrom('programs')
    .select('id')
    .where('partner_id', '=', partnerId)
    .where('id', 'in', [...programIds])
    .executeTakeFirst();
  return owned !== undefined;
}
