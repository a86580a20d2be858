// Plain-text tables and times for people reading a terminal.

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  /** Longest width before the value is cut with "…" (default: no limit). */
  max?: number;
}

const cell = (value: string | number | null | undefined, max?: number) => {
  const text = value === null || value === undefined || value === '' ? '-' : String(value);
  return max !== undefined && text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

export function formatTable<T>(rows: readonly T[], columns: Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row), column.max)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

/** "12s ago", "3h ago", "in 5m" (and the ISO time when it is older than a week). */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const delta = now - Date.parse(iso);
  const future = delta < 0;
  const seconds = Math.round(Math.abs(delta) / 1000);
  if (seconds > 7 * 86_400) return iso;
  const text = seconds < 60 ? `${seconds}s` : seconds < 3600 ? `${Math.round(seconds / 60)}m` : seconds < 86_400 ? `${Math.round(seconds / 3600)}h` : `${Math.round(seconds / 86_400)}d`;
  return future ? `in ${text}` : `${text} ago`;
}

export const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '-' : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}%`);
export const millis = (ms: number | null | undefined) => (ms === null || ms === undefined ? '-' : `${Math.round(ms)} ms`);

/** What an attempt came to: `200`, `500`, or the network error. */
export const outcomeOf = (attempt: { statusCode: number | null; error: string | null } | null) =>
  attempt ? (attempt.statusCode !== null ? String(attempt.statusCode) : (attempt.error ?? '-')) : '-';
