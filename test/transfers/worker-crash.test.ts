// A worker killed in the middle of a transfer: the worker runs as its own process, is killed with
// SIGKILL while the credit is in flight at the partner, and a new worker finishes the transfer.
// Each side must move exactly once.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { projectDir } from '../../runtime/project-dir.ts';
import { createAlliance } from '../support/alliance.ts';
import { testGatewayIssuer, testPartnerCallTimeoutMs } from '../support/gateway.ts';

const alliance = await createAlliance({ worker: false });
const { gateway, coffee, airline } = alliance;
const workers: ChildProcess[] = [];
afterAll(() => {
  for (const worker of workers) worker.kill('SIGKILL');
});

function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(projectDir, 'scripts', 'worker.ts')], {
    cwd: projectDir,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: gateway.taskQueue,
      GATEWAY_AUDIENCE: testGatewayIssuer,
      GATEWAY_PRIVATE_JWKS: JSON.stringify({ keys: [gateway.gatewayKey.privateJwk] }),
      PARTNER_CALL_TIMEOUT_MS: String(testPartnerCallTimeoutMs),
      LOG_LEVEL: 'info',
      // No metrics server: another test file's worker may hold the default port at the same time.
      WORKER_METRICS_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the worker did not start:\n${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker running')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`the worker exited with ${code}:\n${output}`)));
  });
}

async function waitForStatus(transferId: string, status: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const row = await gateway.db
      .selectFrom('transfers')
      .select('status')
      .where('id', '=', transferId)
      .executeTakeFirst();
    if (row?.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`transfer ${transferId} never reached ${status}`);
}

describe('a worker killed mid-transfer', () => {
  it('finishes the transfer once with a new worker', async () => {
    const member = await alliance.member({ coffee: 5_000n });
    const first = await startWorkerProcess();
    // The credit takes 3 s at the partner: the worker dies while it is in flight.
    alliance.fault(airline, { operation: 'credit', mode: 'latency', delayMs: 3_000 });
    const quote = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
      body: {
        memberId: member.memberId,
        sourceProgramId: coffee.programId,
        targetProgramId: airline.programId,
        sourcePoints: '1000',
      },
    });
    const { id: quoteId } = (await quote.json()) as { id: string };
    const reply = gateway.call(coffee.signer, 'POST', '/v1/transfers', { body: { quoteId } });
    const transferId = await (async () => {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const row = await gateway.db
          .selectFrom('quotes')
          .select('used_by_transfer_id')
          .where('id', '=', quoteId)
          .executeTakeFirst();
        if (row?.used_by_transfer_id) return row.used_by_transfer_id;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('the transfer was not created');
    })();
    await waitForStatus(transferId, 'reserved');
    await new Promise((resolve) => setTimeout(resolve, 500));
    first.kill('SIGKILL');

    await startWorkerProcess();
    await reply;
    const transfer = await alliance.settled(transferId);
    expect(transfer.status).toBe('completed');
    expect(await alliance.balance(coffee, member)).toBe(4_000n);
    expect(await alliance.balance(airline, member)).toBe(700n);
    // The one credit (the balances above) is recorded as done when the new worker's retry got the
    // partner's replayed answer, as succeeded when the step's time ran out first (a loaded machine)
    // and the workflow asked the partner for the key's outcome instead, or as both when the retry
    // answered just after its time ran out (seen in CI); each step once, and never as failed.
    const credits = await gateway.db
      .selectFrom('transfer_steps')
      .select(['step', 'outcome'])
      .where('transfer_id', '=', transferId)
      .where('step', 'in', ['credit', 'credit_outcome_asked'])
      .execute();
    expect(credits.length).toBeGreaterThan(0);
    expect(new Set(credits.map((credit) => credit.step)).size).toBe(credits.length);
    for (const credit of credits) {
      expect(credit.outcome).toBe(credit.step === 'credit' ? 'done' : 'succeeded');
    }
    // Two worker processes started, the dead one's activity left to its start-to-close timeout
    // before the new one retries it: well past 30 s on a loaded machine.
  }, 90_000);
});
