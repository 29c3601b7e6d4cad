// The statement use case. A partner's statement of a closed cycle is issued at the close: built from
// the figures the close has just summed, signed by the gateway (JWS, verifiable offline) and stored
// in the close's transaction (services/settlement.ts), so every download states the same signed
// document. Its lines, every obligation behind the figures, are read when the partner asks for them:
// signed as a document of their own, bound to the statement by its digest, or given as CSV.
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import { ProblemError } from '../domain/errors.ts';
import {
  buildStatementLines,
  buildStatements,
  type StatementDocument,
  type StatementGross,
  type StatementInstruction,
  type StatementLinesDocument,
  statementCsvColumns,
} from '../domain/settlement-statement.ts';
import type { Database, SettlementCycle } from '../store/database.ts';
import { findCycle, listInstructions } from '../store/settlement.ts';
import {
  findStatement,
  insertStatements,
  listPartyGross,
  listPartyObligations,
} from '../store/settlement-statements.ts';
import type { ServiceContext } from './context.ts';

/** Signs a document with the gateway's key: a compact JWS. */
export type DocumentSigner = (document: unknown) => Promise<string>;

/** More instructions than a party can have in one cycle (at most one per other party and currency). */
const instructionsPerPartyMax = 10_000;

function closedCycle(cycle: SettlementCycle): { periodLabel: string; closedAt: Date } {
  if (cycle.status === 'open' || cycle.period_label === null || cycle.closed_at === null) {
    throw new ProblemError(
      'cycle_not_closed',
      `Cycle ${cycle.id} is still open; its statement comes with its close.`,
    );
  }
  return { periodLabel: cycle.period_label, closedAt: cycle.closed_at };
}

/**
 * The statements of a cycle being closed, one per partner, signed: built from the gross sums and
 * instructions the close has just computed, so issuing them reads no obligation. Issued at the
 * cycle's close time, so a retried close issues the same documents.
 */
export async function signStatementsAtClose(input: {
  cycle: SettlementCycle;
  partnerIds: readonly string[];
  gross: readonly StatementGross[];
  instructions: readonly StatementInstruction[];
  sign: DocumentSigner;
}): Promise<{ cycleId: string; partnerId: string; jws: string }[]> {
  const { periodLabel, closedAt } = closedCycle(input.cycle);
  const documents = buildStatements({
    partnerIds: input.partnerIds,
    cycleId: input.cycle.id,
    periodLabel,
    issuedAt: closedAt,
    gross: input.gross,
    instructions: input.instructions,
  });
  // All at once: the signatures themselves run on libuv's threads while this one encodes the next.
  return Promise.all(
    documents.map(async (document) => ({
      cycleId: document.cycleId,
      partnerId: document.partnerId,
      jws: await input.sign(document),
    })),
  );
}

/**
 * A statement issued after the close, from the same stored figures, and kept like the others: for a
 * cycle closed before statements were issued at the close, or a partner onboarded since.
 */
async function issueLate(
  db: Kysely<Database>,
  input: { cycleId: string; partnerId: string; sign: DocumentSigner },
): Promise<string> {
  const cycle = await findCycle(db, input.cycleId);
  if (!cycle) throw new ProblemError('not_found', `Cycle ${input.cycleId} does not exist.`);
  closedCycle(cycle);
  if (cycle.obligation_count === null) {
    throw new ProblemError(
      'cycle_not_closed',
      `Cycle ${cycle.id} is closing; its statements come once it is netted.`,
    );
  }
  const [gross, instructions] = await Promise.all([
    listPartyGross(db, { cycleId: cycle.id, partyId: input.partnerId }),
    listInstructions(db, {
      cycleId: cycle.id,
      partyId: input.partnerId,
      cursor: null,
      limit: instructionsPerPartyMax,
    }),
  ]);
  await insertStatements(
    db,
    await signStatementsAtClose({
      cycle,
      partnerIds: [input.partnerId],
      gross,
      instructions: instructions.map((row) => ({
        id: row.id,
        payerId: row.payer_id,
        payeeId: row.payee_id,
        amountMinor: row.amount_minor,
        currency: row.currency,
      })),
      sign: input.sign,
    }),
  );
  const issued = await findStatement(db, input);
  if (issued === undefined)
    throw new Error(`the statement of ${input.partnerId} in ${cycle.id} was not kept`);
  return issued;
}

/** The JSON a compact JWS signs, as its bytes. */
function payloadOf(jws: string): Buffer {
  return Buffer.from(jws.split('.')[1] ?? '', 'base64url');
}

/** Base64url SHA-256 of a statement's signed JSON (its JWS payload's bytes). */
export function statementDigest(jws: string): string {
  return createHash('sha256').update(payloadOf(jws)).digest('base64url');
}

/** The statement as issued, and its JWS: the JWS's payload is exactly the statement. */
export async function signedStatement(
  { db }: ServiceContext,
  input: { cycleId: string; partnerId: string; sign: DocumentSigner },
): Promise<{ statement: StatementDocument; jws: string }> {
  const jws = (await findStatement(db, input)) ?? (await issueLate(db, input));
  return { statement: JSON.parse(payloadOf(jws).toString('utf8')) as StatementDocument, jws };
}

async function statementLines(
  context: ServiceContext,
  input: { cycleId: string; partnerId: string; sign: DocumentSigner },
): Promise<StatementLinesDocument> {
  const { jws } = await signedStatement(context, input);
  const obligations = await listPartyObligations(context.db, input);
  return buildStatementLines({
    partnerId: input.partnerId,
    cycleId: input.cycleId,
    statementSha256: statementDigest(jws),
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
  });
}

/** The statement's lines and their JWS, whose payload is exactly the lines document. */
export async function signedStatementLines(
  context: ServiceContext,
  input: { cycleId: string; partnerId: string; sign: DocumentSigner },
): Promise<{ statementLines: StatementLinesDocument; jws: string }> {
  const statementLinesDocument = await statementLines(context, input);
  return { statementLines: statementLinesDocument, jws: await input.sign(statementLinesDocument) };
}

/** The statement's lines as RFC 4180 CSV with one header row. */
export async function statementCsv(
  context: ServiceContext,
  input: { cycleId: string; partnerId: string; sign: DocumentSigner },
): Promise<string> {
  const { lines } = await statementLines(context, input);
  return stringify(
    lines.map((line) => statementCsvColumns.map((column) => line[column])),
    { header: true, columns: [...statementCsvColumns], record_delimiter: '\r\n' },
  );
}
