// Programmes and who owns them, as the use cases read them (services/programs.ts holds the rules).
import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database, Program } from './database.ts';

export interface ProgramWithPartner extends Program {
  partner_status: 'active' | 'suspended';
  loyalty_api_url: string | null;
}

export async function findProgram(
  db: Kysely<Database>,
  programId: string,
): Promise<ProgramWithPartner | undefined> {
  return db
    .selectFrom('programs')
    .innerJoin('partners', 'partners.id', 'programs.partner_id')
    .selectAll('programs')
    .select(['partners.status as partner_status', 'partners.loyalty_api_url'])
    .where('programs.id', '=', programId)
    .executeTakeFirst();
}

/**
 * Every quote and every transfer step reads a programme, its ledger, its partner's system URL and
 * status; a process keeps them for a few seconds (a suspension reaches quotes within that time).
 * Bounded, and owned by the process that makes it.
 */
export function createProgramCache(options: { ttlMs?: number; programsMax?: number } = {}) {
  const programs = new LRUCache<string, ProgramWithPartner>({
    max: options.programsMax ?? 10_000,
    ttl: options.ttlMs ?? 5_000,
  });
  return {
    async find(db: Kysely<Database>, programId: string): Promise<ProgramWithPartner | undefined> {
      const known = programs.get(programId);
      if (known) return known;
      const program = await findProgram(db, programId);
      if (program) programs.set(programId, program);
      return program;
    },
  };
}

export type ProgramCache = ReturnType<typeof createProgramCache>;

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
