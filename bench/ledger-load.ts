// Load on the hosted ledger alone, straight through the store (no HTTP, no Temporal), printed as
// JSON. Credits: a fixed number to random member accounts at a fixed concurrency; every account first
// gets one credit, which opens it, measured apart (pgbench's accounts, too, exist before it
// measures). Debits: accounts of their own, each holding 10 lots with 10 different expiries, debited
// as a transfer's source debits (reserve, then post: two transactions), so every debit reads the
// account's lots and burns the soonest first, one or two of them; in three rounds, each right after a
// pgbench run on PGBENCH_URL's database. Then the floor under a debit on the first round's accounts
// (below).
// node bench/ledger-load.ts URL PROGRAM ACCOUNTS CREDITS CONCURRENCY PGBENCH_URL
import { randomUUID } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../store/connection.ts';
import { createLedgerAccountIds } from '../store/hosted-ledger/accounts.ts';
import { creditPoints, postReservation, reservePoints } from '../store/hosted-ledger/operations.ts';
import { addCpuUsage, type CpuUsage, cpuBetween, cpuPerRequest, cpuSnapshot } from './lib/cpu-usage.ts';
import { runLanes } from './lib/lanes.ts';
import { noPgbenchRun, type PgbenchRun, pgbenchInit, pgbenchRun, pgbenchRunSeconds } from './lib/pgbench.ts';
import { perSecond, progressOf } from './lib/progress.ts';
import { median } from './lib/settlement-data.ts';
import type { LoadResult } from './lib/stats.ts';

const accountIds = createLedgerAccountIds();
const ledgerTables = [
  'ledger_accounts',
  'ledger_lots',
  'ledger_lot_holds',
  'ledger_transfers',
  'ledger_entries',
];
const progress = progressOf('ledger');

const [
  url = '',
  programId = '',
  accountsText = '1000',
  countText = '2000',
  concurrencyText = '8',
  pgbenchUrl = '',
] = process.argv.slice(2);
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
progress(`opening ${accounts} accounts, then ${countText} credits`);
const opened = await runLanes(accounts, concurrency, ['done'], (index) => credit(`bench-${index}`));
if (opened.ok !== accounts) throw new Error(`opening the accounts: ${JSON.stringify(opened.statuses)}`);
const result = await runLanes(Number(countText), concurrency, ['done'], () =>
  credit(`bench-${Math.floor(Math.random() * accounts)}`),
);

progress(`credits: ${perSecond(result.perSecond)}`);
const lotsPerAccount = 10;
const lotPoints = 100n;
const debitPoints = 30n;
const day = 86_400_000;
// The debits run in rounds, each on accounts of its own and right after a pgbench run, so that each
// stands beside the database's ceiling as the machine was at that moment (bench/lib/pgbench.ts).
const rounds = 3;
const lotsRef = (round: number, account: number) => `lots-${round}-${account}`;
progress(`seeding ${rounds} × ${accounts} accounts with ${lotsPerAccount} lots each`);
const seeded = await runLanes(rounds * accounts * lotsPerAccount, concurrency, ['done'], (index) =>
  credit(
    lotsRef(Math.floor(index / (accounts * lotsPerAccount)), Math.floor(index / lotsPerAccount) % accounts),
    lotPoints,
    // Expiries in no order of crediting, so the burn order is the ledger's doing.
    new Date(Date.now() + (1 + ((index * 7) % lotsPerAccount)) * 30 * day),
  ),
);
if (seeded.ok !== rounds * accounts * lotsPerAccount)
  throw new Error(`seeding lots: ${JSON.stringify(seeded.statuses)}`);
// The ledger's tables start the rounds vacuumed and analyzed, as pgbench's own do (its `-i` vacuums and
// analyzes them) and as autovacuum keeps the tables of a database in service: the PostgreSQL of the CI
// machines runs with autovacuum off, so without this the debits met tables never analyzed.
progress('vacuum analyze of the ledger tables');
await db.executeQuery(CompiledQuery.raw(`vacuum analyze ${ledgerTables.join(', ')}`));
// Each account is debited the same number of times (in a shuffled order), never past its lots.
const debitsPerAccount = Math.min(Number((lotPoints * BigInt(lotsPerAccount)) / debitPoints), 10);
function shuffledOrder(): number[] {
  const order = Array.from({ length: accounts * debitsPerAccount }, (_, index) => index % accounts);
  for (let index = order.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [order[index], order[other]] = [order[other] ?? 0, order[index] ?? 0];
  }
  return order;
}

