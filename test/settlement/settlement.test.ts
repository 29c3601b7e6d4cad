// Settlement cycles over real transfers. Goal: a close takes every obligation committed before it
// and none after (commit order), nets them so that positions sum to zero and each party pays or
// receives, never both; a repeated close closes nothing more; partners see only their own figures;
// finance marks instructions paid until the cycle is settled; and the Schedule closes one cycle per
// cut-off of its calendar. Method: transfers through the gateway between reference partners and the
// hosted ledger, closes through the signed finance API and the real Temporal server (the Schedule is
// driven by a backfill over past days, which runs exactly the actions its calendar would have run).
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createServiceContext } from '../../services/context.ts';
import { netCycle, sealCycle } from '../../services/settlement.ts';
import { signDocument } from '../../signing/documents.ts';
import { markInstructionPaid } from '../../store/settlement.ts';
import { settlementScheduleId, strandedTransfersScheduleId } from '../../workflows/schedules.ts';
import { runSettlementClose } from '../../workflows/settlement-client.ts';
import {
  settlementCloseIdPrefix,
  settlementCloseWorkflow,
} from '../../workflows/settlement-close.workflow.ts';
import { createAlliance } from '../support/alliance.ts';
import { payInstruction } from '../support/settlement.ts';

const alliance = await createAlliance({
  ownDatabase: 'settlement',
  strandedTransfers: { untouchedSeconds: 1 },
  settlement: { cadence: 'daily', hour: 0, minute: 0, timeZone: 'Asia/Shanghai' },
});
const { gateway, coffee, airline, bookstore } = alliance;
const services = createServiceContext(gateway.db);
const sign = (document: unknown) => signDocument(gateway.gatewayKey, document);

interface Summary {
  cycle: { id: string; status: string; obligationCount: string | null; periodLabel: string | null };
  totals: { currency: string; grossMinor: string; netMinor: string }[];
  positions: {
    partyId: string;
    currency: string;
    netMinor: string;
    receivableMinor: string;
    payableMinor: string;
  }[];
}
interface Instruction {
  id: string;
  payerId: string;
  payeeId: string;
  amountMinor: string;
  status: string;
}

async function completed(response: Response): Promise<string> {
  const transfer = (await response.json()) as { id: string; status: string };
  expect(transfer.status).toBe('completed');
  return transfer.id;
}

