// What the console's pages list that the API has no list for: the whole alliance for the operator,
// transfers across partners filtered by state, partner, member and time. `partnerId` narrows each to one partner's share.
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { firstTransferIdAt } from './console-activity.ts';
import type {
  Database,
  Partner,
  Program,
  RateAgreementVersion,
  Transfer,
  TransferStatus,
} from './database.ts';

export interface AllianceView {
  partners: (Partner & { programs: Program[] })[];
  agreements: {
    id: string;
    source_program_id: string;
    target_program_id: string;
    versions: RateAgreementVersion[];
  }[];
}

export async function readAllianceView(
  db: Kysely<Database>,
  partnerId: string | null,
): Promise<AllianceView> {
  let partnerQuery = db.selectFrom('partners').selectAll().orderBy('name');
  if (partnerId) partnerQuery = partnerQuery.where('id', '=', partnerId);
  const [partners, programs] = await Promise.all([
    partnerQuery.execute(),
    db.selectFrom('programs').selectAll().orderBy('id').execute(),
  ]);
  const own = db
    .selectFrom('programs')
    .select('id')
    .where('partner_id', '=', partnerId ?? '');
  let agreementQuery = db.selectFrom('rate_agreements').selectAll().orderBy('id');
  if (partnerId) {
    agreementQuery = agreementQuery.where((eb) =>
      eb.or([eb('source_program_id', 'in', own), eb('target_program_id', 'in', own)]),
    );
  }
  const agreements = await agreementQuery.execute();
  const versions =
    agreements.length === 0
      ? []
      : await db
          .selectFrom('rate_agreement_versions')
          .selectAll()
          .where(
            'agreement_id',
            'in',
            agreements.map((agreement) => agreement.id),
          )
          .orderBy('agreement_id')
          .orderBy('version')
          .execute();
  return {
    partners: partners.map((partner) => ({
      ...partner,
      programs: programs.filter((program) => program.partner_id === partner.id),
    })),
    agreements: agreements.map((agreement) => ({
      id: agreement.id,
      source_program_id: agreement.source_program_id,
      target_program_id: agreement.target_program_id,
      versions: versions.filter((version) => version.agreement_id === agreement.id),
    })),
  };
}

/** Programme names by id, for labels: every programme, since agreements name the other side's. */
export async function programNames(db: Kysely<Database>): Promise<Map<string, string>> {
  const rows = await db.selectFrom('programs').select(['id', 'name']).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** Transfers newest first, before the cursor; a partner's are those it asked for or either end is its. */
export interface ConsoleTransferFilter {
  /** The viewer's partner: only what it is party to. */
  partnerId: string | null;
  status: TransferStatus | null;
  /** A partner the transfers touch (requested, debited or credited), chosen in the filter. */
  partyPartnerId: string | null;
  memberId: string | null;
  /** Created at or after `from` and before `to`. */
  from: Date | null;
  to: Date | null;
  cursor: string | null;
  limit: number;
}

type TransferQuery = SelectQueryBuilder<Database, 'transfers', Transfer>;

function touching(db: Kysely<Database>, query: TransferQuery, partnerId: string): TransferQuery {
  const own = db.selectFrom('programs').select('id').where('partner_id', '=', partnerId);
  return query.where((eb) =>
    eb.or([
      eb('requested_by', '=', partnerId),
      eb('source_program_id', 'in', own),
      eb('target_program_id', 'in', own),
    ]),
  );
}

export async function listConsoleTransfers(
  db: Kysely<Database>,
  input: ConsoleTransferFilter,
): Promise<Transfer[]> {
  let query: TransferQuery = db.selectFrom('transfers').selectAll().orderBy('id', 'desc').limit(input.limit);
  if (input.partnerId) query = touching(db, query, input.partnerId);
  if (input.partyPartnerId) query = touching(db, query, input.partyPartnerId);
  if (input.status) query = query.where('status', '=', input.status);
  if (input.memberId) query = query.where('member_id', '=', input.memberId);
  // A range on the primary key: transfer ids begin with their creation time (store/ids.ts).
  if (input.from) query = query.where('id', '>=', firstTransferIdAt(input.from));
  if (input.to) query = query.where('id', '<', firstTransferIdAt(input.to));
  if (input.cursor) query = query.where('id', '<', input.cursor);
  return query.execute();
}

/** Every partner's id and name, for the operator's filters. */
export async function partnerNames(db: Kysely<Database>): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('partners').select(['id', 'name']).orderBy('name').execute();
}
