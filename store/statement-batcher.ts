// Many callers' statements run as one (group commit by hand). A flash sale asks thousands of times a
// second for the same few rows: one statement and one commit for each ask holds the hot row once per
// ask, for a WAL flush each, while one statement for every ask that arrived meanwhile holds it once
// for all of them. Nothing waits for company beyond the event loop's turn: a call that finds a free
// slot leaves at the end of the turn it was made in, with the calls made in that turn; the calls that
// arrive while every slot is busy are gathered, and leave together as soon as a slot frees. At low
// load every call runs alone, as it would without the batcher.
import type { Kysely } from 'kysely';
import type { Database } from './database.ts';

/** What a batch statement answers for a call it leaves to the one-call statement (`runAlone`). */
export const alone = Symbol('alone');

export interface BatcherOptions<Input, Output> {
  /** What the statement does, as the batch-size metric names it (`order_decision`, `ledger_post`). */
  kind: string;
  /** Statements of this kind running at once; the calls that arrive meanwhile wait and go together. */
  slots: number;
  /** Most calls in one statement. */
  maxSize: number;
  /**
   * What must differ between two calls of one batch (a key, a jti): a call that shares one with a
   * call already in the batch waits for the next one.
   */
  apart?: (input: Input) => readonly string[];
  /** Runs a batch in one statement: one output per input, in the same order, or `alone`. */
  run: (inputs: Input[]) => Promise<Array<Output | typeof alone>>;
  /**
   * The one-call statement, where there is one: it runs a batch of one, each call the batch
   * statement answered `alone`, and each call of a batch statement that failed as `aloneAfter`
   * says (having written nothing: a refusal of one call, a deadlock). Each such call's failure is
   * its own.
   */
  runAlone?: (input: Input) => Promise<Output>;
  aloneAfter?: (error: unknown) => boolean;
}

interface Waiting<Input, Output> {
  input: Input;
  resolve(output: Output): void;
  reject(error: unknown): void;
}

export interface StatementBatcher<Input, Output> {
  submit(input: Input): Promise<Output>;
}

export function createStatementBatcher<Input, Output>(
  options: BatcherOptions<Input, Output>,
): StatementBatcher<Input, Output> {
  const queue: Waiting<Input, Output>[] = [];
  let busy = 0;
  let scheduled = false;

  const take = (): Waiting<Input, Output>[] => {
    if (!options.apart) return queue.splice(0, options.maxSize);
    const seen = new Set<string>();
    const batch: Waiting<Input, Output>[] = [];
    for (let index = 0; index < queue.length && batch.length < options.maxSize; ) {
      const waiting = queue[index] as Waiting<Input, Output>;
      const keys = options.apart(waiting.input);
      if (keys.some((key) => seen.has(key))) {
        index += 1;
        continue;
      }
      for (const key of keys) seen.add(key);
      batch.push(waiting);
      queue.splice(index, 1);
    }
    return batch;
  };

  const dispatch = () => {
    while (busy < options.slots && queue.length > 0) {
      const batch = take();
      busy += 1;
      void runBatch(batch).finally(() => {
        busy -= 1;
        soon();
      });
    }
  };

  // Dispatching at the end of the event loop's turn gathers every call made during it: the callers a
  // finished batch released come back together (a transfer's post right after its reservation), and
  // would otherwise leave one alone and the rest behind it.
  const soon = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      dispatch();
    });
  };

  const runBatch = async (batch: Waiting<Input, Output>[]) => {
    batchObserver?.(options.kind, batch.length);
    const { runAlone } = options;
    const eachAlone = (waiting: Waiting<Input, Output>) => {
      if (!runAlone)
        return waiting.reject(new Error(`${options.kind}: a call left alone, with no statement for one`));
      return runAlone(waiting.input).then(waiting.resolve, waiting.reject);
    };
    if (batch.length === 1 && runAlone) return eachAlone(batch[0] as Waiting<Input, Output>);
    let outputs: Array<Output | typeof alone>;
    try {
      outputs = await options.run(batch.map((waiting) => waiting.input));
    } catch (error) {
      if (runAlone && options.aloneAfter?.(error)) {
        await Promise.all(batch.map(eachAlone));
        return;
      }
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    await Promise.all(
      batch.map((waiting, index) => {
        const output = outputs[index];
        if (output === alone) return eachAlone(waiting);
        if (index >= outputs.length)
          return waiting.reject(new Error('a batched statement returned no result'));
        return waiting.resolve(output as Output);
      }),
    );
  };

  return {
    submit(input) {
      return new Promise<Output>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        soon();
      });
    },
  };
}

/** Told the size of every batch as it leaves (runtime/metrics.ts keeps it as a histogram). */
let batchObserver: ((kind: string, size: number) => void) | undefined;

export function observeBatches(observer: (kind: string, size: number) => void): void {
  batchObserver = observer;
}

/** One batcher per pool and kind: a batch's statements must run on the pool its callers use. */
export function batcherPerPool<Input, Output>(
  make: (db: Kysely<Database>) => StatementBatcher<Input, Output>,
): (db: Kysely<Database>) => StatementBatcher<Input, Output> {
  const batchers = new WeakMap<Kysely<Database>, StatementBatcher<Input, Output>>();
  return (db) => {
    let batcher = batchers.get(db);
    if (!batcher) {
      batcher = make(db);
      batchers.set(db, batcher);
    }
    return batcher;
  };
}
