import { describe, expect, it } from 'vitest';
import { createStatementBatcher } from './statement-batcher.ts';

/** A batcher whose runs wait until released, recording each batch it was given. */
function recording(options: { slots: number; maxSize: number; apart?: (input: string) => string[] }) {
  const batches: string[][] = [];
  const releases: Array<() => void> = [];
  const batcher = createStatementBatcher<string, string>({
    ...options,
    run: async (inputs) => {
      batches.push(inputs);
      await new Promise<void>((resolve) => releases.push(resolve));
      return inputs.map((input) =>
        input.startsWith('bad') ? { failed: new Error(input) } : { value: `${input}!` },
      );
    },
  });
  const releaseAll = async () => {
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { batcher, batches, releaseAll };
}

describe('the statement batcher', () => {
  it('runs a call at once when a slot is free, and gathers the calls that arrive meanwhile', async () => {
    const { batcher, batches, releaseAll } = recording({ slots: 1, maxSize: 3 });
    const answers = ['a', 'b', 'c', 'd', 'e'].map((input) => batcher.submit(input));
    expect(batches).toEqual([['a']]);
    await releaseAll();
    expect(await Promise.all(answers)).toEqual(['a!', 'b!', 'c!', 'd!', 'e!']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  });

  it('keeps calls that share a key apart, in their order', async () => {
    const { batcher, batches, releaseAll } = recording({
      slots: 1,
      maxSize: 10,
      apart: (input) => [input.slice(0, 1)],
    });
    const answers = ['x0', 'x1', 'y1', 'x2', 'z1'].map((input) => batcher.submit(input));
    await releaseAll();
    await Promise.all(answers);
    expect(batches).toEqual([['x0'], ['x1', 'y1', 'z1'], ['x2']]);
  });

  it('fails only the calls whose result failed, and every call of a batch whose run threw', async () => {
    const { batcher, releaseAll } = recording({ slots: 2, maxSize: 10 });
    const good = batcher.submit('good');
    const bad = batcher.submit('bad one').catch((error: Error) => error.message);
    await releaseAll();
    await expect(good).resolves.toBe('good!');
    expect(await bad).toBe('bad one');
    let runs = 0;
    const throwing = createStatementBatcher<string, string>({
      slots: 1,
      maxSize: 10,
      run: async (inputs) => {
        runs += 1;
        if (runs === 1) throw new Error('database gone');
        return inputs.map((input) => ({ value: input }));
      },
    });
    const first = throwing.submit('a');
    const second = throwing.submit('b');
    await expect(first).rejects.toThrow('database gone');
    // The batcher carries on after a run that threw: the next batch has its own outcome.
    await expect(second).resolves.toBe('b');
  });

  it('uses every slot before it gathers', async () => {
    const { batcher, batches, releaseAll } = recording({ slots: 2, maxSize: 10 });
    const answers = ['a', 'b', 'c', 'd'].map((input) => batcher.submit(input));
    expect(batches).toEqual([['a'], ['b']]);
    await releaseAll();
    await Promise.all(answers);
    expect(batches).toEqual([['a'], ['b'], ['c', 'd']]);
  });
});
