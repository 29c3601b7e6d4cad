// Points draws end to end: a partner publishes a draw committed to its seed, members of another
// brand enter with their own points, the close (a Temporal timer) draws the winners, and the
// published data verifies with the command anyone runs (scripts/verify-draw.ts), while a changed
// entry does not; winners get their prize coupons, losers their consolation ones. Real PostgreSQL,
// Temporal and partner servers.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { entriesHash, readPublishedDraw, seedCommitment, verifyDraw } from '../../domain/draw.ts';
import { drawWorkflowId } from '../../workflows/draw-client.ts';
import { drawClosingsScheduleId } from '../../workflows/draw-closings-schedule.ts';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import { expectReceivedAsDocumented } from '../support/webhook-contract.ts';

// The stranded-transfer sweep's option also makes the Schedule that starts open draws' closes.
const alliance = await createAlliance({ strandedTransfers: { untouchedSeconds: 3_600 } });
const { gateway, coffee, airline } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const run = promisify(execFile);
const folder = mkdtempSync(path.join(tmpdir(), 'draws-'));

interface Item {
  id: string;
  kind: string;
  details: { commitment?: string; closesAt?: string };
  stock: { left: string };
}
interface Order {
  id: string;
  status: string;
  coupon: { itemId: string; code: string; status: string } | null;
}
interface DrawResult {
  status: 'open' | 'closed';
  commitment: string;
  seed: string | null;
  entries: string[] | null;
  entriesHash: string | null;
  winners: string[] | null;
  winnersWanted: number;
}

async function publish(body: Record<string, unknown>): Promise<Response> {
  return gateway.call(airline.signer, 'POST', '/v1/catalog/items', {
    body: { programId: airline.programId, title: 'A prize', pricePoints: '7', stock: '100', ...body },
  });
}

async function published(body: Record<string, unknown>): Promise<Item> {
  const response = await publish(body);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Item;
}

async function enter(member: Member, itemId: string): Promise<Response> {
  const quote = await gateway.call(coffee.signer, 'POST', '/v1/catalog/quotes', {
    body: { memberId: member.memberId, programId: coffee.programId, itemId },
  });
  if (quote.status !== 201) return quote;
  const { id } = (await quote.json()) as { id: string };
  return gateway.call(coffee.signer, 'POST', '/v1/catalog/orders', { body: { quoteId: id } });
}

async function readOrder(partner: AlliancePartner, orderId: string): Promise<Order> {
  return (await (await gateway.call(partner.signer, 'GET', `/v1/catalog/orders/${orderId}`)).json()) as Order;
}

async function result(itemId: string): Promise<DrawResult> {
  const response = await gateway.call(null, 'GET', `/v1/catalog/draws/${itemId}/result`);
  expect(response.status).toBe(200);
  return (await response.json()) as DrawResult;
}

async function closed(itemId: string): Promise<DrawResult> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const current = await result(itemId);
    if (current.status === 'closed') return current;
    await sleep(100);
  }
  throw new Error(`draw ${itemId} did not close`);
}

