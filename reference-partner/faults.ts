// Switches that make the reference partner misbehave on demand, so tests and demos can show what
// the gateway does when a partner is slow, down, times out, refuses, or answers a request twice.
// No switch ever changes what a key's answer is: the partner applies a key at most once, and a key
// that already has an answer (applied or refused) gets that first answer again, whatever is armed.

export type PartnerOperationName =
  | 'reserve'
  | 'post'
  | 'void'
  | 'credit'
  | 'reverse'
  | 'outcome'
  | 'transactions'
  | 'webhook'
  | 'catalog';

export type FaultMode =
  /** Answer 503 without doing anything. */
  | 'fail_before'
  /** Do it, then answer 503: the answer is lost, and the retry gets the first answer again. */
  | 'fail_after'
  /** Do it, then hold the answer for delayMs: the caller times out first. */
  | 'hang_after'
  /** Wait delayMs, then do it and answer normally. */
  | 'latency'
  /** Refuse for good with `code`; the refusal is the key's answer from then on. */
  | 'refuse';

/**
 * Whether this arrival of a key is its first, or a repeat of a key that already has an answer.
 * `refuse` decides the answer, so it applies only to a first arrival. The other modes lose or delay
 * an answer without changing it, as a network or an outage would, so they may hit a repeat too:
 * the caller retries and gets the first answer once the fault is spent.
 */
export type KeyArrival = 'first' | 'repeat';

const answerDeciding: ReadonlySet<FaultMode> = new Set(['refuse']);

export interface Fault {
  operation: PartnerOperationName;
  mode: FaultMode;
  /** How many calls of that operation it applies to; then it is spent. */
  count: number;
  delayMs: number;
  code: string;
  /**
   * Only calls for an account whose ref starts with this; every call when absent. The sandbox arms
   * a partner's faults so, that they disturb its own members' transfers and no other partner's.
   */
  accountRefPrefix?: string;
}

function concerns(fault: Fault, accountRef: string | null): boolean {
  return fault.accountRefPrefix === undefined || (accountRef?.startsWith(fault.accountRefPrefix) ?? false);
}

export function createFaultPlan() {
  let faults: Fault[] = [];
  return {
    add(fault: Fault): void {
      faults.push({ ...fault });
    },
    clear(): void {
      faults = [];
    },
    /**
     * The fault for this call, if any; it is used up by taking it. A fault that would decide the
     * answer is left armed for the next first arrival when this call repeats an answered key.
     */
    take(
      operation: PartnerOperationName,
      arrival: KeyArrival = 'first',
      accountRef: string | null = null,
    ): Fault | undefined {
      const fault = faults.find(
        (candidate) =>
          candidate.operation === operation &&
          candidate.count > 0 &&
          (arrival === 'first' || !answerDeciding.has(candidate.mode)) &&
          concerns(candidate, accountRef),
      );
      if (fault) fault.count -= 1;
      return fault;
    },
    /** Whether a fault armed for `operation` needs the call's account to decide if it applies. */
    needsAccount(operation: PartnerOperationName): boolean {
      return faults.some(
        (fault) => fault.operation === operation && fault.count > 0 && fault.accountRefPrefix !== undefined,
      );
    },
    /** Disarms the faults whose account prefix is this one (a sandbox partner clearing its own). */
    clearFor(accountRefPrefix: string): void {
      faults = faults.filter((fault) => fault.accountRefPrefix !== accountRefPrefix);
    },
    pending(): Fault[] {
      return faults.filter((fault) => fault.count > 0).map((fault) => ({ ...fault }));
    },
  };
}

export type FaultPlan = ReturnType<typeof createFaultPlan>;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
