// The conservation monitor's use cases: run every check and keep the result (the monitor's
// Schedule), and read the results back (the operator's API, the alert that a check failed).
import {
  type ConservationCheckName,
  describeFailures,
  type FindingsDocument,
  failedChecks,
  findingsDocument,
} from '../domain/conservation.ts';
import {
  type ConservationCheck,
  deletePassingChecksBefore,
  findConservationCheck,
  findConservationOffenders,
  findLastFailedConservationCheck,
  listConservationChecks,
  recordConservationCheck,
} from '../store/conservation.ts';
import type { ServiceContext } from './context.ts';

export type { ConservationCheck };

/** Passing checks are kept this long; failing ones always (they are few, and the record matters). */
const passingChecksKeptDays = 30;

export interface ConservationCheckInput {
  /** The monitor run this is: a retry of the same run records nothing more. */
  runId: string;
  /** How long past its expiry a pending reservation is left to the housekeeping before it counts. */
  reservationGraceSeconds: number;
}

/** Runs every check and records the result under the run; the result as recorded. */
export async function runConservationCheck(
  { db }: ServiceContext,
  input: ConservationCheckInput,
): Promise<ConservationCheck> {
  const findings = await findConservationOffenders(db, input);
  const check = await recordConservationCheck(db, { runId: input.runId, findings });
  await deletePassingChecksBefore(db, new Date(Date.now() - passingChecksKeptDays * 86_400_000));
  return check;
}

export interface ConservationStatus {
  /** The newest check; undefined before the monitor has run. */
  last: ConservationCheck | undefined;
  /** The newest check that failed, however old. */
  lastFailed: ConservationCheck | undefined;
  /** The newest checks, newest first, the last one included. */
  recent: ConservationCheck[];
}

export async function readConservationStatus(
  { db }: ServiceContext,
  input: { limit: number },
): Promise<ConservationStatus> {
  const recent = await listConservationChecks(db, input.limit);
  const lastFailed = recent.find((check) => !check.ok) ?? (await findLastFailedConservationCheck(db));
  return { last: recent[0], lastFailed, recent };
}

export function readConservationCheck(
  { db }: ServiceContext,
  id: string,
): Promise<ConservationCheck | undefined> {
  return findConservationCheck(db, id);
}

/** A check as the operator reads it, in the API and in the alert: JSON as it stands. */
export interface ConservationCheckDocument {
  id: string;
  runId: string;
  checkedAt: string;
  ok: boolean;
  /** The checks that failed; empty when all held. */
  failed: ConservationCheckName[];
  /** One line naming each failure with its count and examples; empty when all held. */
  summary: string;
  findings: FindingsDocument;
}

export function conservationCheckDocument(check: ConservationCheck): ConservationCheckDocument {
  return {
    id: check.id,
    runId: check.runId,
    checkedAt: check.checkedAt.toISOString(),
    ok: check.ok,
    failed: failedChecks(check.findings),
    summary: describeFailures(check.findings),
    findings: findingsDocument(check.findings),
  };
}
