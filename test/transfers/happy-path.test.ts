// A member moves points between brands: over two partner systems (HTTP), and from the hosted ledger
// to a partner system. Each side moves exactly once, the settlement obligation is recorded, and
// the partners get signed webhooks.
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../store/hosted-ledger/reports.ts';
import { completeReversal } from '../../store/reversals.ts';
import { completeTransferInTransaction } from '../../store/transfers.ts';
import { createAlliance } from '../support/alliance.ts';
import { recordHistory } from '../support/histories.ts';
import { expectReceivedAsDocumented } from '../support/webhook-contract.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline, bookstore } = alliance;

/** Waits until the event's deliveries are sent, then marks them waiting again; their ids. */
async function deliveredThenPendingAgain(eventId: string): Promise<{ id: string }[]> {
  const statuses = async () =>
    (
      await gateway.db
        .selectFrom('webhook_deliveries')
        .select('status')
        .where('event_id', '=', eventId)
        .execute()
    ).map((row) => row.status);
  await expect.poll(async () => (await statuses()).every((status) => status === 'delivered')).toBe(true);
  return gateway.db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending' })
    .where('event_id', '=', eventId)
    .returning('id')
    .execute();
}

describe('transfers that succeed', () => {
  it('moves 1,000 coffee points into 700 airline miles across two partner systems', async () => {
    const member = await alliance.member({ coffee: 5_000n });
    const response = await alliance.transfer(coffee, airline, member, 1_000n);
    expect(response.status).toBe(201);
    const transfer = (await response.json()) as {
      id: string;
      status: string;
      debitPoints: string;
      creditPoints: string;
      steps: { step: string }[];
    };
    expect(transfer).toMatchObject({ status: 'completed', debitPoints: '1000', creditPoints: '700' });
    expect(transfer.steps.map((step) => step.step)).toEqual([
      'created',
      'reserve',
      'credit',
      'post',
      'completed',
    ]);
    await recordHistory(gateway.temporal, transfer.id, 'transfer-completed');
    expect(await alliance.balance(coffee, member)).toBe(4_000n);
    expect(await alliance.balance(airline, member)).toBe(700n);

    const obligations = await gateway.db
      .selectFrom('settlement_obligations')
      .selectAll()
      .where('transfer_id', '=', transfer.id)
      .execute();
    expect(obligations).toEqual([
      expect.objectContaining({
        kind: 'transfer',
        debtor_partner_id: coffee.partner.id,
        creditor_partner_id: airline.partner.id,
        amount_minor: 700n,
      }),
    ]);
  });

  it('moves points from the hosted ledger into a partner system', async () => {
    const member = await alliance.member({ bookstore: 2_000n });
    const response = await alliance.transfer(bookstore, coffee, member, 500n);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { status: string }).status).toBe('completed');
    expect(await alliance.balance(bookstore, member)).toBe(1_500n);
    expect(await alliance.balance(coffee, member)).toBe(500n);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('moves points from a partner system into the hosted ledger', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const response = await alliance.transfer(coffee, bookstore, member, 1_000n);
    expect(((await response.json()) as { status: string }).status).toBe('completed');
    expect(await alliance.balance(bookstore, member)).toBe(800n);
    expect(await alliance.balance(coffee, member)).toBe(0n);
  });

  it('lists the transfer for both partners and queues a webhook for each', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transfer = (await (await alliance.transfer(coffee, airline, member, 100n)).json()) as {
      id: string;
    };
    for (const partner of [coffee, airline]) {
      const list = (await (await gateway.call(partner.signer, 'GET', '/v1/transfers?limit=5')).json()) as {
        items: { id: string }[];
      };
      expect(list.items.map((item) => item.id)).toContain(transfer.id);
    }
    // Both partners take webhooks: each receives one, signed by the gateway (its server verifies it).
    for (const partner of [coffee, airline]) {
      await expect
        .poll(() =>
          partner.server?.webhooks.some(
            (hook) => (hook as { id: string }).id === `${transfer.id}:transfer.completed`,
          ),
        )
        .toBe(true);
      const page = (await (
        await gateway.call(partner.signer, 'GET', '/v1/webhook-deliveries?limit=50')
      ).json()) as {
        items: { eventId: string; status: string }[];
      };
      expect(page.items.find((item) => item.eventId === `${transfer.id}:transfer.completed`)?.status).toBe(
        'delivered',
      );
    }
    const outsider = await gateway.call(bookstore.signer, 'GET', `/v1/transfers/${transfer.id}`);
    expect(outsider.status).toBe(404);
  });

  it('hands on again, from a repeat of the completion, the webhooks its first run queued and did not send', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transfer = (await (await alliance.transfer(coffee, airline, member, 100n)).json()) as {
      id: string;
    };
    // As if the worker died after the completion committed, before its deliveries were sent: the
    // workflow runs the completion again, which has nothing to change and must still hand them on.
    const queued = await deliveredThenPendingAgain(`${transfer.id}:transfer.completed`);
    expect(queued).toHaveLength(2);
    const handedOn = await gateway.db
      .transaction()
      .execute((trx) => completeTransferInTransaction(trx, transfer.id));
    expect(handedOn.sort()).toEqual(queued.map((row) => row.id).sort());
    const obligations = await gateway.db
      .selectFrom('settlement_obligations')
      .select('kind')
      .where('transfer_id', '=', transfer.id)
      .execute();
    // Owed once, whatever the repeat.
    expect(obligations.filter((row) => row.kind === 'transfer')).toHaveLength(1);
  });

  it('hands on again, from a repeat of a reversal’s completion, the webhooks still waiting', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transfer = (await (await alliance.transfer(coffee, airline, member, 100n)).json()) as {
      id: string;
    };
    const reversed = await gateway.call(coffee.signer, 'POST', `/v1/transfers/${transfer.id}/reversals`, {
      body: { reason: 'purchase refunded' },
    });
    const reversal = (await reversed.json()) as { id: string; status: string };
    expect(reversal.status).toBe('completed');
    const queued = await deliveredThenPendingAgain(`${reversal.id}:transfer.reversed`);
    expect(queued.length).toBeGreaterThan(0);
    const handedOn = await completeReversal(gateway.db, reversal.id);
    expect(handedOn.sort()).toEqual(queued.map((row) => row.id).sort());
  });

  it('retries a webhook the partner could not take, until it is delivered once', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    alliance.fault(airline, { operation: 'webhook', mode: 'fail_before', count: 2 });
    const transfer = (await (await alliance.transfer(coffee, airline, member, 100n)).json()) as {
      id: string;
    };
    const eventId = `${transfer.id}:transfer.completed`;
    await expect
      .poll(
        async () =>
          await gateway.db
            .selectFrom('webhook_deliveries')
            .select(['status', 'attempts'])
            .where('event_id', '=', eventId)
            .where('partner_id', '=', airline.partner.id)
            .executeTakeFirst(),
        { timeout: 10_000 },
      )
      .toEqual({ status: 'delivered', attempts: 3 });
    expect(airline.server?.webhooks.filter((hook) => (hook as { id: string }).id === eventId)).toHaveLength(
      1,
    );
  });
});

describe('the webhooks this file’s partners received', () => {
  it('are each as the OpenAPI document describes them', () =>
    expectReceivedAsDocumented([coffee, airline], ['transfer.completed', 'transfer.reversed']));
});
