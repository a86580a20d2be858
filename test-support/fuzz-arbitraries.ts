import fc from 'fast-check';

// Route-independent building blocks for the API fuzz test (apps/api/test/fuzz.int.test.ts):
// hostile JSON values, malformed JSON text, path segments, query strings and header values.
// Everything here is plain data (no request is built), so counterexamples print small and replay
// from the seed. Big inputs (bodies near the size limit, deep nesting) are described, not built:
// `materialize` in the test turns the description into bytes at send time.

/** Object keys that have a meaning to JavaScript, to Mongo-like filters or to nobody. */
export const DANGEROUS_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '$where',
  '$gt',
  '$and',
  '',
  ' ',
  'a.b',
  '0',
] as const;

/** Characters that break naive code: controls, bidi, BOM, line/paragraph separators, a lone surrogate. NUL is separate. */
const NASTY_CHARS = ['\u0001', '\u001f', '\u007f', '\t', '\r\n', '\u2028', '\u2029', '\u202e', '\ufeff', '\ud800', '\udfff', '\u{1f600}', 'é', '\u0301', '"', '\\', "'", '<', '%', '%00'];

/** A string unit: printable graphemes, any Latin-1 character but NUL, or a nasty one. */
const unitNoNul = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }).filter((c) => c !== '\u0000') },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY_CHARS) },
);

/** Strings without NUL (NUL has its own property: Postgres cannot store it). */
export const nastyString = (maxLength = 24) => fc.string({ unit: unitNoNul, maxLength });

/** A string that certainly holds a NUL character somewhere. */
export const nulString = fc.tuple(nastyString(8), nastyString(8)).map(([a, b]) => `${a}\u0000${b}`);

const nastyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1e21, -1e21, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 1e-320, 604_801, 86_400.5),
);

/** Any JSON value (no NUL in strings), with dangerous keys mixed into objects. */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    nastyNumber,
    nastyString(),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc
    .array(fc.tuple(fc.oneof(nastyString(10), fc.constantFrom(...DANGEROUS_KEYS)), tie('value')), { maxLength: 5 })
    .map((entries) => ownObject(entries)),
})).value;

/**
 * Builds an object whose keys are all own enumerable properties, `__proto__` included (a literal or
 * `obj[k] = v` would set the prototype instead), so that JSON.stringify sends every key.
 */
export function ownObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** JSON text that JSON.parse refuses (checked), from a few families of mistakes. */
export const malformedJsonText = fc
  .oneof(
    fc.constantFrom(
      '{',
      '{"url": ',
      '{"a":1,}',
      "{'a':1}",
      '{"a":NaN}',
      '{"a":Infinity}',
      '{"a":undefined}',
      '{a:1}',
      '{"a":1}{"b":2}',
      '{"a":1} x',
      '[1,2',
      '{"a":"\u0001"}',
      '{"a":"\\x41"}',
      '{"a":"\\u12"}',
      '{"a":01}',
      '{"a":1 /* c */}',
      '// c\n{}',
      '\u0000{}',
      '{}\u0000',
      '{"__proto__":',
      'null garbage',
      '\ufeff\ufeff{}',
    ),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    fc.tuple(jsonValue, fc.nat()).map(([v, cut]) => {
      const text = JSON.stringify({ v });
      return text.slice(0, 1 + (cut % (text.length - 1)));
    }),
  )
  .filter((text) => {
    try {
      JSON.parse(text.replace(/^\ufeff/, ''));
      return false;
    } catch {
      return true;
    }
  });

/** Content types: JSON spellings that must parse, and others that must be refused. */
export const JSON_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.dispatch+json', 'application/json;charset=UTF-8'] as const;
export const OTHER_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'text/json',
  'application/jsonx',
  'application/octet-stream',
] as const;
/** Neither clearly JSON nor clearly not: the server may do either, so only "some 4xx" is expected. */
export const ODD_CONTENT_TYPES = ['application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json;;;', '', '*/*', 'application/*'] as const;
export type ContentTypeChoice = { kind: 'json' | 'other' | 'odd' | 'none'; value?: string };
export const contentType: fc.Arbitrary<ContentTypeChoice> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...JSON_CONTENT_TYPES).map((value) => ({ kind: 'json' as const, value })) },
  { weight: 1, arbitrary: fc.constantFrom(...OTHER_CONTENT_TYPES).map((value) => ({ kind: 'other' as const, value })) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD_CONTENT_TYPES).map((value) => ({ kind: 'odd' as const, value })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
);

