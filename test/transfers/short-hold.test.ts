// A source hold that runs out while the reserve's outcome is still being asked is let go, and the
// transfer fails with nothing moved, instead of being credited at the target and then refused at the
// source (which left the target's points unpaid for and the transfer for finance). Method: a gateway
// whose holds last 8 s, the coffee shop's reservation answer lost and its outcome unanswerable until
// the hold has run out; reference partners over HTTP, a real Temporal server. A database of its own.
import { describe, expect, it } from 'vitest';
import { createAlliance } from '../support/alliance.ts';

const reservationTtlMs = 8_000;
const alliance = await createAlliance({ ownDatabase: 'short_hold', transferTimeouts: { reservationTtlMs } });
const { coffee, airline } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a hold that runs out before the credit', () => {
  it('is let go, and the transfer fails with nothing moved at either partner', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const unanswered = { count: 1_000, accountRefPrefix: member.accounts.coffee };
    alliance.fault(coffee, { operation: 'reserve', mode: 'fail_after', ...unanswered });
    alliance.fault(coffee, { operation: 'outcome', mode: 'fail_before', ...unanswered });
    const started = Date.now();
    const response = await alliance.transfer(coffee, airline, member, 1_000n);
    const { id } = (await response.json()) as { id: string };
    await sleep(Math.max(0, started + reservationTtlMs + 1_000 - Date.now()));
    coffee.server?.faults.clear();
    const settled = await alliance.settled(id);
    expect(settled).toMatchObject({ status: 'failed', failure: { code: 'reservation_expired' } });
    expect(await alliance.balance(airline, member)).toBe(0n);
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
  }, 60_000);

  it('does not stop a transfer whose hold lasts long enough', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const settled = await alliance.settled(
      ((await (await alliance.transfer(coffee, airline, member, 1_000n)).json()) as { id: string }).id,
    );
    expect(settled.status).toBe('completed');
    expect(await alliance.balance(airline, member)).toBe(700n);
  });
});
