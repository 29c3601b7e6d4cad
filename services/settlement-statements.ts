// The statement use case: a partner's statement of a closed cycle, signed by the gateway (JWS) so it
// can be verified offline, and the same lines as CSV. Built on demand from rows that no longer
// change once the cycle is sealed, so every download states the same figures.
import { stringify } from 'csv-stringify/sync';
import { ProblemError } from '../domain/errors.ts';
import {
  buildStatement,
  type StatementDocument,
  statementCsvColumns,
} from '../domain/settlement-statement.ts';
import { findCycle, listInstructions, listPartyObligations } from '../store/settlement.ts';
import type { ServiceContext } from './context.ts';

/** Signs a document with the gateway's key: a compact JWS. */
export type DocumentSigner = (document: unknown) => Promise<string>;

/** More instructions than a party can have in one cycle (at most one per other party and currency). */
const instructionsPerPartyMax = 10_000;

export async function buildPartnerStatement(
  { db }: ServiceContext,
  input: { cycleId: string; partnerId: string; now: Date },
): Promise<StatementDocument> {
  const cycle = await findCycle(db, input.cycleId);
  if (!cycle) throw new ProblemError('not_found', `Cycle ${input.cycleId} does not exist.`);
  if (cycle.status === 'open' || cycle.period_label === null) {
    throw new ProblemError(
      'cycle_not_closed',
      `Cycle ${cycle.id} is still open; its statement comes with its close.`,
    );
  }
  const [obligations, instructions] = await Promise.all([
    listPartyObligations(db, { cycleId: cycle.id, partnerId: input.partnerId }),
    listInstructions(db, {
      cycleId: cycle.id,
      partyId: input.partnerId,
      cursor: null,
      limit: instructionsPerPartyMax,
    }),
  ]);
  return buildStatement({
    partnerId: input.partnerId,
    cycleId: cycle.id,
    periodLabel: cycle.period_label,
    issuedAt: input.now,
    obligations: obligations.map((row) => ({
      obligationId: row.id,
      kind: row.kind,
      sourceId: row.source_id,
      debtorId: row.debtor_partner_id,
      creditorId: String(row.creditor_id),
      amountMinor: row.amount_minor,
      currency: row.currency,
      createdAt: row.created_at,
    })),
    instructions: instructions.map((row) => ({
      id: row.id,
      payerId: row.payer_id,
      payeeId: row.payee_id,
      amountMinor: row.amount_minor,
      currency: row.currency,
      status: row.status,
    })),
  });
}

/** The statement and its JWS: the JWS's payload is exactly the statement, so either can be checked. */
export async function signedStatement(
  context: ServiceContext,
  input: { cycleId: string; partnerId: string; now: Date; sign: DocumentSigner },
): Promise<{ statement: StatementDocument; jws: string }> {
  const statement = await buildPartnerStatement(context, input);
  return { statement, jws: await input.sign(statement) };
}

/** The statement's lines as RFC 4180 CSV with one header row. */
export async function statementCsv(
  context: ServiceContext,
  input: { cycleId: string; partnerId: string; now: Date },
): Promise<string> {
  const statement = await buildPartnerStatement(context, input);
  return stringify(
    statement.lines.map((line) => statementCsvColumns.map((column) => line[column])),
    { header: true, columns: [...statementCsvColumns], record_delimiter: '\r\n' },
  );
}
