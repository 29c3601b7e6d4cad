// The conservation monitor's verdict: points and money are neither made nor lost. Each check counts
// the rows that break one invariant and names a few of them; a check passes when it counts none.
// Plain data in, plain data out: the queries that count live in store/conservation.ts.

/** What can be wrong, each named by the problem it finds. */
export const conservationCheckNames = [
  /** The hosted ledger's entries do not sum to zero: points were made or lost. */
  'ledger_not_zero_sum',
  /** Member accounts whose counters disagree with their entries. */
  'accounts_out_of_balance',
  /** Completed transfers with no `transfer` settlement obligation: a partner is never billed. */
  'transfers_without_obligation',
  /** `transfer` obligations whose transfer is not completed: a partner is billed for nothing. */
  'obligations_without_completed_transfer',
  /** Hosted reservations still pending past their expiry (and the grace): points held for nobody. */
  'reservations_past_expiry',
] as const;

export type ConservationCheckName = (typeof conservationCheckNames)[number];

/** How many rows break the invariant, and the ids of the first few, to start looking from. */
export interface Offenders {
  count: bigint;
  exampleIds: string[];
}

export interface ConservationFindings {
  /** The sum of every hosted ledger entry: zero, always. */
  entriesSum: bigint;
  offenders: Record<ConservationCheckName, Offenders>;
}

/** How many example ids a check keeps: enough to start from, few enough for a webhook. */
export const exampleIdsMax = 5;

export const noOffenders: Offenders = { count: 0n, exampleIds: [] };

/** The checks that failed, in the order they are listed; none when all is conserved. */
export function failedChecks(findings: ConservationFindings): ConservationCheckName[] {
  return conservationCheckNames.filter(
    (name) =>
      findings.offenders[name].count > 0n || (name === 'ledger_not_zero_sum' && findings.entriesSum !== 0n),
  );
}

export function isConserved(findings: ConservationFindings): boolean {
  return failedChecks(findings).length === 0;
}

/** One line for a log or an alert: each failed check with its count and examples. */
export function describeFailures(findings: ConservationFindings): string {
  return failedChecks(findings)
    .map((name) => {
      const { count, exampleIds } = findings.offenders[name];
      const sum = name === 'ledger_not_zero_sum' ? ` (entries sum to ${findings.entriesSum})` : '';
      const examples = exampleIds.length > 0 ? ` e.g. ${exampleIds.join(', ')}` : '';
      return `${name}: ${count}${sum}${examples}`;
    })
    .join('; ');
}

/** The findings as JSON can carry them (bigints as decimal strings), for storage, the API and alerts. */
export interface FindingsDocument {
  entriesSum: string;
  checks: { name: ConservationCheckName; passed: boolean; count: string; exampleIds: string[] }[];
}

export function findingsDocument(findings: ConservationFindings): FindingsDocument {
  const failed = new Set(failedChecks(findings));
  return {
    entriesSum: String(findings.entriesSum),
    checks: conservationCheckNames.map((name) => ({
      name,
      passed: !failed.has(name),
      count: String(findings.offenders[name].count),
      exampleIds: findings.offenders[name].exampleIds,
    })),
  };
}

/** The inverse of findingsDocument; a check a document lacks (stored before it existed) found nothing. */
export function findingsFromDocument(document: FindingsDocument): ConservationFindings {
  const byName = new Map(document.checks.map((check) => [check.name, check]));
  const offenders = Object.fromEntries(
    conservationCheckNames.map((name) => {
      const check = byName.get(name);
      return [name, check ? { count: BigInt(check.count), exampleIds: check.exampleIds } : noOffenders];
    }),
  ) as Record<ConservationCheckName, Offenders>;
  return { entriesSum: BigInt(document.entriesSum), offenders };
}
