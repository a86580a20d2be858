// Custom headers of outbound webhooks are secrets (an Authorization token, an API key): sealed at
// rest as one JSON value, and everywhere else (reads, stored attempts) shown as names with masked
// values. The same rule is written in SQL in migration 0004 (masking what was stored before): keep
// the two alike.

export type HeaderMap = Record<string, string>;

export const HEADER_MASK = '••••••••';
/** A value shows its last 4 characters only from this length on: 4 of a short value is most of it. */
const REVEAL_FROM_LENGTH = 20;
const REVEALED = 4;

/** `••••••••oken` for a long value, `••••••••` for a short one. Characters are code points, as in SQL. */
export function maskHeaderValue(value: string): string {
  const chars = Array.from(value);
  return chars.length >= REVEAL_FROM_LENGTH ? HEADER_MASK + chars.slice(-REVEALED).join('') : HEADER_MASK;
}

export function maskHeaders(headers: HeaderMap): HeaderMap {
  const masked: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) masked[name] = maskHeaderValue(value);
  return masked;
}

/** A value as reads show it: sending it back would store the mask as the header's value. */
export function isMaskedHeaderValue(value: string): boolean {
  return value.includes(HEADER_MASK[0]!);
}

/** The plaintext that gets sealed: the map as JSON (NULL in the row when there are no custom headers). */
export function headersPlaintext(headers: HeaderMap): string | null {
  return Object.keys(headers).length === 0 ? null : JSON.stringify(headers);
}

export function parseHeadersPlaintext(plaintext: string): HeaderMap {
  const value: unknown = JSON.parse(plaintext);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('sealed custom headers are not a header map');
  for (const item of Object.values(value)) if (typeof item !== 'string') throw new Error('sealed custom headers are not a header map');
  return value as HeaderMap;
}
