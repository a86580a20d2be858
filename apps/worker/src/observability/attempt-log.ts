import type { ClaimedDelivery } from '@dispatch/db';
import type { Logger } from 'pino';
import type { Attempted } from '../delivery/attempt.js';
import type { BreakerChange } from '../delivery/endpoint-guard.js';

// What an operator reads in the worker's log: each failed attempt (info) and each change of an
// endpoint's breaker (warn), under the ids the API shows (delivery, endpoint, event), so a line leads
// straight to `dispatch deliveries show`. Never a header, a body or a URL: they may carry secrets.

export function logAttempt(logger: Logger, delivery: ClaimedDelivery, attempted: Attempted, change: BreakerChange | undefined): void {
  const ids = { deliveryId: delivery.id, endpointId: delivery.endpointId, eventId: delivery.eventId, workspaceId: delivery.workspaceId };
  if (!attempted.recorded) {
    // Another run owns the delivery now (this one stalled past its claim, or a newer request took the
    // operator's attempt over): its attempt is the one that counts. Nothing was written.
    logger.warn({ ...ids, jobId: delivery.jobId, trigger: delivery.jobTrigger }, 'attempt not recorded: this run no longer owned the delivery');
  } else if (!attempted.succeeded) {
    logger.info(
      {
        ...ids,
        attemptNo: attempted.attemptNo,
        trigger: delivery.jobTrigger,
        statusCode: attempted.signal.statusCode,
        error: attempted.signal.error,
        nextAttemptAt: attempted.nextAttemptAt?.toISOString() ?? null,
      },
      'attempt failed',
    );
  }
  if (change?.state === 'open') {
    logger.warn(
      { endpointId: delivery.endpointId, deliveryId: delivery.id, pausedUntil: new Date(change.until).toISOString(), pauseMs: change.pauseMs, statusCode: attempted.signal.statusCode, error: attempted.signal.error },
      'circuit breaker opened: the endpoint is paused',
    );
  } else if (change?.state === 'closed') {
    logger.warn({ endpointId: delivery.endpointId, deliveryId: delivery.id, trigger: delivery.jobTrigger }, 'circuit breaker closed: an attempt succeeded');
  }
}
