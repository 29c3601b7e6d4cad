import { describe, expect, it } from 'vitest';
import { metricsRegistry } from '../runtime/metrics.ts';
import { alone, createStatementBatcher } from './statement-batcher.ts';

/** Lets the event loop's turn end, so that the batcher dispatches what was submitted in it. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A batcher whose runs wait until released, recording each batch it was given. */
function recording(options: {
  slots: number;
  maxSize: number;
  apart?: (input: string) => string[];
  runAlone?: (input: string) => Promise<string>;
}) {
  const batches: string[][] = [];
  const releases: Array<() => void> = [];
  const batcher = createStatementBatcher<string, string>({
    kind: 'test',
    ...options,
    run: async (inputs) => {
      batches.push(inputs);
      await new Promise<void>((resolve) => releases.push(resolve));
      return inputs.map((input) => (input.startsWith('bad') ? alone : `${input}!`));
    },
  });
  // Releases batch after batch until none is left; two turns let a released batch's slot take the next.
  const releaseAll = async () => {
    for (;;) {
      await turn();
      await turn();
      const release = releases.shift();
      if (!release) return;
      release();
    }
  };
  return { batcher, batches, releaseAll };
}

describe('the statement batcher', () => {
  it('sends the calls of one turn together, and gathers those that arrive while the slot is busy', async () => {
    const { batcher, batches, releaseAll } = recording({ slots: 1, maxSize: 3 });
    const first = ['a', 'b'].map((input) => batcher.submit(input));
    await turn();
    expect(batches).toEqual([['a', 'b']]);
    const later = ['c', 'd', 'e', 'f'].map((input) => batcher.submit(input));
    await turn();
    expect(batches).toHaveLength(1);
    await releaseAll();
    expect(await Promise.all([...first, ...later])).toEqual(['a!', 'b!', 'c!', 'd!', 'e!', 'f!']);
    expect(batches).toEqual([['a', 'b'], ['c', 'd', 'e'], ['f']]);
  });

  it('keeps calls that share a key apart, in their order', async () => {
    const { batcher, batches, releaseAll } = recording({
      slots: 1,
      maxSize: 10,
      apart: (input) => [input.slice(0, 1)],
    });
    const answers = ['x0', 'x1', 'y1', 'x2', 'z1'].map((input) => batcher.submit(input));
    await turn();
    await releaseAll();
    await Promise.all(answers);
    expect(batches).toEqual([['x0', 'y1', 'z1'], ['x1'], ['x2']]);
  });

  it('fails only the calls whose result failed, and every call of a batch whose run threw', async () => {
    const { batcher, releaseAll } = recording({
      slots: 2,
      maxSize: 10,
      runAlone: async (input) => {
        throw new Error(input);
      },
    });
    const good = batcher.submit('good');
    const bad = batcher.submit('bad one').catch((error: Error) => error.message);
    await turn();
    await releaseAll();
    await expect(good).resolves.toBe('good!');
    expect(await bad).toBe('bad one');
    let runs = 0;
    const throwing = createStatementBatcher<string, string>({
      kind: 'test',
      slots: 1,
      maxSize: 10,
      run: async (inputs) => {
        runs += 1;
        if (runs === 1) throw new Error('database gone');
        return inputs;
      },
    });
    const first = throwing.submit('a');
    const alsoFirst = throwing.submit('b');
    await expect(first).rejects.toThrow('database gone');
    await expect(alsoFirst).rejects.toThrow('database gone');
    // The batcher carries on after a run that threw: the next batch has its own outcome.
    await expect(throwing.submit('c')).resolves.toBe('c');
  });

  it('uses every slot, each with at most its size', async () => {
    const { batcher, batches, releaseAll } = recording({ slots: 2, maxSize: 2 });
    const answers = ['a', 'b', 'c', 'd', 'e'].map((input) => batcher.submit(input));
    await turn();
    expect(batches).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    await releaseAll();
    await Promise.all(answers);
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('reports each batch’s size to the metrics, by kind', async () => {
    const batcher = createStatementBatcher<string, string>({
      kind: 'metrics_probe',
      slots: 1,
      maxSize: 10,
      run: async (inputs) => inputs,
    });
    await Promise.all(['a', 'b', 'c'].map((input) => batcher.submit(input)));
    const text = await metricsRegistry.getSingleMetricAsString('alliance_statement_batch_size');
    expect(text).toContain('alliance_statement_batch_size_count{kind="metrics_probe"} 1');
    expect(text).toContain('alliance_statement_batch_size_sum{kind="metrics_probe"} 3');
  });

  it('runs a batch of one, a call left alone and a batch refused as a whole through the one-call statement', async () => {
    const statements: string[][] = [];
    const batcher = createStatementBatcher<string, string>({
      kind: 'test',
      slots: 1,
      maxSize: 10,
      run: async (inputs) => {
        statements.push(inputs);
        if (inputs.includes('refused')) throw new Error('refused');
        return inputs.map((input) => (input === 'late' ? alone : `${input} together`));
      },
      runAlone: async (input) => `${input} alone`,
      aloneAfter: (error) => (error as Error).message === 'refused',
    });
    expect(await batcher.submit('single')).toBe('single alone');
    expect(await Promise.all(['a', 'late', 'b'].map((input) => batcher.submit(input)))).toEqual([
      'a together',
      'late alone',
      'b together',
    ]);
    expect(await Promise.all(['c', 'refused'].map((input) => batcher.submit(input)))).toEqual([
      'c alone',
      'refused alone',
    ]);
    expect(statements).toEqual([
      ['a', 'late', 'b'],
      ['c', 'refused'],
    ]);
  });
});
