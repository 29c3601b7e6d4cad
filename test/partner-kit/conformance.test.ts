// The conformance command's rules against real reference partners over real HTTP: the sound one
// passes every rule and is left as found; each deliberately broken one fails by the rule's name, and
// only by it.
import { describe, expect, it } from 'vitest';
import { conformanceRules } from '../../partner-kit/conformance/rules/index.ts';
import { ConformanceSetupError, runConformance } from '../../partner-kit/conformance/runner.ts';
import type { ConformanceBreakage } from '../../reference-partner/breakages.ts';
import { generateSigningKeyPair } from '../../signing/keys.ts';
import { useTestDatabase } from '../support/database.ts';
import { startConformancePartner } from './conformance-partners.ts';

const db = useTestDatabase(5);
const gatewayKey = await generateSigningKeyPair('ES256');

const failedRules = (report: Awaited<ReturnType<typeof runConformance>>) =>
  report.results.filter((result) => !result.passed).map((result) => result.name);

describe('the reference partner', () => {
  it('passes every rule and is left with the balances it had', async () => {
    const partner = await startConformancePartner(db, gatewayKey);
    const before = await partner.balances();

    const report = await runConformance(partner.target);

    expect(report.results.filter((result) => !result.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.results.map((result) => result.name)).toEqual(conformanceRules.map((rule) => rule.name));
    expect(await partner.balances()).toEqual(before);
  });

  it('runs only the rules asked for', async () => {
    const partner = await startConformancePartner(db, gatewayKey);

    const report = await runConformance({
      ...partner.target,
      only: ['idempotency', 'amounts.largest_value'],
    });

    expect(report.results.map((result) => result.name)).toEqual([
      'idempotency.reserve',
      'idempotency.post',
      'idempotency.void',
      'idempotency.credit',
      'idempotency.reverse',
      'idempotency.concurrent_credit',
      'amounts.largest_value',
    ]);
  });
});

describe.each<[ConformanceBreakage, string[], string[]]>([
  // Copies sent at once race the first call: most find its answer and credit again, though copies that
  // all arrive before it commits would not, so that rule may pass.
  ['applies_twice', ['idempotency.credit'], ['idempotency.concurrent_credit']],
  ['no_fencing', ['fencing.unknown_key'], []],
  ['accepts_unsigned', ['signature.unsigned_refused'], []],
])('a reference partner broken for %s', (breakage, caughtBy, mayAlsoCatch) => {
  it(`fails ${caughtBy.join(', ')} and passes the other rules`, async () => {
    const partner = await startConformancePartner(db, gatewayKey, breakage);

    const report = await runConformance(partner.target);

    expect(failedRules(report).filter((name) => !mayAlsoCatch.includes(name))).toEqual(caughtBy);
    expect(report.passed).toBe(false);
  });
});

describe('what each failure says it saw', () => {
  it('names the second credit, the missing fence and the unsigned call', async () => {
    const twice = await startConformancePartner(db, gatewayKey, 'applies_twice');
    const unfenced = await startConformancePartner(db, gatewayKey, 'no_fencing');
    const unsigned = await startConformancePartner(db, gatewayKey, 'accepts_unsigned');
    const seen = async (target: typeof twice.target, rule: string) =>
      (await runConformance({ ...target, only: [rule] })).results[0]?.seen;

    expect(await seen(twice.target, 'idempotency.credit')).toMatch(
      /repeat of the credit moved the balance again/,
    );
    expect(await seen(unfenced.target, 'fencing.unknown_key')).toMatch(
      /404.*a late credit with one was done/,
    );
    expect(await seen(unsigned.target, 'signature.unsigned_refused')).toMatch(
      /unsigned credit: 201.*expected 401 or 403 for unsigned credit, unsigned balance read/,
    );
  });
});

describe('a run that cannot start', () => {
  it('says so before moving anything: an unknown account, a partner id the partner does not have', async () => {
    const partner = await startConformancePartner(db, gatewayKey);

    await expect(runConformance({ ...partner.target, accountRef: 'nobody' })).rejects.toThrow(
      new ConformanceSetupError('account nobody is unknown to the partner: open it first'),
    );
    await expect(runConformance({ ...partner.target, partnerId: 'ptn_someone_else' })).rejects.toThrow(
      /the balance of member-\w+ answered 401 .*signature_refused.*aud/,
    );
  });
});
