import type { AttemptRow, DeliveryRow } from '@dispatch/db';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function deliveryView(row: DeliveryRow) {
  const last = row.lastAttempt;
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    target: { kind: row.endpointKind, id: row.endpointId },
    status: row.status,
    test: row.test,
    attemptCount: row.attemptCount,
    nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    lastAttempt: last
      ? {
          id: last.id,
          statusCode: last.statusCode,
          responseBody: last.responseBody,
          responseTimeMs: last.responseTimeMs,
          error: last.error,
          attemptedAt: iso(last.attemptedAt),
          trigger: last.trigger,
        }
      : null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function attemptView(row: AttemptRow) {
  return {
    id: row.id,
    attemptNo: row.attemptNo,
    trigger: row.trigger,
    statusCode: row.statusCode,
    error: row.error,
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

export function deliveryDetailView(row: DeliveryRow, attempts: AttemptRow[], payload: string) {
  return { ...deliveryView(row), payload, attempts: attempts.map(attemptView) };
}
