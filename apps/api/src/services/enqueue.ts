import { JOB_PRIORITIES, heldJobReturnsAt, workspacePauseKey } from '@dispatch/queue';
import type { ApiDeps } from '../deps.js';
import type { EventDeliveries } from './event-deliveries.js';

export type { EventDeliveries } from './event-deliveries.js';

// Above this many deliveries the API hands the queueing to the worker's fan-out job, so one event
// to thousands of endpoints never holds a request open while jobs are added.
export const INLINE_FANOUT_LIMIT = 500;

/**
 * A delivery to an endpoint a worker has paused, or of a workspace a worker holds back, is queued for
 * when that ends (spread like the jobs the worker parks itself) instead of live. What an operator
 * asks for is never held back.
 */
function heldBack(deps: ApiDeps, endpointId: string, workspaceId: string): { delayMs: number; priority: number } | undefined {
  const until = Math.max(deps.endpointPauses.pausedUntil(endpointId), deps.endpointPauses.pausedUntil(workspacePauseKey(workspaceId)));
  if (until === 0) return undefined;
  const now = Date.now();
  return { delayMs: heldJobReturnsAt(until, now) - now, priority: JOB_PRIORITIES.held };
}

/**
 * Queues the deliveries just committed to Postgres. Waits for Redis only briefly (QueueHandoff): the
 * events are already durable, and the reconciler queues any pending delivery that Redis does not get.
 */
export async function enqueueNewDeliveries(deps: ApiDeps, events: readonly EventDeliveries[]): Promise<void> {
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
      ...(event.manual ? {} : heldBack(deps, d.endpointId, d.workspaceId)),
    })),
  );
  await deps.queueHandoff.handOff(jobs.length + large.length, () =>
    Promise.all([deps.queues.enqueueDeliveries(jobs), ...large.map((event) => deps.queues.enqueueFanout(event.eventId))]),
  );
}
