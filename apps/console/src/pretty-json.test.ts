import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isJson, prettyJson } from './pretty-json';

// The console shows the signed payload indented; what it shows must be the same bytes, only with
// whitespace outside strings changed.

const withoutLayout = (text: string) => {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      out += char;
      if (char === '\\') out += text[++i];
      else if (char === '"') inString = false;
    } else if (!/\s/.test(char)) {
      out += char;
      if (char === '"') inString = true;
    }
  }
  return out;
};

describe('prettyJson', () => {
  it('indents without rewriting values: numbers, escapes and key order stay as signed', () => {
    const raw = '{"b":1.0,"a":[12345678901234567890,-0,1e3],"s":"x\\"y\\\\","e":{},"l":[],"u":"\\u00e9 : , { ["}';
    expect(prettyJson(raw)).toBe(
      '{\n  "b": 1.0,\n  "a": [\n    12345678901234567890,\n    -0,\n    1e3\n  ],\n  "s": "x\\"y\\\\",\n  "e": {},\n  "l": [],\n  "u": "\\u00e9 : , { ["\n}',
    );
  });

  it('changes nothing but whitespace outside strings, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const raw = JSON.stringify(value);
        const pretty = prettyJson(raw);
        expect(withoutLayout(pretty)).toBe(raw);
        expect(JSON.parse(pretty)).toEqual(JSON.parse(raw));
      }),
    );
  });

  it('tells JSON from other text', () => {
    expect(isJson('{"ok":true}')).toBe(true);
    expect(isJson('ok')).toBe(false);
  });
});
