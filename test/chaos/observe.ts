// What the crash test reads back once the load is over, each through the API its owner would use:
// the transfers through the gateway (as the partners list them), hosted balances through the
// gateway, a reference partner's balances through its own signed API, the ledger's check as the
// operator.
import type { ChaosAlliance, ChaosProgram } from './alliance.ts';
import { terminalStatuses } from './load.ts';

export interface TransferRecord {
  id: string;
  status: string;
  quoteId: string;
  memberId: string;
  sourceProgramId: string;
  targetProgramId: string;
  debitPoints: string;
  creditPoints: string;
  failure: { code: string; detail: string } | null;
  steps: { step: string; outcome: string }[];
}

export interface AccountBalance {
  postedPoints: bigint;
  /** Points held by reservations not yet posted or voided. */
  heldPoints: bigint;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every transfer any of the alliance's partners can see, each once. */
export async function listTransfers(alliance: ChaosAlliance): Promise<Map<string, TransferRecord>> {
  const transfers = new Map<string, TransferRecord>();
  for (const program of Object.values(alliance.programs)) {
    let cursor: string | null = null;
    do {
      const query: string = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await program.client.call({ method: 'GET', path: `/v1/transfers?${query}` });
      if (response.status !== 200)
        throw new Error(`listing transfers as ${program.slug}: ${response.status} ${response.text}`);
      const page = response.json<{ items: TransferRecord[]; nextCursor: string | null }>();
      for (const item of page.items) transfers.set(item.id, item);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return transfers;
}

/** Polls transfers not yet ended until all have, or the deadline passes; returns the latest states. */
export async function waitUntilEnded(
  alliance: ChaosAlliance,
  transfers: Map<string, TransferRecord>,
  options: { deadlineAt: number; onRound?: (running: number) => void },
): Promise<void> {
  const owner = (transfer: TransferRecord): ChaosProgram =>
    Object.values(alliance.programs).find((program) => program.programId === transfer.sourceProgramId) ??
    alliance.programs.alpha;
  for (;;) {
    const running = [...transfers.values()].filter((transfer) => !terminalStatuses.includes(transfer.status));
    options.onRound?.(running.length);
    if (running.length === 0 || Date.now() >= options.deadlineAt) return;
    for (let start = 0; start < running.length; start += 4) {
      await Promise.all(
        running.slice(start, start + 4).map(async (transfer) => {
          const response = await owner(transfer)
            .client.call({ method: 'GET', path: `/v1/transfers/${transfer.id}` })
            .catch(() => null);
          if (response?.status === 200) transfers.set(transfer.id, response.json<TransferRecord>());
        }),
      );
    }
    await sleep(1_000);
  }
}

/** Each member's balance in each programme, keyed `${memberId}|${programId}`. */
export async function readBalances(alliance: ChaosAlliance): Promise<Map<string, AccountBalance | null>> {
  const balances = new Map<string, AccountBalance | null>();
  for (const member of alliance.members) {
    for (const program of Object.values(alliance.programs)) {
      balances.set(`${member.memberId}|${program.programId}`, await readBalance(program, member.accountRef));
    }
  }
  return balances;
}

async function readBalance(program: ChaosProgram, accountRef: string): Promise<AccountBalance | null> {
  if (program.system) {
    const balance = await program.system.balance(accountRef);
    return balance
      ? { postedPoints: balance.postedPoints, heldPoints: balance.postedPoints - balance.availablePoints }
      : null;
  }
  const response = await program.client.call({
    method: 'GET',
    path: `/v1/programs/${program.programId}/accounts/${encodeURIComponent(accountRef)}`,
  });
  if (response.status === 404) return null;
  if (response.status !== 200)
    throw new Error(`reading ${accountRef} in ${program.slug}: ${response.status} ${response.text}`);
  const balance = response.json<{ postedPoints: string; pendingDebitPoints: string }>();
  return { postedPoints: BigInt(balance.postedPoints), heldPoints: BigInt(balance.pendingDebitPoints) };
}

export async function readLedgerCheck(
  alliance: ChaosAlliance,
): Promise<{ balanced: boolean; entriesSum: string; accountsOutOfBalance: string[] }> {
  const response = await alliance.operator.call({ method: 'GET', path: '/v1/operator/ledger/check' });
  if (response.status !== 200) throw new Error(`ledger check: ${response.status} ${response.text}`);
  return response.json();
}
