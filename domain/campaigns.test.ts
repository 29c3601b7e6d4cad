import { describe, expect, it } from 'vitest';
import type { Ratio } from './arithmetic.ts';
import { bestCaseBoost, campaignsApplying, type ProgrammeCampaign, stackCampaigns } from './campaigns.ts';

const ratio = (numerator: bigint, denominator = 1n): Ratio => ({ numerator, denominator });
const at = new Date('2026-12-01T12:00:00Z');
const campaign = (overrides: Partial<ProgrammeCampaign> = {}): ProgrammeCampaign => ({
  id: 'cmp_1',
  programId: 'B',
  name: 'double miles',
  appliesTo: 'transfers_in',
  sourceProgramId: null,
  tier: null,
  startsAt: new Date('2026-12-01T00:00:00Z'),
  endsAt: new Date('2026-12-02T00:00:00Z'),
  multiplier: ratio(2n),
  ...overrides,
});

describe('stacking campaigns', () => {
  it('one campaign under the cap applies whole', () => {
    const stack = stackCampaigns({ agreementMultiplier: ratio(1n), campaigns: [campaign()], cap: ratio(3n) });
    expect(stack.boost).toEqual(ratio(2n));
    expect(stack.modifiers).toEqual([
      { kind: 'programme_campaign', campaignId: 'cmp_1', name: 'double miles', multiplier: ratio(2n) },
    ]);
  });

  it('campaigns multiply until the cap, which the quote names', () => {
    const stack = stackCampaigns({
      agreementMultiplier: ratio(3n, 2n),
      campaigns: [campaign(), campaign({ id: 'cmp_2', multiplier: ratio(3n, 2n) })],
      cap: ratio(3n),
    });
    // 3/2 × 2 × 3/2 = 9/2, held to 3: the programme's campaigns add 3 ÷ 3/2 = 2.
    expect(stack.boost).toEqual(ratio(2n));
    expect(stack.modifiers.at(-1)).toEqual({
      kind: 'campaign_cap',
      cap: ratio(3n),
      stackedMultiplier: ratio(3n),
    });
  });

  it('the cap never takes away what the agreement itself gives', () => {
    const stack = stackCampaigns({ agreementMultiplier: ratio(4n), campaigns: [campaign()], cap: ratio(2n) });
    expect(stack.boost).toEqual(ratio(1n));
  });

  it('applies by programme, source, tier and window', () => {
    const campaigns = [
      campaign({ id: 'all' }),
      campaign({ id: 'from-A', sourceProgramId: 'A' }),
      campaign({ id: 'from-C', sourceProgramId: 'C' }),
      campaign({ id: 'gold', tier: 'gold' }),
      campaign({ id: 'later', startsAt: new Date('2026-12-01T13:00:00Z') }),
      campaign({ id: 'accruals', appliesTo: 'accruals' }),
      campaign({ id: 'elsewhere', programId: 'C' }),
    ];
    const applying = campaignsApplying(campaigns, {
      appliesTo: 'transfers_in',
      programId: 'B',
      sourceProgramId: 'A',
      tier: 'silver',
      at,
    });
    expect(applying.map((one) => one.id)).toEqual(['all', 'from-A']);
  });

  it('the best case stacks every campaign on the edge, as if they all ran at once, to the cap', () => {
    const terms = { sourceProgramId: 'A', targetProgramId: 'B', campaigns: [] };
    const onEdge = [
      campaign(),
      campaign({ id: 'cmp_2', sourceProgramId: 'A', startsAt: new Date('2027-01-01') }),
    ];
    expect(bestCaseBoost(terms, onEdge, ratio(10n))).toEqual(ratio(4n));
    expect(bestCaseBoost(terms, onEdge, ratio(3n))).toEqual(ratio(3n));
    expect(bestCaseBoost({ ...terms, sourceProgramId: 'C' }, onEdge, ratio(10n))).toEqual(ratio(2n));
  });
});