// Characters that may stand raw in a path segment; everything else is percent-encoded (valid UTF-8).
const SEGMENT_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;
export const encodeSegment = (text: string) => Array.from(text, (c) => (SEGMENT_SAFE.test(c) ? c : encodeChar(c))).join('');

/** encodeURIComponent for any string (a lone surrogate is sent as U+FFFD). */
export const encodeComponent = (text: string) => Array.from(text, encodeChar).join('');

/** encodeURIComponent, except that a lone surrogate (which it refuses) is sent as U+FFFD. */
function encodeChar(c: string): string {
  try {
    return encodeURIComponent(c);
  } catch {
    return '%EF%BF%BD';
  }
}

const ID_PREFIXES = ['ws_', 'key_', 'link_', 'wh_', 'lwh_', 'obw_', 'evt_', 'dlv_', 'att_', 'rpl_', 'req_', 'dsp_'] as const;

/**
 * A path segment that is not an id of the caller's workspace, already encoded for the request line:
 * ids of the right shape, unicode, very long, dot segments, encoded slashes and friends.
 * Never NUL and never a malformed percent escape (each has its own property).
 */
export const garbageSegment: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...ID_PREFIXES), fc.ulid()).map(([p, u]) => p + u),
  fc.ulid(),
  nastyString(30).filter((s) => s.length > 0).map(encodeSegment),
  fc.constantFrom('..', '.', '%2e%2e', '%2E', '..%2F..', '%2F', '%5C', '~', '*', '%20', '+', 'null', 'undefined', '0', '-1', 'NaN', '%5Bobject%20Object%5D', '__proto__', 'constructor', 'prototype', '%3Cscript%3E', "'%20OR%201=1--", '%25', '%2500', '%C3%A9', '%F0%9F%98%80'),
  // Long, but the request line and headers stay under Node's 16 KiB header limit (above it Node's
  // HTTP parser answers 431 before the app sees anything).
  fc.constantFrom(99, 100, 101, 300, 1000).chain((n) => fc.constantFrom('a', 'é', '%25', '9').map((c) => (c === 'é' ? encodeSegment(c.repeat(Math.min(n, 300))) : c.repeat(n)))),
);

/** A path segment holding a malformed or non-UTF-8 percent escape (decodeURIComponent throws on it). */
export const malformedEscapeSegment = fc
  .tuple(fc.constantFrom('%', '%G1', '%zz', '%E0%A4', '%FF', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%e9', '%%', '%1'), fc.ulid(), fc.boolean())
  .map(([bad, id, prefix]) => (prefix ? bad + id : `${id}${bad}`));

// Query strings: repeated keys, arrays, numbers out of range, invalid dates, unknown keys, and
// the encodings `querystring` tolerates (a stray % is kept, + is a space).
const queryNumber = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom('-1', '0', '1', '100', '101', 'NaN', 'Infinity', '-Infinity', '1e400', '1e2', '0x10', '0b1', '1.5', ' 5', '007', '', '9'.repeat(30), '1,2', '[1]', 'true', 'null'),
);
export const queryDate = fc.oneof(
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2024-13-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01',
    '2024-01-01T00:00:00',
    '2024-01-01 00:00:00Z',
    '2024-01-01T00:00:00+25:00',
    '2024-01-01T00:00:00.123456789Z',
    '9999-12-31T23:59:59+14:00',
    '1970-01-01T00:00:00-12:00',
    'yesterday',
    'Invalid Date',
    '1700000000',
    '+275760-09-13T00:00:00Z',
    '-000001-01-01T00:00:00Z',
  ),
);
/**
 * ISO datetimes in year 0000 or 0001 (with offsets that cross into year 0): well-formed for zod,
 * out of range for Postgres. Kept apart from `queryDate`: see the out-of-range property.
 */
