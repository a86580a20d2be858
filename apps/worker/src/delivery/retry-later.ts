/**
 * Thrown by the deliver job when the attempt failed and another is due: BullMQ's custom backoff
 * strategy reads `delayMs` from it, so the schedule (with jitter and Retry-After) is decided once,
 * by the job, and written to the delivery row before BullMQ holds the job back.
 */
export class RetryLaterError extends Error {
  constructor(readonly delayMs: number) {
    super(`attempt failed; retrying in ${delayMs} ms`);
    this.name = 'RetryLaterError';
  }
}

/** Infrastructure failures (Postgres down mid-job) wait this long and do not count as attempts on the row. */
const INFRASTRUCTURE_RETRY_MS = 5_000;

export function backoffStrategy(_attemptsMade: number, _type?: string, error?: Error): number {
  return error instanceof RetryLaterError ? error.delayMs : INFRASTRUCTURE_RETRY_MS;
}
