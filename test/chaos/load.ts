// The crash test's load: quoted transfers (POST /v1/quotes, then POST /v1/transfers with the quote)
// and inline ones (the amount in the transfer's body), each request under a fixed Idempotency-Key,
// sent by the source programme's partner from a few lanes at once.
import { type ChaosAlliance, type ChaosMember, type ProgramSlug, programSlugs } from './alliance.ts';
import type { Random } from './random.ts';
import {
  type KeyedAnswer,
  type KeyedRequest,
  type RequestStats,
  sendUntilAnswered,
  type Unanswered,
} from './requests.ts';

export const terminalStatuses: readonly string[] = ['completed', 'failed', 'needs_attention'];

export interface Intent {
  index: number;
  kind: 'quoted' | 'inline';
  member: ChaosMember;
  source: ProgramSlug;
  target: ProgramSlug;
  /** Unique in the run, so that a transfer nobody was answered with can be traced to its request. */
  sourcePoints: bigint;
  quoteKey: string | null;
  transferKey: string;
  quoteAnswer: KeyedAnswer | Unanswered | null;
  quoteId: string | null;
  transferAnswer: KeyedAnswer | Unanswered | null;
  /** The transfer the final answer names, if any. */
  transferId: string | null;
}

export interface LoadProgress {
  started: number;
  answered: number;
  inFlight: number;
  /** Transfers known to have ended, by id, with their status. */
  ended: Map<string, string>;
  /** Transfers answered but not known to have ended yet. */
  running: Set<string>;
}

/** Requests for `count` transfers: random members, directions and kinds, with a unique amount each. */
export function planIntents(random: Random, count: number, members: ChaosMember[], runId: string): Intent[] {
  return Array.from({ length: count }, (_, index) => {
    const source = random.pick(programSlugs);
    const target = random.pick(programSlugs.filter((slug) => slug !== source));
    const kind = random.next() < 0.5 ? 'quoted' : 'inline';
    return {
      index,
      kind,
      member: random.pick(members),
      source,
      target,
      sourcePoints: BigInt(100 + index),
      quoteKey: kind === 'quoted' ? `${runId}-${index}-quote` : null,
      transferKey: `${runId}-${index}-transfer`,
      quoteAnswer: null,
      quoteId: null,
      transferAnswer: null,
      transferId: null,
    };
  });
}

function transferBody(alliance: ChaosAlliance, intent: Intent) {
  return {
    memberId: intent.member.memberId,
    sourceProgramId: alliance.programs[intent.source].programId,
    targetProgramId: alliance.programs[intent.target].programId,
    sourcePoints: String(intent.sourcePoints),
  };
}

async function runIntent(alliance: ChaosAlliance, intent: Intent, options: LoadOptions): Promise<void> {
  const client = alliance.programs[intent.source].client;
  const send = (request: KeyedRequest) =>
    sendUntilAnswered(client, request, {
      deadlineAt: Date.now() + options.answerTimeoutMs,
      stats: options.stats,
      aborted: options.aborted,
    });
  let transferBodyToSend: unknown = transferBody(alliance, intent);
  if (intent.kind === 'quoted' && intent.quoteKey) {
    intent.quoteAnswer = await send({
      method: 'POST',
      path: '/v1/quotes',
      body: transferBody(alliance, intent),
      idempotencyKey: intent.quoteKey,
    });
    const quoteId = intent.quoteAnswer.status === 201 ? intent.quoteAnswer.body?.id : undefined;
    if (typeof quoteId !== 'string') return;
    intent.quoteId = quoteId;
    transferBodyToSend = { quoteId };
  }
  intent.transferAnswer = await send({
    method: 'POST',
    path: '/v1/transfers',
    body: transferBodyToSend,
    idempotencyKey: intent.transferKey,
  });
  const answer = intent.transferAnswer;
  if (answer.status !== null && answer.status < 300 && typeof answer.body?.id === 'string') {
    intent.transferId = answer.body.id;
    const status = String(answer.body.status);
    if (terminalStatuses.includes(status)) options.progress.ended.set(answer.body.id, status);
    else options.progress.running.add(answer.body.id);
  }
}

export interface LoadOptions {
  concurrency: number;
  /** How long one request may go unanswered (retried all along) before it is given up. */
  answerTimeoutMs: number;
  stats: RequestStats;
  progress: LoadProgress;
  /** True once the run cannot go on (a service would not start again): stop sending. */
  aborted: () => boolean;
}

/** Runs every intent to its answer (each request for at most answerTimeoutMs), `concurrency` at a time. */
export async function runLoad(
  alliance: ChaosAlliance,
  intents: Intent[],
  options: LoadOptions,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (;;) {
      const intent = intents[next];
      if (!intent || options.aborted()) return;
      next += 1;
      options.progress.started += 1;
      options.progress.inFlight += 1;
      try {
        await runIntent(alliance, intent, options);
      } finally {
        options.progress.inFlight -= 1;
        options.progress.answered += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
}

/** Asks the requester for running transfers' state, a few at a time, until stopped. */
export function pollRunning(
  alliance: ChaosAlliance,
  intents: Intent[],
  progress: LoadProgress,
  options: { intervalMs: number; batch: number },
): { stop(): Promise<void> } {
  const requester = new Map(intents.map((intent) => [intent.transferId, intent.source]));
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
      const ids = [...progress.running].slice(0, options.batch);
      for (const id of ids) {
        if (stopped) break;
        const slug = requester.get(id) ?? intents.find((intent) => intent.transferId === id)?.source;
        if (!slug) continue;
        const response = await alliance.programs[slug].client
          .call({ method: 'GET', path: `/v1/transfers/${id}` })
          .catch(() => null);
        const status = response?.status === 200 ? response.json<{ status: string }>().status : null;
        if (status && terminalStatuses.includes(status)) {
          progress.running.delete(id);
          progress.ended.set(id, status);
        }
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
