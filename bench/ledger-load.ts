// Load on the hosted ledger alone: a fixed number of credits to random member accounts at a fixed
// concurrency, straight through the store (no HTTP, no Temporal), printed as JSON.
import { randomUUID } from 'node:crypto';
import { createDatabase } from '../store/connection.ts';
import { creditPoints } from '../store/hosted-ledger.ts';
import { runLanes } from './lib/lanes.ts';

const [url = '', programId = '', accountsText = '1000', countText = '2000', concurrencyText = '8'] =
  process.argv.slice(2);
const accounts = Number(accountsText);
const concurrency = Number(concurrencyText);
const db = createDatabase({ url, poolSizeMax: concurrency });
const result = await runLanes(Number(countText), concurrency, ['done'], async () => {
  const accountRef = `bench-${Math.floor(Math.random() * accounts)}`;
  const outcome = await creditPoints(db, {
    programId,
    key: randomUUID(),
    accountRef,
    points: 1n,
    reason: 'bench',
  });
  return outcome.outcome;
});
await db.destroy();
process.stdout.write(JSON.stringify(result));
