// The earn-agreement use case: the earning programme's owner proposes a version naming the merchant
// (which counts as the owner's acceptance); it is in force once the merchant accepts it and its
// start has come. Only the owner proposes because the points are its liability: a merchant cannot
// set what another brand's points cost. Versions never change; a new version replaces the terms.

import type { EarnTerms } from '../domain/accrual.ts';
import { ProblemError } from '../domain/errors.ts';
import {
  type EarnAgreementVersionRecord,
  findEarnVersion,
  insertNextEarnVersion,
  listEarnVersions,
  lockEarnAgreement,
  markEarnVersionAccepted,
} from '../store/earn-agreements.ts';
import { findPartner } from '../store/partners.ts';
import { inTransaction } from '../store/transaction.ts';
import type { ServiceContext } from './context.ts';
import { requireOwnProgram } from './programs.ts';

export async function proposeEarnVersion(
  context: ServiceContext,
  input: { partnerId: string; terms: EarnTerms },
): Promise<EarnAgreementVersionRecord> {
  const { terms } = input;
  await requireOwnProgram(context, input.partnerId, terms.programId, 'programId');
  if (terms.merchantPartnerId === input.partnerId) {
    throw new ProblemError(
      'validation_failed',
      'A programme does not need an agreement with its own partner.',
      [{ field: 'merchantPartnerId', message: 'must be another partner' }],
    );
  }
  if (!(await findPartner(context.db, terms.merchantPartnerId))) {
    throw new ProblemError('validation_failed', `Partner ${terms.merchantPartnerId} does not exist.`, [
      { field: 'merchantPartnerId', message: 'unknown partner' },
    ]);
  }
  return inTransaction(context.db, async (trx) => {
    const agreementId = await lockEarnAgreement(trx, terms.merchantPartnerId, terms.programId);
    return insertNextEarnVersion(trx, { agreementId, terms, proposedBy: input.partnerId });
  });
}

export async function acceptEarnVersion(
  context: ServiceContext,
  input: { partnerId: string; agreementId: string; version: number; now: Date },
): Promise<EarnAgreementVersionRecord> {
  return inTransaction(context.db, async (trx) => {
    const found = await findEarnVersion(trx, input.agreementId, input.version);
    if (!found || !(await mayRead(context, input.partnerId, found))) {
      throw new ProblemError(
        'not_found',
        `Earn agreement ${input.agreementId} has no version ${input.version}.`,
      );
    }
    if (found.terms.merchantPartnerId !== input.partnerId) {
      throw new ProblemError('forbidden', 'Only the merchant named in the agreement accepts it.');
    }
    if (found.merchantAcceptedAt !== null) return found;
    if (found.terms.effectiveUntil !== null && found.terms.effectiveUntil <= input.now) {
      throw new ProblemError(
        'agreement_version_conflict',
        'This version has already ended; ask for a new one.',
      );
    }
    return markEarnVersionAccepted(trx, { ...input, at: input.now });
  });
}

async function mayRead(
  context: ServiceContext,
  partnerId: string,
  version: EarnAgreementVersionRecord,
): Promise<boolean> {
  if (version.terms.merchantPartnerId === partnerId) return true;
  const program = await context.programs.find(context.db, version.terms.programId);
  return program?.partner_id === partnerId;
}

/** Every version of an agreement, to the merchant or the programme's owner only. */
export async function readEarnVersions(
  context: ServiceContext,
  input: { partnerId: string; agreementId: string },
): Promise<EarnAgreementVersionRecord[]> {
  const versions = await listEarnVersions(context.db, input.agreementId);
  const first = versions[0];
  if (!first || !(await mayRead(context, input.partnerId, first))) {
    throw new ProblemError('not_found', `Earn agreement ${input.agreementId} does not exist.`);
  }
  return versions;
}
