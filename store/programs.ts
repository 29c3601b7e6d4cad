// Programmes and who owns them: every partner action on a programme checks ownership here.
import type { Kysely } from 'kysely';
import { ProblemError } from '../domain/errors.ts';
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

export async function requireProgram(
  db: Kysely<Database>,
  programId: string,
  field: string,
): Promise<ProgramWithPartner> {
  const program = await findProgram(db, programId);
  if (!program) {
    throw new ProblemError('program_not_found', `Programme ${programId} does not exist.`, [
      { field, message: 'unknown programme' },
    ]);
  }
  return program;
}

/** The programme, if the partner owns it; otherwise a 403 naming the field. */
export async function requireOwnProgram(
  db: Kysely<Database>,
  partnerId: string,
  programId: string,
  field: string,
): Promise<ProgramWithPartner> {
  const program = await requireProgram(db, programId, field);
  if (program.partner_id !== partnerId) {
    throw new ProblemError('forbidden', `Programme ${programId} belongs to another partner.`, [
      { field, message: 'not your programme' },
    ]);
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
