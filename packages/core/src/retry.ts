import type { Outcome } from './outcome.js';

// When the next attempt happens. The schedule is the contract's list of delays; each delay gets
// ±20 % jitter so a burst of failures does not come back as a burst of retries.
export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000;
const JITTER = 0.2;

/** Attempts a delivery gets from the schedule: the first one, then one per delay. */
export const scheduledAttempts = (schedule: readonly number[]): number => schedule.length + 1;

/** Attempts its job may still make (BullMQ's `attempts`): what the row allows less what it made. */
export const attemptsLeft = (row: { maxAttempts: number; attemptCount: number }): number => row.maxAttempts - row.attemptCount;

export function jittered(delayMs: number, random: () => number = Math.random): number {
  return Math.round(delayMs * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * Delay before attempt `attemptNo + 1`, after `attemptNo` attempts have been made (1-based), or null
 * when the schedule is exhausted. A receiver's Retry-After is honoured as a floor, capped at an hour.
 */
export function nextRetryDelay(
  schedule: readonly number[],
  attemptNo: number,
  retryAfterMs: number | null = null,
  random: () => number = Math.random,
): number | null {
  const base = schedule[attemptNo - 1];
  if (base === undefined) return null;
  const delay = jittered(base, random);
  if (retryAfterMs === null) return delay;
  return Math.max(delay, Math.min(retryAfterMs, RETRY_AFTER_CAP_MS));
}

/** Retry-After is either delta-seconds or an HTTP date. Returns ms from `now`, or null if absent/invalid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only an IMF-fixdate (RFC 9110): Date.parse would otherwise guess dates from loose text.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

export type NextStep =
  | { status: 'succeeded' }
  | { status: 'failed'; gone: boolean }
  | { status: 'pending'; delayMs: number };

/**
 * What happens after attempt `attemptNo` of `maxAttempts` with this outcome. Retry-After counts only
 * on throttling answers (429/503 carry it in practice). Redeliveries can push `attemptNo` past the
 * schedule; they reuse its last delay.
 */
export function nextStep(
  outcome: Outcome,
  attemptNo: number,
  maxAttempts: number,
  schedule: readonly number[],
  retryAfterMs: number | null,
  random: () => number = Math.random,
): NextStep {
  switch (outcome.kind) {
    case 'success':
      return { status: 'succeeded' };
    case 'gone':
      return { status: 'failed', gone: true };
    case 'permanent':
      return { status: 'failed', gone: false };
    case 'retry':
    case 'throttle': {
      if (attemptNo >= maxAttempts) return { status: 'failed', gone: false };
      const index = Math.min(attemptNo, schedule.length);
      const delayMs = nextRetryDelay(schedule, index, outcome.kind === 'throttle' ? retryAfterMs : null, random);
      return delayMs === null ? { status: 'failed', gone: false } : { status: 'pending', delayMs };
    }
  }
}
