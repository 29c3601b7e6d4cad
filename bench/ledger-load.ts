// Load on the hosted ledger alone: a fixed number of credits to random member accounts at a fixed
// concurrency, straight through the store (no HTTP, no Temporal), printed as JSON.
import { randomUUID } from 'node:crypto';
import { createDatabase } from '../store/connection.ts';
import { creditPoints } from '../store/hosted-ledger.ts';
import { summarise } from './lib/stats.ts';

const [url = '', programId = '', accountsText = '1000', countText = '2000', concurrencyText = '8'] =
  process.argv.slice(2);
const accounts = Number(accountsText);
const count = Number(countText);
const concurrency = Number(concurrencyText);
const db = createDatabase({ url, poolSizeMax: concurrency });
const latencies: number[] = [];
let ok = 0;
let started = 0;

async function lane(): Promise<void> {
  while (started < count) {
    started += 1;
    const accountRef = `bench-${Math.floor(Math.random() * accounts)}`;
    const begin = performance.now();
    const outcome = await creditPoints(db, {
      programId,
      key: randomUUID(),
      accountRef,
      points: 1n,
      reason: 'bench',
    });
    if (outcome.outcome === 'done') ok += 1;
    latencies.push(performance.now() - begin);
  }
}

const begin = performance.now();
await Promise.all(Array.from({ length: concurrency }, lane));
const durationMs = performance.now() - begin;
await db.destroy();
process.stdout.write(JSON.stringify(summarise(latencies, ok, durationMs, { done: ok })));
