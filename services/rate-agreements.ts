// The rate-agreement use case: a partner on either side proposes a version (which counts as its own
// acceptance); it is in force once the other side accepts and its start time has come. A version
// that would open a rate-arbitrage cycle is refused, on proposal and again on acceptance, under one
// lock on the alliance's rate graph so that two changes cannot each miss the other's cycle. The
// target programme's own campaigns count in a version's best case (services/campaigns.ts).
import { refuseArbitrage } from '../domain/arbitrage.ts';
import { ProblemError } from '../domain/errors.ts';
import type { RateTerms } from '../domain/rate-terms.ts';
import { ownsEither } from '../store/programs.ts';
import {
  type AgreementVersionRecord,
  findAgreementVersion,
  insertNextVersion,
  listAgreementVersions,
  lockAgreement,
  lockRateGraph,
  markVersionAccepted,
  type ProposedTerms,
  rateEdges,
} from '../store/rate-agreements.ts';
import { inTransaction } from '../store/transaction.ts';
import { campaignBoosts } from './campaigns.ts';
import { type ServiceContext, within } from './context.ts';
import { requireProgram } from './programs.ts';

/** Which side of the agreement the partner is on; a partner owning neither may not act on it. */
async function sideOf(
  context: ServiceContext,
  partnerId: string,
  terms: { sourceProgramId: string; targetProgramId: string },
  fields: { source: string; target: string },
): Promise<'source' | 'target' | null> {
  const [source, target] = await Promise.all([
    requireProgram(context, terms.sourceProgramId, fields.source),
    requireProgram(context, terms.targetProgramId, fields.target),
  ]);
  if (source.partner_id === partnerId) return 'source';
  if (target.partner_id === partnerId) return 'target';
  return null;
}

export async function proposeAgreementVersion(
  context: ServiceContext,
  input: { partnerId: string; terms: ProposedTerms; now: Date },
): Promise<AgreementVersionRecord> {
  const terms: RateTerms = { ...input.terms, rounding: 'floor' };
  const side = await sideOf(context, input.partnerId, terms, {
    source: 'sourceProgramId',
    target: 'targetProgramId',
  });
  if (!side)
    throw new ProblemError('forbidden', 'Only a partner owning one of the two programmes may propose rates.');
  return inTransaction(context.db, async (trx) => {
    await lockRateGraph(trx);
    const boost = await campaignBoosts(trx, input.now);
    refuseArbitrage(await rateEdges(trx, input.now, boost), terms, boost(terms));
    const agreementId = await lockAgreement(trx, terms.sourceProgramId, terms.targetProgramId);
    return insertNextVersion(trx, { agreementId, terms, proposedBy: input.partnerId, side, now: input.now });
  });
}

export async function acceptAgreementVersion(
  context: ServiceContext,
  input: { partnerId: string; agreementId: string; version: number; now: Date },
): Promise<AgreementVersionRecord> {
  return inTransaction(context.db, async (trx) => {
    await lockRateGraph(trx);
    const version = await findAgreementVersion(trx, input.agreementId, input.version);
    if (!version)
      throw new ProblemError('not_found', `Agreement ${input.agreementId} has no version ${input.version}.`);
    const side = await sideOf(within(context, trx), input.partnerId, version.terms, {
      source: 'agreementId',
      target: 'agreementId',
    });
    if (!side) throw new ProblemError('forbidden', 'Only the two partners of an agreement may accept it.');
    if ((side === 'source' ? version.sourceAcceptedAt : version.targetAcceptedAt) !== null) return version;
    if (version.terms.effectiveUntil !== null && version.terms.effectiveUntil <= input.now) {
      throw new ProblemError(
        'agreement_version_conflict',
        'This version has already ended; propose a new one.',
      );
    }
    const boost = await campaignBoosts(trx, input.now);
    refuseArbitrage(await rateEdges(trx, input.now, boost), version.terms, boost(version.terms));
    return markVersionAccepted(trx, { version, side, at: input.now });
  });
}

/** Every version of an agreement, to either of its two partners only. */
export async function readAgreementVersions(
  { db }: ServiceContext,
  input: { partnerId: string; agreementId: string },
): Promise<AgreementVersionRecord[]> {
  const versions = await listAgreementVersions(db, input.agreementId);
  const first = versions[0];
  if (!first) throw new ProblemError('not_found', `Agreement ${input.agreementId} does not exist.`);
  if (!(await ownsEither(db, input.partnerId, [first.terms.sourceProgramId, first.terms.targetProgramId]))) {
    throw new ProblemError('forbidden', 'Only the two partners of an agreement may read it.');
  }
  return versions;
}
