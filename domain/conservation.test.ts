// The monitor's verdict: a check fails exactly when it counts an offending row (or, for the ledger,
// when the entries do not sum to zero), and the findings survive the trip through JSON.
import { describe, expect, it } from 'vitest';
import {
  type ConservationFindings,
  conservationCheckNames,
  describeFailures,
  failedChecks,
  findingsDocument,
  findingsFromDocument,
  isConserved,
  noOffenders,
} from './conservation.ts';

const clean: ConservationFindings = {
  entriesSum: 0n,
  offenders: Object.fromEntries(conservationCheckNames.map((name) => [name, noOffenders])) as never,
};

describe('conservation findings', () => {
  it('pass when nothing offends', () => {
    expect(isConserved(clean)).toBe(true);
    expect(failedChecks(clean)).toEqual([]);
    expect(describeFailures(clean)).toBe('');
  });

  it('fail on a sum other than zero even when no transfer was named', () => {
    const findings = { ...clean, entriesSum: -3n };
    expect(failedChecks(findings)).toEqual(['ledger_not_zero_sum']);
    expect(describeFailures(findings)).toBe('ledger_not_zero_sum: 0 (entries sum to -3)');
  });

  it('name each failed check with its count and examples, in the listed order', () => {
    const findings: ConservationFindings = {
      ...clean,
      offenders: {
        ...clean.offenders,
        reservations_past_expiry: { count: 7n, exampleIds: ['41', '42'] },
        transfers_without_obligation: { count: 1n, exampleIds: ['trf_a'] },
      },
    };
    expect(failedChecks(findings)).toEqual(['transfers_without_obligation', 'reservations_past_expiry']);
    expect(describeFailures(findings)).toBe(
      'transfers_without_obligation: 1 e.g. trf_a; reservations_past_expiry: 7 e.g. 41, 42',
    );
    const document = JSON.parse(JSON.stringify(findingsDocument(findings)));
    expect(findingsFromDocument(document)).toEqual(findings);
  });

  it('read a stored document that lacks a later check as that check finding nothing', () => {
    const document = findingsDocument(clean);
    document.checks = document.checks.filter((check) => check.name !== 'reservations_past_expiry');
    expect(findingsFromDocument(document)).toEqual(clean);
  });
});
