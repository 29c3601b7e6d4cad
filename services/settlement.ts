// The settlement use case: close a cycle (seal the open one, net what it holds, store positions,
// payment instructions and every partner's statement), read cycles, positions and instructions, and
// mark an instruction paid.
// The close is run by a Temporal workflow per period (workflows/settlement-close.workflow.ts); this
// module is what its activities and the API call.
import { ProblemError } from '../domain/errors.ts';
import { type CurrencyNetting, netGross } from '../domain/netting.ts';
import type { SettlementCycle, SettlementInstruction, SettlementPosition } from '../store/database.ts';
import { bindIdempotencyEffect } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import {
  type CycleResult,
  findCycle,
  grossSums,
  insertGrossSums,
  listCycles,
  listInstructions,
  listPositions,
  lockCycleToNet,
  markInstructionPaid,
  sealOpenCycle,
  storeCycleResult,
} from '../store/settlement.ts';
import { insertStatements, listPartnerIds } from '../store/settlement-statements.ts';
import { inTransaction } from '../store/transaction.ts';
import type { ServiceContext } from './context.ts';
import { type DocumentSigner, signStatementsAtClose } from './settlement-statements.ts';

/**
 * Seals the open cycle under the period's label and opens the next (a second call for the same
 * period finds the first's cycle): the sealed cycle. Its obligations are final from here on.
 */
export async function sealCycle(
  { db }: ServiceContext,
  input: { periodLabel: string; now: Date },
): Promise<SettlementCycle> {
  return inTransaction(db, (trx) =>
    sealOpenCycle(trx, { periodLabel: input.periodLabel, nextCycleId: newId('cyc'), at: input.now }),
  );
}

function cycleResult(nettings: CurrencyNetting[], summed: CycleSums): CycleResult {
  // What each party is owed and owes, per currency and party, in one pass over the sums.
  const sides = new Map<string, Map<string, { receivable: bigint; payable: bigint }>>();
  const side = (currency: string, partyId: string) => {
    let ofCurrency = sides.get(currency);
    if (!ofCurrency) {
      ofCurrency = new Map();
      sides.set(currency, ofCurrency);
    }
    let found = ofCurrency.get(partyId);
    if (!found) {
      found = { receivable: 0n, payable: 0n };
      ofCurrency.set(partyId, found);
    }
    return found;
  };
  for (const pair of summed.gross) {
    side(pair.currency, pair.creditorId).receivable += pair.amountMinor;
    side(pair.currency, pair.debtorId).payable += pair.amountMinor;
  }
  const positions = nettings.flatMap((netting) =>
    netting.positions.map((position) => {
      const { receivable, payable } = side(netting.currency, position.partnerId);
      return {
        currency: netting.currency,
        party_id: position.partnerId,
        receivable_minor: receivable,
        payable_minor: payable,
        net_minor: position.amountMinor,
      };
    }),
  );
  const instructions = nettings.flatMap((netting) =>
    netting.instructions.map((instruction) => ({
      id: newId('ins'),
      currency: instruction.currency,
      payer_id: instruction.payerPartnerId,
      payee_id: instruction.payeePartnerId,
      amount_minor: instruction.amountMinor,
    })),
  );
  return { obligationCount: summed.obligationCount, positions, instructions };
}

type CycleSums = Awaited<ReturnType<typeof grossSums>>;

/**
 * Nets a sealed cycle and issues its statements, once, in one transaction: the database sums the
 * obligations per pair (one GROUP BY, which also counts them), the domain nets the sums, every
 * partner's statement is built from them and signed, and all of it is stored together. A second
 * call (a retried activity) finds the sums stored and does nothing.
 */
export async function netCycle(
  { db }: ServiceContext,
  input: { cycleId: string; sign: DocumentSigner },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const { cycle, netted } = await lockCycleToNet(trx, input.cycleId);
    if (netted) return;
    const partnerIds = await listPartnerIds(trx);
    const summed = await grossSums(trx, cycle.id);
    // PostgreSQL writes the sums while this process nets them and signs the statements: the two
    // run side by side instead of one after the other. Its error, if any, is thrown where awaited.
    const storingGross = insertGrossSums(trx, cycle.id, summed.gross);
    storingGross.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve)); // lets the insert leave before the CPU work
    const result = cycleResult(
      netGross(
        summed.gross.map((sum) => ({
          debtorPartnerId: sum.debtorId,
          creditorPartnerId: sum.creditorId,
          amountMinor: sum.amountMinor,
          currency: sum.currency,
        })),
      ),
      summed,
    );
    const statements = await signStatementsAtClose({
      cycle,
      partnerIds,
      gross: summed.gross,
      instructions: result.instructions.map((instruction) => ({
        id: instruction.id,
        payerId: instruction.payer_id,
        payeeId: instruction.payee_id,
        amountMinor: instruction.amount_minor,
        currency: instruction.currency,
      })),
      sign: input.sign,
    });
    await storingGross;
    await storeCycleResult(trx, cycle.id, result);
    await insertStatements(trx, statements);
  });
}