async function closeNow(idempotencyKey?: string): Promise<Summary> {
  const response = await gateway.call(gateway.finance, 'POST', '/v1/finance/settlement/cycles', {
    body: {},
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Summary;
}

async function allInstructions(cycleId: string): Promise<Instruction[]> {
  const response = await gateway.call(
    gateway.finance,
    'GET',
    `/v1/finance/settlement/cycles/${cycleId}/instructions?limit=100`,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Instruction[] }).items;
}

describe('closing a cycle', () => {
  it('nets a triangle of transfers: positions sum to zero, and each party pays or receives', async () => {
    const member = await alliance.member({ coffee: 1_000n, airline: 1_000n, bookstore: 1_000n });
    // coffee owes airline 700, airline owes the bookstore 1,000, the bookstore owes coffee 1,000.
    await completed(await alliance.transfer(coffee, airline, member, 1_000n));
    await completed(await alliance.transfer(airline, bookstore, member, 1_000n));
    await completed(await alliance.transfer(bookstore, coffee, member, 1_000n));

    const key = `close-${member.memberId}`;
    const summary = await closeNow(key);
    expect(summary.cycle.status).toMatch(/closed|settled/);
    const net = (partyId: string) =>
      BigInt(summary.positions.find((position) => position.partyId === partyId)?.netMinor ?? '0');
    expect(net(coffee.partner.id)).toBe(300n);
    expect(net(airline.partner.id)).toBe(-300n);
    expect(net(bookstore.partner.id)).toBe(0n);
    for (const currency of new Set(summary.positions.map((position) => position.currency))) {
      const positions = summary.positions.filter((position) => position.currency === currency);
      expect(positions.reduce((sum, position) => sum + BigInt(position.netMinor), 0n)).toBe(0n);
    }

    const instructions = await allInstructions(summary.cycle.id);
    const payers = new Set(instructions.map((instruction) => instruction.payerId));
    const payees = new Set(instructions.map((instruction) => instruction.payeeId));
    expect([...payers].filter((party) => payees.has(party))).toEqual([]);
    const paidBy = (party: string) =>
      instructions.filter((i) => i.payerId === party).reduce((sum, i) => sum + BigInt(i.amountMinor), 0n);
    const paidTo = (party: string) =>
      instructions.filter((i) => i.payeeId === party).reduce((sum, i) => sum + BigInt(i.amountMinor), 0n);
    expect(paidBy(airline.partner.id)).toBe(300n);
    expect(paidTo(coffee.partner.id)).toBe(300n);
    expect(paidBy(bookstore.partner.id) + paidTo(bookstore.partner.id)).toBe(0n);

    // The same request again (its answer lost): the same cycle, nothing closed twice.
    const again = await closeNow(key);
    expect(again.cycle.id).toBe(summary.cycle.id);
  });

  it('closes a new cycle for each close by hand, even two in the same second', async () => {
    const [first, second] = [await closeNow(), await closeNow()];
    expect(second.cycle.id).not.toBe(first.cycle.id);
    expect(second.cycle.periodLabel).not.toBe(first.cycle.periodLabel);
  });

  it('shows a partner only its own position and instructions, and keeps finance routes from it', async () => {
    const summary = await closeNow();
    const own = await gateway.call(coffee.signer, 'GET', `/v1/settlement/cycles/${summary.cycle.id}`);
    expect(own.status).toBe(200);
    const positions = ((await own.json()) as Summary).positions;
    expect(positions.every((position) => position.partyId === coffee.partner.id)).toBe(true);
    const instructions = await gateway.call(
      coffee.signer,
      'GET',
      `/v1/settlement/cycles/${summary.cycle.id}/instructions`,
    );
    const items = ((await instructions.json()) as { items: Instruction[] }).items;
    expect(items.every((i) => i.payerId === coffee.partner.id || i.payeeId === coffee.partner.id)).toBe(true);
    const refused = await gateway.call(
      coffee.signer,
      'GET',
      `/v1/finance/settlement/cycles/${summary.cycle.id}`,
    );
    expect(refused.status).toBe(403);
  });

  it('settles the cycle once finance has marked every instruction paid', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    await completed(await alliance.transfer(coffee, airline, member, 1_000n));
    const summary = await closeNow();
    const instructions = await allInstructions(summary.cycle.id);
    expect(instructions.length).toBeGreaterThan(0);
    for (const instruction of instructions) {
      expect((await payInstruction(gateway, instruction.id)).status).toBe(200);
    }
    const other = await payInstruction(gateway, instructions[0]?.id ?? '', 'another-reference');
    expect(other.status).toBe(409);
    const read = await gateway.call(
      gateway.finance,
      'GET',
      `/v1/finance/settlement/cycles/${summary.cycle.id}`,
    );
    expect(((await read.json()) as Summary).cycle.status).toBe('settled');
  });

  it('settles the cycle when its last two instructions are paid at the same moment', async () => {
    const member = await alliance.member({ coffee: 1_000n, bookstore: 1_000n });
    await completed(await alliance.transfer(coffee, airline, member, 1_000n));
    await completed(await alliance.transfer(bookstore, coffee, member, 1_000n));
    const summary = await closeNow();
    const [first, second, ...rest] = await allInstructions(summary.cycle.id);
    if (!first || !second) throw new Error('the cycle needs two instructions');
    for (const instruction of rest) expect((await payInstruction(gateway, instruction.id)).status).toBe(200);
    // The first payment's transaction stays open while the second one runs beside it.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pay = (instructionId: string, before?: Promise<void>) =>
      gateway.db.transaction().execute(async (trx) => {
        await markInstructionPaid(trx, {
          instructionId,
          paymentReference: `wire-${instructionId}`,
          at: new Date(),
        });
        await before;
      });
    const firstPaid = pay(first.id, held);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const secondPaid = pay(second.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await Promise.all([firstPaid, secondPaid]);
    const read = await gateway.call(
      gateway.finance,
      'GET',
      `/v1/finance/settlement/cycles/${summary.cycle.id}`,
    );
    expect(((await read.json()) as Summary).cycle.status).toBe('settled');
  });
});

describe('a close whose run failed', () => {
  it('closes when the same period is closed again (a retry of its key)', async () => {
    const periodLabel = `terminated-${Date.now()}`;
    const workflowId = `${settlementCloseIdPrefix}:${gateway.taskQueue}:${periodLabel}`;
    await gateway.temporal.workflow.start(settlementCloseWorkflow, {
      workflowId,
      taskQueue: gateway.taskQueue,
      args: [{ periodLabel }],
    });
    await gateway.temporal.workflow.getHandle(workflowId).terminate('stopped by hand');
    const cycleId = await runSettlementClose(
      { client: gateway.temporal, taskQueue: gateway.taskQueue, waitMs: 30_000 },
      periodLabel,
    );
    const read = await gateway.call(gateway.finance, 'GET', `/v1/finance/settlement/cycles/${cycleId}`);
    expect(((await read.json()) as Summary).cycle).toMatchObject({
      periodLabel,
      status: expect.stringMatching(/closed|settled/),
    });
  });
});

describe('a close stopped between its seal and its netting', () => {
  it('is netted by the stranded sweep, once', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    await completed(await alliance.transfer(coffee, airline, member, 400n));
    // What a Schedule's run leaves when it is stopped after its seal: a cycle closed, never netted.
    const sealed = await sealCycle(services, { periodLabel: `stopped-${member.memberId}`, now: new Date() });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const sweep = gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue));
    await sweep.trigger();
    const deadline = Date.now() + 20_000;
    let cycle = await gateway.db
      .selectFrom('settlement_cycles')
      .selectAll()
      .where('id', '=', sealed.id)
      .executeTakeFirstOrThrow();
    while (cycle.obligation_count === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      cycle = await gateway.db
        .selectFrom('settlement_cycles')
        .selectAll()
        .where('id', '=', sealed.id)
        .executeTakeFirstOrThrow();
    }
    const { count } = await gateway.db
      .selectFrom('settlement_obligations')
      .select((eb) => eb.fn.countAll<bigint>().as('count'))
      .where('cycle_id', '=', sealed.id)
      .executeTakeFirstOrThrow();
    expect(BigInt(count)).toBeGreaterThan(0n);
    expect(cycle.obligation_count).toBe(BigInt(count));
    const read = await gateway.call(gateway.finance, 'GET', `/v1/finance/settlement/cycles/${sealed.id}`);
    const summary = (await read.json()) as Summary;
    expect(summary.positions.reduce((sum, position) => sum + BigInt(position.netMinor), 0n)).toBe(0n);
    const instructions = await allInstructions(sealed.id);
    expect(instructions.length).toBeGreaterThan(0);

    // Another sweep finds nothing left to net: the cycle keeps its one result.
    await sweep.trigger();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await allInstructions(sealed.id)).toEqual(instructions);
  });
});

