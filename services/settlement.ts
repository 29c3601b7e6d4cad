// The settlement use case: close a cycle (seal the open one, net what it holds, store positions and
// payment instructions), read cycles, positions and instructions, and mark an instruction paid.
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
  listCycles,
  listInstructions,
  listPositions,
  markInstructionPaid,
  sealOpenCycle,
  storeCycleResult,
} from '../store/settlement.ts';
import { inTransaction } from '../store/transaction.ts';
import type { ServiceContext } from './context.ts';

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

function cycleResult(nettings: CurrencyNetting[]): CycleResult {
  const gross = nettings.flatMap((netting) => netting.gross);
  const positions = nettings.flatMap((netting) =>
    netting.positions.map((position) => {
      const owed = netting.gross.filter((pair) => pair.creditorPartnerId === position.partnerId);
      const owing = netting.gross.filter((pair) => pair.debtorPartnerId === position.partnerId);
      return {
        currency: netting.currency,
        party_id: position.partnerId,
        receivable_minor: owed.reduce((sum, pair) => sum + pair.amountMinor, 0n),
        payable_minor: owing.reduce((sum, pair) => sum + pair.amountMinor, 0n),
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
  return {
    gross: gross.map((pair) => ({
      currency: pair.currency,
      debtorId: pair.debtorPartnerId,
      creditorId: pair.creditorPartnerId,
      amountMinor: pair.amountMinor,
      obligationCount: 0n,
    })),
    positions,
    instructions,
  };
}

/**
 * Nets a sealed cycle and stores its gross sums, positions and instructions, once: the database
 * sums the obligations per pair (one GROUP BY), the domain nets the sums.
 */
export async function netCycle({ db }: ServiceContext, cycleId: string): Promise<void> {
  const sums = await grossSums(db, cycleId);
  const counts = new Map(
    sums.map((sum) => [`${sum.currency} ${sum.debtorId} ${sum.creditorId}`, sum.obligationCount]),
  );
  const result = cycleResult(
    netGross(
      sums.map((sum) => ({
        debtorPartnerId: sum.debtorId,
        creditorPartnerId: sum.creditorId,
        amountMinor: sum.amountMinor,
        currency: sum.currency,
      })),
    ),
  );
  for (const pair of result.gross) {
    pair.obligationCount = counts.get(`${pair.currency} ${pair.debtorId} ${pair.creditorId}`) ?? 0n;
  }
  await inTransaction(db, (trx) => storeCycleResult(trx, cycleId, result));
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
