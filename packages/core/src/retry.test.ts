import { describe, expect, it } from '@jest/globals';
import { parseByteSize, parseDuration, parseRetrySchedule } from './durations.js';
import type { Outcome } from './outcome.js';
import { jittered, nextRetryDelay, nextStep, parseRetryAfter, RETRY_AFTER_CAP_MS } from './retry.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DEFAULT_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';
const schedule = parseRetrySchedule(DEFAULT_SCHEDULE);
const maxAttempts = schedule.length + 1;
const noJitter = () => 0.5;

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5 * SECOND],
    ['5m', 5 * MINUTE],
    ['2h', 2 * HOUR],
    ['5d', 5 * 24 * HOUR],
    ['15', 15 * SECOND],
    ['0', 0],
    ['1.5s', 1500],
    [' 30m ', 30 * MINUTE],
    ['10 h', 10 * HOUR],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '5x', '-5s', '5 s s', 's5', '1e3', '5,5s'])('%j throws a readable message', (text) => {
    expect(() => parseDuration(text)).toThrow(`"${text}" is not a duration`);
  });
});

describe('parseRetrySchedule', () => {
  it('parses the default schedule to 7 delays, hence 8 attempts', () => {
    expect(schedule).toEqual([5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]);
    expect(maxAttempts).toBe(8);
  });

  it('tolerates spaces and a trailing comma', () => {
    expect(parseRetrySchedule(' 1s , 2m ,')).toEqual([SECOND, 2 * MINUTE]);
  });

  it.each(['', ' , , '])('rejects an empty schedule %j', (text) => {
    expect(() => parseRetrySchedule(text)).toThrow('the retry schedule needs at least one delay');
  });

  it('names the bad entry', () => {
    expect(() => parseRetrySchedule('5s,later,1h')).toThrow('"later" is not a duration');
  });
});

describe('parseByteSize', () => {
  it.each([
    ['256kb', 256 * 1024],
    ['1mb', 1024 * 1024],
    ['1MB', 1024 * 1024],
    ['512b', 512],
    ['100', 100],
    [' 32 KB ', 32 * 1024],
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'big', '1gb', '1.5mb', '-1kb'])('%j throws a readable message', (text) => {
    expect(() => parseByteSize(text)).toThrow(`"${text}" is not a size`);
  });
});

describe('jittered', () => {
  it('stays within ±20 % of the delay', () => {
    expect(jittered(10_000, () => 0)).toBe(8_000);
    expect(jittered(10_000, () => 0.5)).toBe(10_000);
    expect(jittered(10_000, () => 1)).toBe(12_000);
  });

  it('stays within bounds with the real random source', () => {
    for (let i = 0; i < 1000; i++) {
      const delay = jittered(HOUR);
      expect(delay).toBeGreaterThanOrEqual(0.8 * HOUR);
      expect(delay).toBeLessThanOrEqual(1.2 * HOUR);
    }
  });

  it('returns whole milliseconds', () => {
    expect(Number.isInteger(jittered(5_001, () => 0.123))).toBe(true);
  });
});

describe('nextRetryDelay', () => {
  it('uses the schedule entry for the attempt just made (1-based)', () => {
    expect(nextRetryDelay(schedule, 1, null, noJitter)).toBe(5 * SECOND);
    expect(nextRetryDelay(schedule, 2, null, noJitter)).toBe(5 * MINUTE);
    expect(nextRetryDelay(schedule, 7, null, noJitter)).toBe(10 * HOUR);
  });

  it('is null once the schedule is exhausted', () => {
    expect(nextRetryDelay(schedule, 8, null, noJitter)).toBeNull();
  });

  it('applies jitter to the scheduled delay', () => {
    expect(nextRetryDelay(schedule, 2, null, () => 0)).toBe(4 * MINUTE);
    expect(nextRetryDelay(schedule, 2, null, () => 1)).toBe(6 * MINUTE);
  });

  it('treats Retry-After as a floor', () => {
    expect(nextRetryDelay(schedule, 1, 120 * SECOND, noJitter)).toBe(120 * SECOND);
  });

  it('keeps the scheduled delay when Retry-After is shorter', () => {
    expect(nextRetryDelay(schedule, 3, 10 * SECOND, noJitter)).toBe(30 * MINUTE);
  });

  it('caps Retry-After at one hour', () => {
    expect(RETRY_AFTER_CAP_MS).toBe(HOUR);
    expect(nextRetryDelay(schedule, 1, 24 * HOUR, noJitter)).toBe(HOUR);
  });

  it('caps only the Retry-After floor, never the schedule itself', () => {
    expect(nextRetryDelay(schedule, 6, 24 * HOUR, noJitter)).toBe(10 * HOUR);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120 * SECOND);
    expect(parseRetryAfter(' 7 ', now)).toBe(7 * SECOND);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:01:30 GMT', now)).toBe(90 * SECOND);
  });

  it('treats an HTTP date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', 'soon', 'not a date', '2 minutes', '120s'])('is null for %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });

  it('is null for text that is neither delta-seconds nor an HTTP date, even when Date.parse guesses a date', () => {
    // V8 reads 'in 2030' as 2030-01-01, which would hold a throttled retry for the full hour cap.
    expect(parseRetryAfter('in 2030', now)).toBeNull();
    expect(parseRetryAfter('abc 99', now)).toBeNull();
  });
});

