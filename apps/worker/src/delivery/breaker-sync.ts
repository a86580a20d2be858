import { loggableError } from '@dispatch/core';
import { findDueJobIds, type Database } from '@dispatch/db';
import { PUBLISHED_HOLD_MIN_MS, type EndpointPauses, type Queues } from '@dispatch/queue';
import type { Logger } from 'pino';
import type { EndpointGuard } from './endpoint-guard.js';
import type { PausePublisher } from './pause-publisher.js';

// Each worker's breakers are its own (endpoint-guard.ts), so a success seen by one worker must reach
// the others: the worker that sees it withdraws the endpoint's published pause (endpoint-pauses.ts),
// and every worker reads the published pauses a few times a second and closes its breaker for an
// endpoint whose pause was withdrawn before its end. A pause that merely ended is not a withdrawal:
// the breaker then probes as it always does. Reading the one small hash is the whole cost; nothing
// is pushed between workers, so any store that keeps the pauses will do.

/** How often the published pauses are read: a success closes every worker's breaker within about this. */
export const BREAKER_SYNC_INTERVAL_MS = 250;
/** Held-back jobs brought forward at most per closed breaker (the rest come back when their hold ends). */
const PROMOTE_AT_MOST = 1_000;

export interface BreakerSyncDeps {
  db: Database;
  queues: Queues;
  endpointGuard: EndpointGuard;
  pausePublisher: PausePublisher;
  logger: Logger;
}

export class BreakerSync {
  /** The pauses live at the last read, by endpoint (and workspace key). */
  private known = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private readonly pauses: EndpointPauses;

  constructor(
    private readonly deps: BreakerSyncDeps,
    private readonly intervalMs = BREAKER_SYNC_INTERVAL_MS,
  ) {
    this.pauses = deps.queues.endpointPauses;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reads the published pauses once and closes the breakers whose pause was withdrawn. */
  async poll(now = Date.now()): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const live = await this.pauses.live(now);
      for (const endpointId of this.deps.endpointGuard.tripped()) {
        const until = this.known.get(endpointId);
        if (until === undefined || until <= now || live.has(endpointId)) continue;
        if (!this.deps.endpointGuard.close(endpointId)) continue;
        this.deps.pausePublisher.retract(endpointId);
        this.deps.logger.warn({ endpointId }, 'circuit breaker closed: an attempt succeeded in another worker');
        this.promoteHeldJobs(endpointId);
      }
      this.known = live;
    } catch (err) {
      // A hint only: unread, the breakers close by their own probes as before.
      this.deps.logger.debug({ err: loggableError(err) }, 'could not read the endpoint pauses');
    } finally {
      this.reading = false;
    }
  }

  /**
   * This worker's breaker for the endpoint opened: its pause is published at once (not only when a
   * job is next held back), so the API delays the endpoint's new deliveries and a success elsewhere
   * has a pause to withdraw.
   */
  opened(endpointId: string, until: number): void {
    this.deps.pausePublisher.offer(endpointId, until);
    // A pause too short to be published ends by itself sooner than a withdrawal could reach it.
    if (until - Date.now() >= PUBLISHED_HOLD_MIN_MS) this.known.set(endpointId, until);
  }

  /**
   * An attempt of the endpoint succeeded in this worker. If this worker's breaker was tripped, the
   * attempt was an operator's, or a pause of the endpoint is published, the pause is withdrawn (the
   * other workers and the API learn it) and its held-back jobs are brought forward. Otherwise (the
   * hot path) nothing is done.
   */
  succeeded(endpointId: string, options: { closedHere: boolean; manual: boolean }): void {
    if (!options.closedHere && !options.manual && !this.known.has(endpointId)) return;
    this.known.delete(endpointId);
    this.deps.pausePublisher.withdraw(endpointId);
    if (options.closedHere || options.manual) this.promoteHeldJobs(endpointId);
  }

  /**
   * Brings the endpoint's due deliveries' delayed jobs forward (those a worker held back, or the API
   * queued for the pause's end), behind live traffic: a held-back job keeps its lower priority.
   */
  private promoteHeldJobs(endpointId: string): void {
    const run = async () => {
      const jobIds = await findDueJobIds(this.deps.db, endpointId, PROMOTE_AT_MOST);
      for (const jobId of jobIds) {
        const job = await this.deps.queues.deliveriesFor(endpointId).getJob(jobId);
        // Another worker may promote it first, or it may have started: either way it is on its way.
        if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
      }
    };
    run().catch((err: unknown) => this.deps.logger.debug({ err: loggableError(err), endpointId }, 'could not bring held-back jobs forward'));
  }
}