export const yearZeroDate = fc.constantFrom('0000-01-01T00:00:00Z', '0000-06-15T12:00:00.000Z', '0001-01-01T00:00:00+01:00', '0001-01-01T00:30:00+14:00', '0000-12-31T23:59:59-12:00');

export const QUERY_KEYS = ['limit', 'cursor', 'status', 'event', 'since', 'until'] as const;
const queryKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...QUERY_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...QUERY_KEYS).map((k) => `${k}[]`) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'a[b]', 'limit[0]', 'LIMIT', 'x', '', 'toString', '__proto__[limit]') },
  { weight: 1, arbitrary: nastyString(8) },
);
const queryValue = (key: string) => {
  const base = key.replace(/\[.*$/, '');
  const specific =
    base === 'limit'
      ? queryNumber
      : base === 'since' || base === 'until'
        ? queryDate
        : base === 'status'
          ? fc.constantFrom('pending', 'succeeded', 'failed', 'cancelled', 'PENDING', 'all', '', 'in_flight')
          : base === 'event'
            ? fc.constantFrom('lead.created', 'sale.created', 'lead.*', 'Lead.Created', 'unknown.type', '')
            : base === 'cursor'
              ? fc.oneof(fc.ulid().map((u) => `dlv_${u}`), nastyString(20), fc.constantFrom('z'.repeat(101), '', 'wh_', "' OR 1=1"))
              : nastyString(12);
  return fc.oneof({ weight: 4, arbitrary: specific }, { weight: 1, arbitrary: nastyString(16) });
};
const queryPair = queryKey.chain((key) => fc.tuple(fc.constant(key), queryValue(key), fc.constantFrom('encoded', 'encoded', 'raw-ish')));

/** A query string (without `?`), including repeated keys and the odd `&&=x` and a stray `%`. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.array(queryPair, { maxLength: 6 }).map((pairs) => pairs.map(([k, v, style]) => `${encodeQueryPart(k, style)}=${encodeQueryPart(v, style)}`).join('&')) },
  { weight: 1, arbitrary: fc.constantFrom('', '&&&', '=x', 'limit', 'limit=1=2', 'limit=1&limit=2', 'limit=%', 'limit=%zz', 'cursor=%E0%A4%A', 'since=%FF', '%=%', '&limit=5&&cursor=') },
);
function encodeQueryPart(text: string, style: string): string {
  if (style === 'encoded') return Array.from(text, encodeChar).join('');
  // Raw-ish: keep what a request line may carry, encode the rest, so `+` and a stray `%` stand raw.
  // A `%` that would form an escape is encoded: `%00` must not turn into NUL here (NUL has its own property).
  const chars = Array.from(text);
  return chars
    .map((c, i) => {
      if (c === '%') return /^[0-9A-Fa-f]{2}$/.test(chars.slice(i + 1, i + 3).join('')) ? '%25' : c;
      return /^[A-Za-z0-9\-._~!$'()*,;:@+/?]$/.test(c) ? c : encodeChar(c);
    })
    .join('');
}

/** A header value Node will put on the wire (visible Latin-1 and tabs, no CR/LF/NUL), possibly long. */
export const headerValue = (maxLength = 64) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\t', 'é', '\u00ff', '\u0080'), maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(1000)) },
  );

/** Random extra headers that must change nothing: request ids, idempotency keys, forwarding, accept. */
export const extraHeaders = fc.record(
  {
    'idempotency-key': headerValue(300),
    'x-request-id': fc.oneof(headerValue(40), fc.constant('req_01HXXXXXXXXXXXXXXXXXXXXXXX')),
    accept: fc.constantFrom('*/*', 'text/html', 'application/xml', '', 'application/json;q=0'),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', '*'),
    'x-forwarded-for': fc.constantFrom('127.0.0.1', '10.0.0.1, 1.2.3.4', 'garbage'),
    'x-http-method-override': fc.constantFrom('DELETE', 'PUT', 'PATCH'),
    'user-agent': headerValue(40),
  },
  { requiredKeys: [] },
);