describe('exactly once, by commit order', () => {
  it('puts every obligation in one cycle, and none into a cycle after it was sealed', async () => {
    const members = await Promise.all(Array.from({ length: 6 }, () => alliance.member({ coffee: 5_000n })));
    const transfers = members.flatMap((member) =>
      [1, 2, 3].map((round) => alliance.transfer(coffee, airline, member, BigInt(100 * round))),
    );
    const seals: Promise<unknown>[] = [];
    for (let index = 0; index < 4; index += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      // Each close nets right after its seal, while transfers still run: what it counts is final.
      seals.push(
        sealCycle(services, {
          periodLabel: `concurrency-${members[0]?.memberId}-${index}`,
          now: new Date(),
        }).then((sealed) => netCycle(services, { cycleId: sealed.id, sign })),
      );
    }
    await Promise.all([...transfers, ...seals]);

    const transferIds = (
      await gateway.db
        .selectFrom('transfers')
        .select('id')
        .where(
          'member_id',
          'in',
          members.map((member) => member.memberId),
        )
        .execute()
    ).map((row) => row.id);
    const obligations = await gateway.db
      .selectFrom('settlement_obligations')
      .select(['source_id', 'kind', 'cycle_id'])
      .where('source_id', 'in', transferIds)
      .execute();
    expect(obligations).toHaveLength(18);
    const sealed = await gateway.db
      .selectFrom('settlement_cycles')
      .select(['id', 'obligation_count'])
      .where('status', '!=', 'open')
      .execute();
    for (const cycle of sealed) {
      const { count } = await gateway.db
        .selectFrom('settlement_obligations')
        .select((eb) => eb.fn.countAll<bigint>().as('count'))
        .where('cycle_id', '=', cycle.id)
        .executeTakeFirstOrThrow();
      // What the close counted is what the cycle holds now: nothing arrived after its seal.
      expect(BigInt(count)).toBe(cycle.obligation_count);
    }
  });
});

describe('the settlement Schedule', () => {
  it('closes one cycle per cut-off of its calendar (00:00 Asia/Shanghai)', async () => {
    const handle = gateway.temporal.schedule.getHandle(settlementScheduleId(gateway.taskQueue));
    const end = new Date();
    const start = new Date(end.getTime() - 2 * 86_400_000);
    await handle.backfill([{ start, end, overlap: ScheduleOverlapPolicy.ALLOW_ALL }]);
    // Two days hold two cut-offs at 16:00 UTC; each run closes the cycle of its own period.
    const deadline = Date.now() + 60_000;
    let labels: string[] = [];
    while (Date.now() < deadline) {
      const cycles = await gateway.db
        .selectFrom('settlement_cycles')
        .select('period_label')
        .where('period_label', 'like', '%T16:00:00Z')
        .execute();
      labels = cycles.map((cycle) => cycle.period_label ?? '');
      if (labels.length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const today = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate(), 16);
    const expected = [-2, -1, 0]
      .map((days) => new Date(today + days * 86_400_000))
      .filter((cutOff) => cutOff > start && cutOff <= end)
      .map((cutOff) => cutOff.toISOString().replace('.000Z', 'Z'));
    expect(expected).toHaveLength(2);
    expect(labels).toEqual(expect.arrayContaining(expected));
  });
});
