// Transfers between two hosted programmes, as POST /v1/transfers makes them, in this process against
// PostgreSQL, printed as JSON:
// node bench/hosted-transfer-load.ts URL SOURCE_PARTNER SOURCE_PROGRAM TARGET_PROGRAM MEMBER_IDS count concurrency
//
// A transfer is the Idempotency-Key claimed with the request's jti (one statement), requestTransfer
// (the inline quote priced, then one transaction: the quote, the transfer bound to the key, the
// reservation, the credit and the post in the hosted ledger, the steps, the obligation, completion),
// the reply read and rendered as the route renders it and stored under the key. No workflow: a call
// to start one counts as a failure. Members are picked at random, so some transfers queue on the same
// account, as they would.
import { randomUUID } from 'node:crypto';
import { transferView } from '../gateway/schemas/transfers.ts';
import { createLogger } from '../runtime/logger.ts';
import { createServiceContext } from '../services/context.ts';
import { requestTransfer } from '../services/transfers.ts';
import { createDatabase } from '../store/connection.ts';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../store/idempotency.ts';
import { runLanes } from './lib/lanes.ts';

const [
  url = '',
  partnerId = '',
  sourceProgramId = '',
  targetProgramId = '',
  memberIdsText = '',
  countText = '10000',
  concurrencyText = '8',
] = process.argv.slice(2);
const memberIds = memberIdsText.split(',');
const concurrency = Number(concurrencyText);
const db = createDatabase({ url, poolSizeMax: concurrency });
const context = createServiceContext(db);
let workflowsAsked = 0;
const deps = {
  ...context,
  policy: { quoteLifetimeSeconds: 60, coolingOffCapSourcePoints: 1n },
  logger: createLogger('warn', 'bench'),
  startTransfer: async () => {
    workflowsAsked += 1;
  },
};

async function transferOnce(): Promise<string> {
  const key = randomUUID();
  const claim = await claimIdempotencyKey(db, {
    principal: partnerId,
    key,
    requestHash: key,
    lockSeconds: 10,
    jti: { issuer: partnerId, jti: randomUUID(), expiresAt: new Date(Date.now() + 300_000) },
  });
  if (claim.outcome !== 'claimed') return `claim_${claim.outcome}`;
  try {
    const reply = await requestTransfer(deps, {
      partnerId,
      request: {
        memberId: memberIds[Math.floor(Math.random() * memberIds.length)] ?? '',
        sourceProgramId,
        targetProgramId,
        sourcePoints: 10n,
      },
      idempotency: { principal: partnerId, key, effectId: claim.effectId },
      now: new Date(),
    });
    const view = transferView(reply.transfer, reply.steps, reply.hold);
    await completeIdempotencyKey(db, {
      principal: partnerId,
      key,
      status: reply.finished ? 201 : 202,
      contentType: 'application/json',
      body: JSON.stringify(view),
    });
    return reply.transfer.status;
  } catch (error) {
    await releaseIdempotencyKey(db, partnerId, key);
    throw error;
  }
}

// Every connection opened and every statement's plan warm before the measured run.
await runLanes(500, concurrency, ['completed'], transferOnce);
const result = await runLanes(Number(countText), concurrency, ['completed'], transferOnce);
await db.destroy();
process.stdout.write(`${JSON.stringify({ ...result, workflowsAsked })}\n`);
