import { describe, expect, it } from 'vitest';
import { requireTransferRequester } from './consent.ts';
import { ProblemError } from './errors.ts';

const parties = { requesterPartnerId: 'src', sourcePartnerId: 'src', targetPartnerId: 'tgt' };

function refusal(run: () => unknown): ProblemError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  return undefined;
}

describe('who may start a transfer out of a programme', () => {
  it.each([
    ['the source partner, with transfer consent', 'src', ['transfers'], 'push'],
    ['the source partner, whatever else the consent says', 'src', ['transfers', 'pull_transfers'], 'push'],
    [
      'the target partner, when the member allowed pulls at the source',
      'tgt',
      ['transfers', 'pull_transfers'],
      'pull',
    ],
  ])('lets %s', (_, requester, scopes, expected) => {
    expect(
      requireTransferRequester({ ...parties, requesterPartnerId: requester, sourceConsentScopes: scopes }),
    ).toBe(expected);
  });

  it('refuses the target partner without pull consent, naming the source programme', () => {
    const problem = refusal(() =>
      requireTransferRequester({ ...parties, requesterPartnerId: 'tgt', sourceConsentScopes: ['transfers'] }),
    );
    expect(problem?.code).toBe('forbidden');
    expect(problem?.fieldErrors[0]?.field).toBe('sourceProgramId');
  });

  it('refuses a partner owning neither programme, even with pull consent', () => {
    const problem = refusal(() =>
      requireTransferRequester({
        ...parties,
        requesterPartnerId: 'other',
        sourceConsentScopes: ['transfers', 'pull_transfers'],
      }),
    );
    expect(problem?.code).toBe('forbidden');
  });
});
