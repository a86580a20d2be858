import { describe, expect, it } from '@jest/globals';
import { SecretBox } from '@dispatch/core';
import { SecretCache } from './secret-cache.js';

describe('SecretCache', () => {
  const box = new SecretBox('a test encryption key, long enough');
  /** The box, counting how often it is asked to open a value. */
  const countingBox = () => {
    const counter = { opened: 0, box };
    counter.box = Object.assign(Object.create(box) as SecretBox, {
      open: (sealed: string) => {
        counter.opened++;
        return box.open(sealed);
      },
    });
    return counter;
  };

  it('opens each sealed secret once until it expires, and a new sealed value at once', () => {
    let now = 0;
    const counting = countingBox();
    const cache = new SecretCache(counting.box, () => now);
    const first = box.seal('whsec_first');
    expect(cache.open(first)).toBe('whsec_first');
    expect(cache.open(first)).toBe('whsec_first');
    expect(counting.opened).toBe(1);
    // A rotation seals a new value: it is opened, never answered from the old entry.
    expect(cache.open(box.seal('whsec_second'))).toBe('whsec_second');
    expect(counting.opened).toBe(2);
    now += 61_000;
    expect(cache.open(first)).toBe('whsec_first');
    expect(counting.opened).toBe(3);
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
    const counting = countingBox();
    const cache = new SecretCache(counting.box);
    const sealed = box.seal(JSON.stringify({ Authorization: 'Bearer 0123456789abcdef-token', 'X-Team': 'growth' }));
    const headers = cache.headers(sealed);
    expect(headers.sent).toEqual({ Authorization: 'Bearer 0123456789abcdef-token', 'X-Team': 'growth' });
    expect(headers.stored).toEqual({ Authorization: '••••••••oken', 'X-Team': '••••••••' });
    expect(cache.headers(sealed)).toBe(headers);
    expect(counting.opened).toBe(1);
  });

  it('refuses sealed headers that are not a header map', () => {
    const cache = new SecretCache(box);
    expect(() => cache.headers(box.seal('["x"]'))).toThrow('not a header map');
    expect(() => cache.headers(box.seal('{"a":1}'))).toThrow('not a header map');
  });
});