async function debitRound(round: number): Promise<LoadResult> {
  const order = shuffledOrder();
  return runLanes(order.length, concurrency, ['done'], async (index) => {
    const accountRef = lotsRef(round, order[index] ?? 0);
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
}

const pgbenchRuns = pgbenchInit(pgbenchUrl);
const debitRounds: { pgbench: PgbenchRun; debits: LoadResult }[] = [];
const debitStretches: { usage: CpuUsage; durationMs: number }[] = [];
const pgbenchStretches: { usage: CpuUsage; durationMs: number }[] = [];
for (let round = 0; round < rounds; round += 1) {
  let before = cpuSnapshot();
  const pgbench = pgbenchRuns ? pgbenchRun(pgbenchUrl, concurrency) : noPgbenchRun;
  pgbenchStretches.push({
    usage: cpuBetween(before, cpuSnapshot()),
    durationMs: pgbenchRuns ? pgbenchRunSeconds * 1000 : 0,
  });
  before = cpuSnapshot();
  const debits = await debitRound(round);
  debitStretches.push({ usage: cpuBetween(before, cpuSnapshot()), durationMs: debits.durationMs });
  debitRounds.push({ pgbench, debits });
  progress(
    `round ${round + 1} of ${rounds}: pgbench ${perSecond(pgbench.tps)}, debits ${perSecond(debits.perSecond)}` +
      ` (${(debits.perSecond / pgbench.tps).toFixed(2)}×)`,
  );
}
const byRate = [...debitRounds].sort((a, b) => a.debits.perSecond - b.debits.perSecond);
const medianDebits = byRate[Math.floor(rounds / 2)]?.debits as LoadResult;
const debitsOk = debitRounds.reduce((sum, { debits }) => sum + debits.ok, 0);
const pgbenchTransactions = debitRounds.reduce((sum, { pgbench }) => sum + pgbench.transactions, 0);

// The floor under a debit: the least one that keeps a ledger writes, in one prepared statement and one
// durable commit, raw pg: the account's counters (checked against its balance), the soonest-expiring
// lot with enough left burnt, and a posted ledger transfer with its two balanced entries. It leaves out
// the two-phase records a transfer's debit keeps (the reservation, its holds, the post), and a burn
// that spans two lots; so a debit can only be slower. The same accounts, each debited as often again.
// The lot is burnt first and the counters only with it, so nothing is half-written: a debit that
// waited for another on the same lot and finds it emptied burns nothing, moves nothing and answers
// not_debited (the real one-statement reservation leaves that case to its transactional path). The
// ledger stays balanced for the conservation checks a whole `npm run bench` runs after it. The floor
// runs once, on the first round's accounts.
const clearingAccountId = await accountIds.system(db, programId, 'alliance_clearing');
await db.destroy();
const pool = new pg.Pool({ connectionString: url, max: concurrency });
const floorStatement = {
  name: 'debit_floor',
  text: `
  with
  lot as (
    select lot.id, lot.account_id from ledger_lots lot
    where lot.account_id = (
        select id from ledger_accounts where program_id = $1 and account_ref = $2 and kind = 'member')
      and lot.remaining_points >= $3
    order by lot.expires_at nulls last, lot.id limit 1),
  burnt as (
    update ledger_lots set remaining_points = remaining_points - $3
    where id = (select id from lot) and remaining_points >= $3 returning account_id),
  account as (
    update ledger_accounts set debits_posted = debits_posted + $3
    where id = (select account_id from burnt) and credits_posted - debits_posted - debits_pending >= $3
    returning id),
  debit as (
    insert into ledger_transfers (program_id, key, operation, debit_account_id, credit_account_id,
      amount_points, status, reason)
    select $1, $4, 'reserve', account.id, $5, $3, 'post_done', 'bench debit floor' from account
    returning id, debit_account_id),
  entries as (
    insert into ledger_entries (transfer_id, account_id, phase, amount_points, reason)
    select debit.id, entry.account_id, 'posted', entry.amount, 'bench debit floor'
    from debit, lateral (values (debit.debit_account_id, -$3::bigint), ($5::bigint, $3::bigint))
      as entry (account_id, amount))
  select count(*) as debited from debit`,
};
progress('the floor under a debit (one raw statement each)');
const floorOrder = shuffledOrder();
const floorBefore = cpuSnapshot();
const floor = await runLanes(floorOrder.length, concurrency, ['done'], async (index) => {
  const { rows } = await pool.query<{ debited: string }>({
    ...floorStatement,
    values: [programId, lotsRef(0, floorOrder[index] ?? 0), debitPoints, randomUUID(), clearingAccountId],
  });
  return rows[0]?.debited === '1' ? 'done' : 'not_debited';
});
const floorCpu = cpuPerRequest(cpuBetween(floorBefore, cpuSnapshot()), floor.ok);
await pool.end();
process.stdout.write(
  JSON.stringify({
    opening: opened,
    credits: result,
    lotSeeding: seeded,
    debits: {
      ...medianDebits,
      lotsPerAccount,
      lotPoints: String(lotPoints),
      debitPoints: String(debitPoints),
      cpu: cpuPerRequest(addCpuUsage(debitStretches), debitsOk),
      rounds: debitRounds.map(({ pgbench, debits }, index) => ({
        round: index + 1,
        debitsPerSecond: debits.perSecond,
        pgbenchTps: Math.round(pgbench.tps * 10) / 10,
        ratio: Math.round((debits.perSecond / pgbench.tps) * 1000) / 1000,
      })),
    },
    pgbench: {
      tps: median(debitRounds.map(({ pgbench }) => pgbench.tps)),
      runs: debitRounds.map(({ pgbench }) => pgbench.tps),
      cpu: cpuPerRequest(addCpuUsage(pgbenchStretches), pgbenchTransactions),
    },
    debitFloor: { ...floor, cpu: floorCpu },
  }),
);
