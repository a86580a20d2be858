import { heldJobReturnsAt, JOB_PRIORITIES, workspacePauseKey, type Queues } from '@dispatch/queue';
import type { EventDeliveries } from './event-deliveries.js';
import type { EndpointPauseCache } from './pause-cache.js';
import type { QueueHandoff } from './queue-handoff.js';

export type { EventDeliveries } from './event-deliveries.js';

// Above this many deliveries the API hands the queueing to the worker's fan-out job, so one event
// to thousands of endpoints never holds a request open while jobs are added.
export const INLINE_FANOUT_LIMIT = 500;

/**
 * Queues the jobs of deliveries just committed to Postgres. Waits for Redis only briefly (the
 * hand-off): the events are already durable, and the reconciler queues any pending delivery that
 * Redis does not get.
 */
export class DeliveryEnqueuer {
  constructor(
    private readonly queues: Queues,
    private readonly pauses: EndpointPauseCache,
    private readonly handoff: QueueHandoff,
  ) {}

  async enqueue(events: readonly EventDeliveries[]): Promise<void> {
    const inline = events.filter((e) => e.deliveries.length > 0 && e.deliveries.length <= INLINE_FANOUT_LIMIT);
    const large = events.filter((e) => e.deliveries.length > INLINE_FANOUT_LIMIT);
    if (inline.length === 0 && large.length === 0) return;
    const jobs = inline.flatMap((event) =>
      event.deliveries.map((d) => ({
        deliveryId: d.id,
        endpointId: d.endpointId,
        workspaceId: d.workspaceId,
        jobId: d.jobId,
        attemptsLeft: event.maxAttempts,
        manual: event.manual,
        traceparent: event.traceparent,
        ...(event.manual ? {} : this.heldBack(d.endpointId, d.workspaceId)),
      })),
    );
    await this.handoff.handOff(jobs.length + large.length, () =>
      Promise.all([this.queues.enqueueDeliveries(jobs), ...large.map((event) => this.queues.enqueueFanout(event.eventId))]),
    );
  }

  /**
   * A delivery to an endpoint a worker has paused, or of a workspace a worker holds back, is queued
   * for when that ends (spread like the jobs the worker parks itself) instead of live. What an
   * operator asks for is never held back.
   */
  private heldBack(endpointId: string, workspaceId: string): { delayMs: number; priority: number } | undefined {
    const until = Math.max(this.pauses.pausedUntil(endpointId), this.pauses.pausedUntil(workspacePauseKey(workspaceId)));
    if (until === 0) return undefined;
    const now = Date.now();
    return { delayMs: heldJobReturnsAt(until, now) - now, priority: JOB_PRIORITIES.held };
  }
}
