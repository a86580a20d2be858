import type { Logger } from 'pino';

/**
 * How long an answer waits for its jobs to reach Redis. Long enough that in normal operation (a few
 * milliseconds) the jobs exist when the client gets its answer; short enough that a stalled Redis
 * does not hold up answers that Postgres alone decides.
 */
export const ANSWER_WAIT_MS = 100;
/**
 * Jobs handed to Redis and not yet acknowledged, at most. While Redis stalls, its connection stays up
 * and every command written to it waits in memory; past this many jobs no more are sent (the rows
 * are the record: the reconciler queues what is due and has no job).
 */
export const MAX_OUTSTANDING_JOBS = 10_000;
const SKIP_LOG_EVERY_MS = 5_000;

export interface QueueHandoffLimits {
  answerWaitMs: number;
  maxOutstandingJobs: number;
}

/**
 * Hands work to Redis (queueing jobs for rows already committed to Postgres) without letting Redis
 * decide when the caller answers: the caller waits at most `answerWaitMs`, the work goes on in the
 * background, and the work in flight is bounded. Never throws: a failure or a skip is logged, and
 * the reconciler queues what Redis did not get.
 */
export class QueueHandoff {
  private outstanding = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private skipped = 0;
  private skipLoggedAt = 0;

  constructor(
    private readonly redisReady: () => boolean,
    private readonly logger: Logger,
    private readonly limits: QueueHandoffLimits = { answerWaitMs: ANSWER_WAIT_MS, maxOutstandingJobs: MAX_OUTSTANDING_JOBS },
  ) {}

  /** Jobs sent to Redis that it has not answered yet. */
  get outstandingJobs(): number {
    return this.outstanding;
  }

  /** `jobs`: how many jobs `work` adds (its share of the bound). */
  async handOff(jobs: number, work: () => Promise<unknown>): Promise<void> {
    // Redis known to be away: do not even start; the reconciler will queue them.
    if (!this.redisReady() || (this.outstanding > 0 && this.outstanding + jobs > this.limits.maxOutstandingJobs)) {
      this.skip(jobs);
      return;
    }
    this.outstanding += jobs;
    const done = work()
      .catch((error: unknown) => this.logger.warn({ err: error, jobs }, 'queueing failed; the reconciler will queue these deliveries'))
      .finally(() => {
        this.outstanding -= jobs;
        this.inFlight.delete(done);
      });
    this.inFlight.add(done);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.limits.answerWaitMs)))]);
    clearTimeout(timer);
  }

  /** Waits (at most `timeoutMs`) for the work handed off so far, so a shutdown does not drop jobs in flight. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  private skip(jobs: number): void {
    this.skipped += jobs;
    const now = Date.now();
    if (now - this.skipLoggedAt < SKIP_LOG_EVERY_MS) return;
    this.logger.warn(
      { skippedJobs: this.skipped, outstandingJobs: this.outstanding, redisReady: this.redisReady() },
      'Redis unavailable or not keeping up; the reconciler will queue these deliveries',
    );
    this.skipped = 0;
    this.skipLoggedAt = now;
  }
}
