import { and, gte, lte, type AnyColumn, type SQL } from 'drizzle-orm';
import { idBoundsAt, type IdKind } from '@dispatch/core';
import { deliveries, events } from '../schema/index.js';

// Deliveries have no index on created_at (one index fewer to write on every insert and every
// finished attempt): their ids start with the millisecond they were made (ULID layout), so a time
// window is also an id range, which the (endpoint_id, id) and (endpoint_id, status, id) indexes
// serve. The id is made in the same request as created_at, milliseconds after it (a fan-out to
// 10,000 endpoints takes tens); the id range is widened by a generous slack and the exact condition
// on created_at stays, so the answer is exactly the window while the index does the narrowing.
const ID_TIME_SLACK_MS = 10 * 60_000;

function createdWithin(kind: IdKind, id: AnyColumn, createdAt: AnyColumn, since: Date | undefined, until: Date | undefined): SQL | undefined {
  return and(
    since ? gte(id, idBoundsAt(kind, since.getTime() - ID_TIME_SLACK_MS).lowest) : undefined,
    since ? gte(createdAt, since) : undefined,
    until ? lte(id, idBoundsAt(kind, until.getTime() + ID_TIME_SLACK_MS).highest) : undefined,
    until ? lte(createdAt, until) : undefined,
  );
}

/** Deliveries created within [since, until]; either end may be open. */
export const deliveriesCreatedWithin = (since: Date | undefined, until: Date | undefined) => createdWithin('delivery', deliveries.id, deliveries.createdAt, since, until);

/** Events created within [since, until] (their ids are time-sortable the same way). */
export const eventsCreatedWithin = (since: Date | undefined, until: Date | undefined) => createdWithin('event', events.id, events.createdAt, since, until);
