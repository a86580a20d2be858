import { describe, expect, it } from '@jest/globals';
import { TurnBatcher } from './turn-batcher.js';

describe('TurnBatcher', () => {
  it('hands the items added in one turn to one call, in order, and each caller its own result', async () => {
    const calls: number[][] = [];
    const batcher = new TurnBatcher(async (items: number[]) => {
      calls.push(items);
      return items.map((i) => i * 10);
    }, { maxBatch: 2 });
    const results = await Promise.all([1, 2, 3].map((i) => batcher.add(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(calls).toEqual([[1, 2], [3]]);
    expect(await batcher.add(4)).toBe(40);
    expect(calls).toHaveLength(3);
  });

  it('fails every caller of a failed batch, or, when retrySingly accepts the error, only the items that fail alone', async () => {
    const run = async (items: number[]) => {
      if (items.includes(2)) throw new Error(`bad batch ${items.join(',')}`);
      return items;
    };
    const strict = new TurnBatcher(run, { maxBatch: 10, retrySingly: () => false });
    expect((await Promise.allSettled([1, 2, 3].map((i) => strict.add(i)))).map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const lenient = new TurnBatcher(run, { maxBatch: 10, retrySingly: () => true });
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => lenient.add(i)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('bad batch 2'));
  });
});
