// A partner's integration as docs/partner-integration.md tells it to behave: every POST carries a
// fixed Idempotency-Key, and a request whose answer was lost (no connection, a 5xx, or 409
// idempotency_request_in_progress) is sent again with the same key and body, signed anew, until an
// answer comes.
import type { SignedClient, SignedResponse } from '../../signing/signed-client.ts';

export type LostReason = 'connection' | 'server_error' | 'in_progress';

export interface RequestStats {
  sent: number;
  /** Sends after the first of a key. */
  retries: number;
  lost: Record<LostReason, number>;
  /** Answers that came back with Idempotent-Replayed: true. */
  replayed: number;
}

export function emptyRequestStats(): RequestStats {
  return { sent: 0, retries: 0, lost: { connection: 0, server_error: 0, in_progress: 0 }, replayed: 0 };
}

export interface KeyedAnswer {
  status: number;
  /** The parsed body, or null when it was not JSON. */
  body: Record<string, unknown> | null;
  replayed: boolean;
  attempts: number;
  lost: Record<LostReason, number>;
  /** From the first lost answer to the answer; 0 when the first answer came. */
  recoveryMs: number;
  /** The last lost answer's reason and detail, for the report. */
  lastLoss: string | null;
}

export interface Unanswered {
  status: null;
  attempts: number;
  lost: Record<LostReason, number>;
  lastLoss: string | null;
}

export interface KeyedRequest {
  method: 'POST';
  path: string;
  body: unknown;
  idempotencyKey: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function lossOf(response: SignedResponse): { reason: LostReason; detail: string; waitMs: number } | null {
  if (response.status >= 500)
    return { reason: 'server_error', detail: `${response.status} ${response.text.slice(0, 200)}`, waitMs: 0 };
  if (response.status === 409 && response.text.includes('idempotency_request_in_progress')) {
    const seconds = Number(response.headers['retry-after'] ?? '1');
    return {
      reason: 'in_progress',
      detail: '409 idempotency_request_in_progress',
      waitMs: Number.isFinite(seconds) ? seconds * 1_000 : 1_000,
    };
  }
  return null;
}

/** Sends the request until an answer comes or the deadline passes; each send is signed anew. */
export async function sendUntilAnswered(
  client: SignedClient,
  request: KeyedRequest,
  options: { deadlineAt: number; stats: RequestStats; aborted?: () => boolean },
): Promise<KeyedAnswer | Unanswered> {
  const lost: Record<LostReason, number> = { connection: 0, server_error: 0, in_progress: 0 };
  let attempts = 0;
  let firstLossAt: number | null = null;
  let lastLoss: string | null = null;
  for (;;) {
    if (attempts > 0) options.stats.retries += 1;
    attempts += 1;
    options.stats.sent += 1;
    let loss: { reason: LostReason; detail: string; waitMs: number } | null;
    try {
      const response = await client.call(request);
      loss = lossOf(response);
      if (!loss) {
        const replayed = response.headers['idempotent-replayed'] === 'true';
        if (replayed) options.stats.replayed += 1;
        return {
          status: response.status,
          body: parseBody(response.text),
          replayed,
          attempts,
          lost,
          recoveryMs: firstLossAt === null ? 0 : Date.now() - firstLossAt,
          lastLoss,
        };
      }
    } catch (error) {
      loss = { reason: 'connection', detail: describeError(error), waitMs: 0 };
    }
    lost[loss.reason] += 1;
    options.stats.lost[loss.reason] += 1;
    firstLossAt ??= Date.now();
    lastLoss = `${loss.reason}: ${loss.detail}`;
    if (Date.now() >= options.deadlineAt || options.aborted?.())
      return { status: null, attempts, lost, lastLoss };
    const backoffMs = Math.min(2_000, 100 * 2 ** Math.min(attempts, 5));
    await sleep(Math.max(loss.waitMs, backoffMs * (0.5 + Math.random() / 2)));
  }
}

function parseBody(text: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function describeError(error: unknown): string {
  const causeCode = (error as { cause?: { code?: string } }).cause?.code;
  const code = (error as { code?: string }).code ?? causeCode;
  return `${code ?? (error as Error).name}: ${(error as Error).message}`.slice(0, 200);
}
