// Human durations used by the configuration: `5s`, `5m`, `2h`, `5d`, `250ms`, or a bare number of seconds.
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 500ms, 5s, 5m, 2h, 5d)`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 's']!);
}

/** `5s,5m,30m` -> delays in ms; its length + 1 is the number of attempts. */
export function parseRetrySchedule(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('the retry schedule needs at least one delay');
  return parts.map(parseDuration);
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

export function parseByteSize(text: string): number {
  const match = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(text);
  if (!match) throw new Error(`"${text}" is not a size (use e.g. 256kb, 1mb)`);
  return Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!;
}
