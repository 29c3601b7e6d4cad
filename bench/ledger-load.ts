// Load on the hosted ledger alone, straight through the store (no HTTP, no Temporal), printed as
// JSON. Credits: a fixed number to random member accounts at a fixed concurrency; every account first
// gets one credit, which opens it, measured apart (pgbench's accounts, too, exist before it
// measures). Debits: accounts of their own, each holding 10 lots with 10 different expiries, debited
// as a transfer's source debits (reserve, then post: two transactions), so every debit reads the
// account's lots and burns the soonest first, one or two of them.
import { randomUUID } from 'node:crypto';
import { createDatabase } from '../store/connection.ts';
import { createLedgerAccountIds } from '../store/hosted-ledger/accounts.ts';
import { creditPoints, postReservation, reservePoints } from '../store/hosted-ledger/operations.ts';
import { runLanes } from './lib/lanes.ts';

const accountIds = createLedgerAccountIds();

const [url = '', programId = '', accountsText = '1000', countText = '2000', concurrencyText = '8'] =
  process.argv.slice(2);
const accounts = Number(accountsText);
const concurrency = Number(concurrencyText);
const db = createDatabase({ url, poolSizeMax: concurrency });
const credit = async (accountRef: string, points = 1n, expiresAt: Date | null = null) => {
  const outcome = await creditPoints(db, accountIds, {
    programId,
    key: randomUUID(),
    accountRef,
    points,
    reason: 'bench',
    carriedExpiry: [{ points, expiresAt }],
  });
  return outcome.outcome;
};
const opened = await runLanes(accounts, concurrency, ['done'], (index) => credit(`bench-${index}`));
if (opened.ok !== accounts) throw new Error(`opening the accounts: ${JSON.stringify(opened.statuses)}`);
const result = await runLanes(Number(countText), concurrency, ['done'], () =>
  credit(`bench-${Math.floor(Math.random() * accounts)}`),
);

const lotsPerAccount = 10;
const lotPoints = 100n;
const debitPoints = 30n;
const day = 86_400_000;
const seeded = await runLanes(accounts * lotsPerAccount, concurrency, ['done'], (index) =>
  credit(
    `lots-${Math.floor(index / lotsPerAccount)}`,
    lotPoints,
    // Expiries in no order of crediting, so the burn order is the ledger's doing.
    new Date(Date.now() + (1 + ((index * 7) % lotsPerAccount)) * 30 * day),
  ),
);
if (seeded.ok !== accounts * lotsPerAccount)
  throw new Error(`seeding lots: ${JSON.stringify(seeded.statuses)}`);
// Each account is debited the same number of times (in a shuffled order), never past its lots.
const debitsPerAccount = Math.min(Number((lotPoints * BigInt(lotsPerAccount)) / debitPoints), 10);
const order = Array.from({ length: accounts * debitsPerAccount }, (_, index) => index % accounts);
for (let index = order.length - 1; index > 0; index -= 1) {
  const other = Math.floor(Math.random() * (index + 1));
  [order[index], order[other]] = [order[other] ?? 0, order[index] ?? 0];
}
const debits = await runLanes(order.length, concurrency, ['done'], async (index) => {
  const accountRef = `lots-${order[index]}`;
  const key = randomUUID();
  const reserved = await reservePoints(db, accountIds, {
    programId,
    key: `${key}:reserve`,
    accountRef,
    points: debitPoints,
    expiresAt: new Date(Date.now() + 60_000),
    reason: 'bench debit',
  });
  if (reserved.outcome !== 'done') return reserved.code;
  const posted = await postReservation(db, {
    programId,
    key: `${key}:post`,
    reservationKey: `${key}:reserve`,
    reason: 'bench debit',
  });
  return posted.outcome === 'done' ? 'done' : posted.code;
});
await db.destroy();
process.stdout.write(
  JSON.stringify({
    opening: opened,
    credits: result,
    lotSeeding: seeded,
    debits: { ...debits, lotsPerAccount, lotPoints: String(lotPoints), debitPoints: String(debitPoints) },
  }),
);