/** Runs the close of one period through its workflow and answers with the cycle's id. */
export type SettlementCloser = (periodLabel: string) => Promise<string>;

/**
 * Finance closes the open cycle now, by hand. The period is the moment of the request, to the
 * millisecond (two closes in one second are two periods), bound to its Idempotency-Key before the
 * close starts: a retry after a lost answer closes the same period (the same workflow), never a
 * second cycle.
 */
export async function requestCycleClose(
  context: ServiceContext,
  input: {
    idempotency: { principal: string; key: string; effectId: string | null };
    now: Date;
    close: SettlementCloser;
  },
): Promise<CycleSummary> {
  const { principal, key, effectId } = input.idempotency;
  const periodLabel =
    effectId ??
    (await inTransaction(context.db, (trx) =>
      bindIdempotencyEffect(trx, {
        principal,
        key,
        effectId: input.now.toISOString(),
      }),
    ));
  const cycleId = await input.close(periodLabel);
  return readCycle(context, { cycleId, partyId: null });
}

export interface CycleSummary {
  cycle: SettlementCycle;
  /** Per currency: what was owed in all, what is paid after netting, and the share netting saved. */
  totals: { currency: string; grossMinor: bigint; netMinor: bigint; savedBasisPoints: bigint }[];
  positions: SettlementPosition[];
}

/** A cycle with its totals and positions; a partner sees only its own position. */
export async function readCycle(
  context: ServiceContext,
  input: { cycleId: string; partyId: string | null },
): Promise<CycleSummary> {
  const cycle = await findCycle(context.db, input.cycleId);
  if (!cycle) throw new ProblemError('not_found', `Cycle ${input.cycleId} does not exist.`);
  const all = await listPositions(context.db, { cycleId: cycle.id, partyId: null });
  const currencies = [...new Set(all.map((position) => position.currency))].sort();
  const totals = currencies.map((currency) => {
    const positions = all.filter((position) => position.currency === currency);
    const grossMinor = positions.reduce((sum, position) => sum + position.payable_minor, 0n);
    const netMinor = positions.reduce(
      (sum, position) => sum + (position.net_minor > 0n ? position.net_minor : 0n),
      0n,
    );
    const savedBasisPoints = grossMinor === 0n ? 0n : ((grossMinor - netMinor) * 10_000n) / grossMinor;
    return { currency, grossMinor, netMinor, savedBasisPoints };
  });
  const positions = input.partyId ? all.filter((position) => position.party_id === input.partyId) : all;
  return { cycle, totals, positions };
}

export function listSettlementCycles(
  { db }: ServiceContext,
  input: { cursor: string | null; limit: number },
): Promise<SettlementCycle[]> {
  return listCycles(db, input);
}

/** A cycle's payment instructions; a partner sees only those it pays or receives. */
export async function listCycleInstructions(
  { db }: ServiceContext,
  input: { cycleId: string; partyId: string | null; cursor: string | null; limit: number },
): Promise<SettlementInstruction[]> {
  if (!(await findCycle(db, input.cycleId))) {
    throw new ProblemError('not_found', `Cycle ${input.cycleId} does not exist.`);
  }
  return listInstructions(db, input);
}

/** Finance records that an instruction was paid; the cycle is settled when none is left open. */
export async function markPaid(
  { db }: ServiceContext,
  input: { instructionId: string; paymentReference: string; now: Date },
): Promise<SettlementInstruction> {
  const paid = await inTransaction(db, (trx) =>
    markInstructionPaid(trx, {
      instructionId: input.instructionId,
      paymentReference: input.paymentReference,
      at: input.now,
    }),
  );
  if (!paid) throw new ProblemError('not_found', `Instruction ${input.instructionId} does not exist.`);
  if (paid.payment_reference !== input.paymentReference) {
    throw new ProblemError(
      'instruction_already_paid',
      `Instruction ${paid.id} was paid with reference ${paid.payment_reference}.`,
      [{ field: 'paymentReference', message: 'already paid with another reference' }],
    );
  }
  return paid;
}
