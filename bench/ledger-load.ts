// Load on the hosted ledger alone: a fixed number of credits to random member accounts at a fixed
// concurrency, straight through the store (no HTTP, no Temporal), printed as JSON. Every account first
// gets one credit, which opens it, measured apart: pgbench's accounts, too, exist before it measures.
import { randomUUID } from 'node:crypto';
import { createDatabase } from '../store/connection.ts';
import { createLedgerAccountIds } from '../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../store/hosted-ledger/operations.ts';
import { runLanes } from './lib/lanes.ts';

const accountIds = createLedgerAccountIds();

const [url = '', programId = '', accountsText = '1000', countText = '2000', concurrencyText = '8'] =
  process.argv.slice(2);
const accounts = Number(accountsText);
const concurrency = Number(concurrencyText);
const db = createDatabase({ url, poolSizeMax: concurrency });
const credit = async (accountRef: string) => {
  const outcome = await creditPoints(db, accountIds, {
    programId,
    key: randomUUID(),
    accountRef,
    points: 1n,
    reason: 'bench',
  });
  return outcome.outcome;
};
const opened = await runLanes(accounts, concurrency, ['done'], (index) => credit(`bench-${index}`));
if (opened.ok !== accounts) throw new Error(`opening the accounts: ${JSON.stringify(opened.statuses)}`);
const result = await runLanes(Number(countText), concurrency, ['done'], () =>
  credit(`bench-${Math.floor(Math.random() * accounts)}`),
);
await db.destroy();
process.stdout.write(JSON.stringify({ opening: opened, credits: result }));
