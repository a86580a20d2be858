import { describe, expect, it } from '@jest/globals';
import { idBoundsAt, ID_PREFIXES, idTime, newId, type IdKind } from './ids.js';

const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('newId', () => {
  it.each([
    ['workspace', 'ws'],
    ['apiKey', 'key'],
    ['link', 'link'],
    ['workspaceWebhook', 'wh'],
    ['linkWebhook', 'lwh'],
    ['outboundWebhook', 'obw'],
    ['event', 'evt'],
    ['delivery', 'dlv'],
    ['attempt', 'att'],
    ['replay', 'rpl'],
    ['request', 'req'],
  ] as [IdKind, string][])('prefixes a %s id with %s_', (kind, prefix) => {
    const id = newId(kind);
    expect(id.startsWith(`${prefix}_`)).toBe(true);
  });

  it('covers every kind in ID_PREFIXES', () => {
    expect(Object.keys(ID_PREFIXES).sort()).toEqual(
      ['apiKey', 'attempt', 'delivery', 'event', 'link', 'linkWebhook', 'outboundWebhook', 'replay', 'request', 'workspace', 'workspaceWebhook'].sort(),
    );
  });

  it('is the prefix, an underscore and 26 Crockford base32 characters', () => {
    for (const kind of Object.keys(ID_PREFIXES) as IdKind[]) {
      const id = newId(kind);
      const [prefix, body] = id.split('_');
      expect(prefix).toBe(ID_PREFIXES[kind]);
      expect(body).toMatch(CROCKFORD);
      expect(id).toHaveLength(ID_PREFIXES[kind].length + 1 + 26);
    }
  });

  it('sorts by creation time as plain strings', () => {
    const times = [0, 1, 31, 32, 1_000, 1_714_564_800_000, 1_714_564_800_001, 1_714_564_801_000, 4_102_444_800_000];
    const ids = times.map((t) => newId('event', t));
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! < ids[i]!).toBe(true);
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('sorts by time even when the later id has the smallest random part', () => {
    for (let i = 0; i < 200; i++) {
      const t = 1_714_564_800_000 + i;
      expect(newId('delivery', t) < newId('delivery', t + 1)).toBe(true);
    }
  });

  it('encodes the time in the first 10 characters', () => {
    const a = newId('event', 1_714_564_800_000).slice(4, 14);
    const b = newId('event', 1_714_564_800_000).slice(4, 14);
    expect(a).toBe(b);
    expect(newId('event', 0).slice(4, 14)).toBe('0000000000');
  });

  it('is unique over 10,000 ids made in the same millisecond', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('event', now)));
    expect(ids.size).toBe(10_000);
  });
});

describe('idBoundsAt', () => {
  it('brackets every id made in that millisecond and none made in the next or the previous one', () => {
    const t = 1_714_564_800_123;
    const { lowest, highest } = idBoundsAt('delivery', t);
    for (let i = 0; i < 100; i++) {
      const id = newId('delivery', t);
      expect(id >= lowest && id <= highest).toBe(true);
    }
    expect(newId('delivery', t - 1) < lowest).toBe(true);
    expect(newId('delivery', t + 1) > highest).toBe(true);
    expect(lowest.startsWith('dlv_')).toBe(true);
  });
});

describe('idTime', () => {
  it('reads back the millisecond an id was made at', () => {
    for (const ms of [0, 1, 1_764_000_000_123, 2 ** 48 - 1]) expect(idTime(newId('event', ms))).toBe(ms);
  });

  it('is undefined for what is not one of our ids', () => {
    expect(idTime('evt_')).toBeUndefined();
    expect(idTime('nothing')).toBeUndefined();
    expect(idTime('evt_01ILOU0000')).toBeUndefined();
  });
});