describe('nextStep', () => {
  const success: Outcome = { kind: 'success' };
  const gone: Outcome = { kind: 'gone' };
  const permanent: Outcome = { kind: 'permanent' };
  const retry: Outcome = { kind: 'retry' };
  const throttle: Outcome = { kind: 'throttle' };

  it('succeeds on success', () => {
    expect(nextStep(success, 1, maxAttempts, schedule, null, noJitter)).toEqual({ status: 'succeeded' });
  });

  it('fails and marks the endpoint gone on 410', () => {
    expect(nextStep(gone, 1, maxAttempts, schedule, null, noJitter)).toEqual({ status: 'failed', gone: true });
  });

  it('fails without retrying on a permanent outcome', () => {
    expect(nextStep(permanent, 1, maxAttempts, schedule, null, noJitter)).toEqual({ status: 'failed', gone: false });
  });

  it('schedules a retry on the schedule', () => {
    expect(nextStep(retry, 1, maxAttempts, schedule, null, noJitter)).toEqual({ status: 'pending', delayMs: 5 * SECOND });
    expect(nextStep(retry, 4, maxAttempts, schedule, null, noJitter)).toEqual({ status: 'pending', delayMs: 2 * HOUR });
  });

  it('ignores Retry-After on a plain retry', () => {
    expect(nextStep(retry, 1, maxAttempts, schedule, 30 * MINUTE, noJitter)).toEqual({ status: 'pending', delayMs: 5 * SECOND });
  });

  it('throttles on the schedule without Retry-After', () => {
    expect(nextStep(throttle, 1, maxAttempts, schedule, null, noJitter)).toEqual({ status: 'pending', delayMs: 5 * SECOND });
  });

  it('throttles for at least Retry-After, capped at an hour', () => {
    expect(nextStep(throttle, 1, maxAttempts, schedule, 90 * SECOND, noJitter)).toEqual({ status: 'pending', delayMs: 90 * SECOND });
    expect(nextStep(throttle, 1, maxAttempts, schedule, 5 * HOUR, noJitter)).toEqual({ status: 'pending', delayMs: HOUR });
  });

  it('retries through the whole schedule: attempts 1..7 wait, attempt 8 fails', () => {
    const delays = [];
    for (let attemptNo = 1; attemptNo < maxAttempts; attemptNo++) {
      const step = nextStep(retry, attemptNo, maxAttempts, schedule, null, noJitter);
      expect(step.status).toBe('pending');
      if (step.status === 'pending') delays.push(step.delayMs);
    }
    expect(delays).toEqual(schedule);
  });

  it.each([
    ['retry', retry],
    ['throttle', throttle],
  ] as const)('fails after the last attempt on %s', (_name, outcome) => {
    expect(nextStep(outcome, maxAttempts, maxAttempts, schedule, 10 * SECOND, noJitter)).toEqual({ status: 'failed', gone: false });
    expect(nextStep(outcome, maxAttempts + 3, maxAttempts, schedule, null, noJitter)).toEqual({ status: 'failed', gone: false });
  });

  it('reuses the last delay when a redelivery pushes attemptNo beyond the schedule', () => {
    expect(nextStep(retry, 8, 12, schedule, null, noJitter)).toEqual({ status: 'pending', delayMs: 10 * HOUR });
    expect(nextStep(retry, 11, 12, schedule, null, noJitter)).toEqual({ status: 'pending', delayMs: 10 * HOUR });
  });

  it('ends a success or gone regardless of the attempt number', () => {
    expect(nextStep(success, maxAttempts, maxAttempts, schedule, null, noJitter)).toEqual({ status: 'succeeded' });
    expect(nextStep(gone, maxAttempts, maxAttempts, schedule, null, noJitter)).toEqual({ status: 'failed', gone: true });
  });
});
