import { UsageError } from './command.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `3600`, `30m`, `24h`, `7d` → seconds. */
export function parseSeconds(text: string | boolean | undefined, option: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${option}: expected e.g. 3600, 30m, 24h or 7d, got "${text}"`);
  return Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as keyof typeof UNIT_SECONDS];
}

/** A point in time: an ISO time as it is, or `2h` meaning two hours ago. */
export function parseTime(text: string | boolean | undefined, option: string, now = Date.now()): string | undefined {
  if (typeof text !== 'string') return undefined;
  if (/^\d+(s|m|h|d)$/.test(text.trim())) return new Date(now - parseSeconds(text, option)! * 1000).toISOString();
  if (Number.isNaN(Date.parse(text))) throw new UsageError(`--${option}: expected an ISO time or a duration ago such as 2h, got "${text}"`);
  return text;
}
