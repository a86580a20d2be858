import { describe, expect, it } from '@jest/globals';
import { HEADER_MASK, headersPlaintext, isMaskedHeaderValue, maskHeaders, maskHeaderValue, parseHeadersPlaintext } from './custom-headers.js';

describe('maskHeaderValue', () => {
  it("shows the contract's example: bullets and the last 4 characters of a long value", () => {
    expect(maskHeaderValue('Bearer sk_live_0123456789token')).toBe('••••••••oken');
  });

  it.each(['', 'abcde', 'Bearer token', 'x'.repeat(19)])('reveals nothing of a value shorter than 20 characters (%j)', (value) => {
    expect(maskHeaderValue(value)).toBe(HEADER_MASK);
  });

  it('reveals the last 4 from 20 characters on, counted in code points as SQL counts them', () => {
    expect(maskHeaderValue('x'.repeat(16) + 'wxyz')).toBe('••••••••wxyz');
    expect(maskHeaderValue('é'.repeat(19))).toBe(HEADER_MASK);
    expect(maskHeaderValue('😀'.repeat(20))).toBe(`${HEADER_MASK}😀😀😀😀`);
  });

  it('masks every value of a map and keeps the names', () => {
    expect(maskHeaders({ Authorization: 'Bearer sk_live_0123456789token', 'X-Team': 'growth' })).toEqual({ Authorization: '••••••••oken', 'X-Team': '••••••••' });
  });

  it('recognises what it produced', () => {
    expect(isMaskedHeaderValue(maskHeaderValue('x'.repeat(30)))).toBe(true);
    expect(isMaskedHeaderValue(HEADER_MASK)).toBe(true);
    expect(isMaskedHeaderValue('Bearer real-token')).toBe(false);
  });
});

describe('sealed header plaintext', () => {
  it('is the JSON of the map, or nothing for no headers', () => {
    expect(headersPlaintext({})).toBeNull();
    expect(parseHeadersPlaintext(headersPlaintext({ A: '1', 'X-B': 'two' })!)).toEqual({ A: '1', 'X-B': 'two' });
  });

  it.each(['[]', 'null', '"x"', '{"a":1}', '{"a":{"b":"c"}}'])('refuses %s as a header map', (text) => {
    expect(() => parseHeadersPlaintext(text)).toThrow('not a header map');
  });
});
