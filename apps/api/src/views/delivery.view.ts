import type { Attempt, AttemptError, Delivery, DeliveryDetail, DeliveryViewStatus } from '@dispatch/core/api';
import type { AttemptRow, DeliveryRow } from '@dispatch/db';
import { iso, isoOrNull } from './time.js';

const succeeded = (statusCode: number | null) => statusCode !== null && statusCode >= 200 && statusCode < 300;

/**
 * A delivery as every view shows it: one still retrying after a failed attempt is `failing` (it is
 * stored as `pending`), so a list of failures never hides what has not been delivered yet.
 */
export function viewStatus(row: { status: DeliveryRow['status']; lastAttempt: { statusCode: number | null } | null }): DeliveryViewStatus {
  if (row.status === 'pending' && row.lastAttempt && !succeeded(row.lastAttempt.statusCode)) return 'failing';
  return row.status;
}

export function deliveryView(row: DeliveryRow): Delivery {
  const last = row.lastAttempt;
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    target: { kind: row.endpointKind, id: row.endpointId },
    status: viewStatus(row),
    test: row.test,
    // Every attempt made, the schedule's and the operator's (which the schedule does not count).
    attemptCount: row.attemptCount + row.manualAttemptCount,
    nextAttemptAt: row.status === 'pending' ? isoOrNull(row.nextAttemptAt) : null,
    lastAttempt: last
      ? {
          id: last.id,
          statusCode: last.statusCode,
          responseBody: last.responseBody,
          responseTimeMs: last.responseTimeMs,
          error: last.error as AttemptError | null,
          attemptedAt: iso(last.attemptedAt),
          trigger: last.trigger,
        }
      : null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function attemptView(row: AttemptRow): Attempt {
  return {
    id: row.id,
    attemptNo: row.attemptNo,
    trigger: row.trigger,
    statusCode: row.statusCode,
    error: row.error as AttemptError | null,
    requestHeaders: row.requestHeaders,
    responseHeaders: row.responseHeaders,
    responseBody: row.responseBody,
    responseBodyTruncated: row.responseBodyTruncated,
    responseBodySize: row.responseBodySize,
    responseTimeMs: row.responseTimeMs,
    timings: row.timings,
    attemptedAt: iso(row.attemptedAt),
  };
}

export function deliveryDetailView(row: DeliveryRow, attempts: AttemptRow[], payload: string): DeliveryDetail {
  return { ...deliveryView(row), payload, attempts: attempts.map(attemptView) };
}
