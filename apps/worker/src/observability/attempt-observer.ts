import type { Job } from 'bullmq';
import { idTime } from '@dispatch/core';
import type { ClaimedDelivery } from '@dispatch/db';
import { attemptOutcome, endpointKindOf } from '@dispatch/observability';
import type { WorkerDeps } from '../deps.js';
import type { Attempted } from '../delivery/attempt.js';

/**
 * Runs one attempt of a claimed delivery and accounts for it: its outcome and duration, the
 * delivery's end if this was its last attempt, the event's delivery latency on a first success, and,
 * for a job queued by a traced request, its spans. An attempt that could not be recorded (it throws)
 * is not counted: the job fails and the attempt is made again. An attempt whose run had lost its
 * claim is counted as an attempt (a request was sent) but ends no delivery.
 */
export async function observeAttempt<A extends Attempted>(deps: WorkerDeps, job: Job, delivery: ClaimedDelivery, attempt: () => Promise<A>): Promise<A> {
  const { metrics, tracing } = deps.observability;
  const traceparent = tracing ? (job.data as { traceparent?: string }).traceparent : undefined;
  const span = traceparent
    ? tracing!.startAttempt(traceparent, job.attemptsMade === 0 ? job.timestamp : undefined, {
        'dispatch.delivery_id': delivery.id,
        'dispatch.endpoint_kind': endpointKindOf(delivery.endpointId),
        'dispatch.attempt_no': delivery.attemptCount + 1,
        'dispatch.trigger': delivery.jobTrigger,
      })
    : undefined;
  let attempted: A;
  try {
    attempted = await attempt();
  } catch (error) {
    span?.fail(error);
    throw error;
  }
  const { signal, ended, succeeded } = attempted;
  metrics.attemptMade({ endpointId: delivery.endpointId, statusCode: signal.statusCode, error: signal.error, responseTimeMs: signal.responseTimeMs });
  if (ended) metrics.deliveryFinished(delivery.endpointId, ended);
  // Only the automatic schedule's attempts: a success there is the delivery's first (a delivery stops
  // being attempted once it succeeds), and what an operator re-sends later would only skew the figure.
  const scheduled = delivery.jobTrigger === 'initial' || delivery.jobTrigger === 'retry';
  const acceptedAt = idTime(delivery.eventId);
  if (ended === 'succeeded' && scheduled && !delivery.test && acceptedAt !== undefined) metrics.firstSuccess(acceptedAt);
  span?.end(
    {
      'dispatch.outcome': attemptOutcome(signal.statusCode, signal.error),
      ...(signal.statusCode === null ? {} : { 'http.response.status_code': signal.statusCode }),
    },
    succeeded,
  );
  return attempted;
}

/** A delivery cancelled without an attempt (its endpoint was disabled meanwhile). */
export function observeCancelled(deps: WorkerDeps, delivery: ClaimedDelivery): void {
  deps.observability.metrics.deliveryFinished(delivery.endpointId, 'cancelled');
}
