// How values read on screen. Times are UTC, as the API gives them and as logs show them.

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const text = s < 60 ? `${s}s` : s < 3600 ? `${Math.round(s / 60)}m` : s < 86_400 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`;
  return future ? `in ${text}` : `${text} ago`;
}

export const ms = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${Math.round(value)} ms`);

export const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(rate >= 0.995 || rate === 0 ? 0 : 1)} %`);

export function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  return count < 1024 * 1024 ? `${(count / 1024).toFixed(1)} KiB` : `${(count / 1024 / 1024).toFixed(1)} MiB`;
}

export const byteLength = (text: string) => new TextEncoder().encode(text).length;

/** `datetime-local` input value (local time, minutes) for a date. */
export function toLocalInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

/** A `datetime-local` value as the API's ISO time, or undefined when empty. */
export const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : undefined);

// Header values that authenticate somebody. The API already masks custom headers; this also
// covers a receiver's `set-cookie` and the like in response headers.
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$|secret|token|password/i;

export function maskHeader(name: string, value: string): string {
  if (!SECRET_HEADER.test(name) || value.includes('•')) return value;
  return `••••••••${value.length > 12 ? value.slice(-4) : ''}`;
}
