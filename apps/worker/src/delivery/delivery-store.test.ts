import { describe, expect, it } from '@jest/globals';
import { SecretBox } from '@dispatch/core';
import { SecretCache } from './delivery-store.js';
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

describe('SecretCache', () => {
  const box = new SecretBox('a test encryption key, long enough');

  it('opens each sealed secret once until it expires, and a new sealed value at once', () => {
    let now = 0;
    let opened = 0;
    const counting = Object.assign(Object.create(box) as SecretBox, {
      open: (sealed: string) => {
        opened++;
        return box.open(sealed);
      },
    });
    const cache = new SecretCache(counting, () => now);
    const first = box.seal('whsec_first');
    expect(cache.open(first)).toBe('whsec_first');
    expect(cache.open(first)).toBe('whsec_first');
    expect(opened).toBe(1);
    // A rotation seals a new value: it is opened, never answered from the old entry.
    expect(cache.open(box.seal('whsec_second'))).toBe('whsec_second');
    expect(opened).toBe(2);
    now += 61_000;
    expect(cache.open(first)).toBe('whsec_first');
    expect(opened).toBe(3);
  });

  it('does not cache what it cannot open', () => {
    const cache = new SecretCache(box);
    expect(() => cache.open('v1.bad.bad.bad')).toThrow();
    expect(cache.size).toBe(0);
  });

  it('drops a rotated-out secret from memory within two TTLs while the worker keeps opening others', () => {
    let now = 0;
    const cache = new SecretCache(box, () => now);
    const old = box.seal('whsec_rotated_out');
    const current = box.seal('whsec_current');
    cache.open(old);
    // The rotation: from now on only the new secret is opened, and it is always in the cache.
    for (; now <= 125_000; now += 1_000) expect(cache.open(current)).toBe('whsec_current');
    expect(cache.size).toBe(1);
  });

  it('opens sealed custom headers once: the values to send and the masked ones to store', () => {
    let opened = 0;
    const counting = Object.assign(Object.create(box) as SecretBox, {
      open: (sealed: string) => {
        opened++;
        return box.open(sealed);
      },
    });
    const cache = new SecretCache(counting);
    const sealed = box.seal(JSON.stringify({ Authorization: 'Bearer 0123456789abcdef-token', 'X-Team': 'growth' }));
    const headers = cache.headers(sealed);
    expect(headers.sent).toEqual({ Authorization: 'Bearer 0123456789abcdef-token', 'X-Team': 'growth' });
    expect(headers.stored).toEqual({ Authorization: '••••••••oken', 'X-Team': '••••••••' });
    expect(cache.headers(sealed)).toBe(headers);
    expect(opened).toBe(1);
  });

  it('refuses sealed headers that are not a header map', () => {
    const cache = new SecretCache(box);
    expect(() => cache.headers(box.seal('["x"]'))).toThrow('not a header map');
    expect(() => cache.headers(box.seal('{"a":1}'))).toThrow('not a header map');
  });
});