/** The command anyone runs on the saved data: its exit code and what it printed. */
async function verifyCommand(data: unknown): Promise<{ code: number; output: string }> {
  const file = path.join(folder, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  try {
    const { stdout } = await run(process.execPath, ['scripts/verify-draw.ts', file]);
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

describe('a points draw', () => {
  it('draws winners anyone recomputes from its published data, and gives out the coupons', async () => {
    const members = await Promise.all(Array.from({ length: 5 }, () => alliance.member({ coffee: 1_000n })));
    const prize = await published({
      kind: 'coupon',
      title: 'A return flight',
      coupon: { validity: { days: 90 } },
    });
    const consolation = await published({ kind: 'coupon', title: '50 bonus miles voucher' });
    const draw = await published({
      kind: 'draw',
      title: 'Win a return flight',
      perMemberLimit: 2,
      draw: {
        winners: 2,
        prize: { description: 'A return flight to anywhere we fly', couponItemId: prize.id },
        consolationCouponItemId: consolation.id,
        closesAt: new Date(Date.now() + 6_000).toISOString(),
      },
    });
    // The commitment is public with the item before any entry, and the seed is not.
    const commitment = draw.details.commitment ?? '';
    expect(commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(draw)).not.toContain('seed');
    expect(await result(draw.id)).toMatchObject({ status: 'open', commitment, seed: null, winners: null });

    // Six entries: one each, and a second for the first member, whose third is refused.
    const entries = await Promise.all(
      [...members, members[0] as Member].map((member) => enter(member, draw.id)),
    );
    expect(entries.map((entry) => entry.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect((await enter(members[0] as Member, draw.id)).status).toBe(409);
    const entryIds = await Promise.all(entries.map(async (entry) => ((await entry.json()) as Order).id));

    const data = await closed(draw.id);
    // Each entry cost 10 coffee points (7 miles at 10 for 7), moved by the order's saga.
    expect(await alliance.balance(coffee, members[0] as Member)).toBe(980n);
    expect(await alliance.balance(coffee, members[1] as Member)).toBe(990n);
    expect(data.commitment).toBe(commitment);
    expect(seedCommitment(data.seed ?? '')).toBe(commitment);
    expect(data.entries).toEqual([...entryIds].sort());
    expect(data.entriesHash).toBe(entriesHash(entryIds));
    expect(data.winners).toHaveLength(2);

    // The data verifies, with the same code the command runs, and with the command itself.
    const read = readPublishedDraw(data);
    if ('problem' in read) throw new Error(read.problem);
    expect(verifyDraw(read.draw)).toEqual({ ok: true, problems: [] });
    const verified = await verifyCommand(data);
    expect(verified.code).toBe(0);
    expect(verified.output).toMatch(/^ok: draw itm_\w+: sha256\(seed\) is the commitment, 6 entries/);

    // A winning entry changed (an entry the gateway might have slipped in instead): it fails, hash or
    // no hash. A winner's, so that the published winners cannot recompute (a loser's changed id may
    // well draw the same winners again).
    const changed = data.winners?.[0];
    const swapped = (data.entries ?? []).map((entryId) =>
      entryId === changed ? `${entryId.slice(0, -1)}${entryId.endsWith('z') ? 'y' : 'z'}` : entryId,
    );
    const tampered = { ...data, entries: swapped };
    expect(verifyDraw({ ...read.draw, entries: swapped }).ok).toBe(false);
    const refused = await verifyCommand(tampered);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('not the published entriesHash');
    const rehashed = await verifyCommand({ ...tampered, entriesHash: entriesHash(swapped) });
    expect(rehashed.code).toBe(1);
    expect(rehashed.output).toContain('the winners recompute as');

    // Winners hold a prize coupon on their entry, losers a consolation one, each redeemable once.
    const outcomes = await Promise.all(entryIds.map((entryId) => readOrder(coffee, entryId)));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('completed');
      const won = data.winners?.includes(outcome.id);
      expect(outcome.coupon).toMatchObject({ itemId: won ? prize.id : consolation.id, status: 'issued' });
    }
    const winning = outcomes.find((outcome) => outcome.id === data.winners?.[0]);
    const redeemed = await gateway.call(airline.signer, 'POST', '/v1/coupons/redemptions', {
      body: { code: winning?.coupon?.code },
    });
    expect(redeemed.status).toBe(200);

    // The sale is over: no more entries, and both partners heard of the close.
    const late = await enter(members[2] as Member, draw.id);
    expect(late.status).toBe(409);
    expect(((await late.json()) as { code: string }).code).toBe('item_not_on_sale');
    const deliveries = await gateway.db
      .selectFrom('webhook_deliveries')
      .select(['partner_id', 'payload'])
      .where('event_id', '=', `${draw.id}:catalog.draw_closed`)
      .execute();
    expect(deliveries.map((delivery) => delivery.partner_id).sort()).toEqual(
      [airline.partner.id, coffee.partner.id].sort(),
    );
    expect(deliveries[0]?.payload).toMatchObject({ seed: data.seed, winners: data.winners });
  });

  it('closes a draw nobody entered, and still reveals a seed that verifies', async () => {
    const draw = await published({
      kind: 'draw',
      draw: {
        winners: 3,
        prize: { description: 'A lounge pass' },
        closesAt: new Date(Date.now() + 2_000).toISOString(),
      },
    });
    const data = await closed(draw.id);
    expect(data).toMatchObject({ entries: [], winners: [] });
    expect((await verifyCommand(data)).code).toBe(0);
    expect((await verifyCommand({ ...data, seed: 'ab'.repeat(32) })).output).toContain(
      'not the published commitment',
    );
  });

  it('still closes when its close workflow was stopped: the sweep starts it again', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const draw = await published({
      kind: 'draw',
      draw: {
        winners: 1,
        prize: { description: 'A lounge pass' },
        closesAt: new Date(Date.now() + 3_000).toISOString(),
      },
    });
    expect((await enter(member, draw.id)).status).toBe(202);
    await gateway.temporal.workflow.getHandle(drawWorkflowId(draw.id)).terminate('stopped by hand');
    await sleep(3_500);
    expect((await result(draw.id)).status).toBe('open');
    await gateway.temporal.schedule.getHandle(drawClosingsScheduleId(gateway.taskQueue)).trigger();
    const data = await closed(draw.id);
    expect(data.winners).toEqual(data.entries);
    expect((await verifyCommand(data)).code).toBe(0);
  });

  it('refuses a draw that could not be drawn fairly or paid out', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const refundable = await published({
      kind: 'coupon',
      coupon: { refundOnExpiry: true, validity: { days: 1 } },
    });
    // A coupon whose fixed end comes before the draw closes, or soon after, could be issued expired.
    const endingFirst = await published({
      kind: 'coupon',
      coupon: { validity: { until: new Date(Date.now() + 30_000).toISOString() } },
    });
    const endingSoonAfter = await published({
      kind: 'coupon',
      coupon: { validity: { until: new Date(Date.now() + 3_600_000).toISOString() } },
    });
    const others = (await (
      await gateway.call(coffee.signer, 'POST', '/v1/catalog/items', {
        body: { programId: coffee.programId, kind: 'coupon', title: 'Coffee', pricePoints: '5', stock: '5' },
      })
    ).json()) as Item;
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          draw: {
            winners: 1,
            prize: { description: 'x' },
            closesAt: new Date(Date.now() - 1_000).toISOString(),
          },
        },
        'draw.closesAt',
      ],
      [
        { draw: { winners: 1, prize: { description: 'x', couponItemId: others.id }, closesAt: soon } },
        'draw.prize.couponItemId',
      ],
      [
        {
          draw: {
            winners: 1,
            prize: { description: 'x' },
            consolationCouponItemId: refundable.id,
            closesAt: soon,
          },
        },
        'draw.consolationCouponItemId',
      ],
      [
        { draw: { winners: 1, prize: { description: 'x', couponItemId: endingFirst.id }, closesAt: soon } },
        'draw.prize.couponItemId',
      ],
      [
        {
          draw: { winners: 1, prize: { description: 'x', couponItemId: endingSoonAfter.id }, closesAt: soon },
        },
        'draw.prize.couponItemId',
      ],
      [
        {
          draw: { winners: 1, prize: { description: 'x' }, closesAt: soon },
          saleEndsAt: new Date(Date.now() + 1_000).toISOString(),
        },
        'saleEndsAt',
      ],
      [{}, 'draw'],
    ];
    for (const [body, field] of cases) {
      const response = await publish({ kind: 'draw', ...body });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe(field);
    }
    // A draw is never edited: its seed is committed to with its terms.
    const draw = await published({
      kind: 'draw',
      draw: { winners: 1, prize: { description: 'x' }, closesAt: soon },
    });
    const edit = await gateway.call(airline.signer, 'POST', `/v1/catalog/items/${draw.id}/versions`, {
      body: { title: 'Changed', pricePoints: '1', stock: '1' },
    });
    expect(edit.status).toBe(400);
  });
});

describe('the webhooks this file’s partners received', () => {
  it('are each as the OpenAPI document describes them', () =>
    expectReceivedAsDocumented([coffee, airline], ['catalog.draw_closed']));
});
