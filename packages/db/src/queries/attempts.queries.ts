import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { deliveries, endpoints } from '../schema/index.js';

// The worker's less frequent writes: a cancelled delivery, endpoint failure counts, 410 disabling.
// Claiming a delivery and recording an attempt, the hot path, are in attempt-batches.queries.ts.

/** Ends a delivery without an attempt (its endpoint was disabled or deleted meanwhile). */
export async function cancelDelivery(db: Db, deliveryId: string): Promise<void> {
  await db
    .update(deliveries)
    .set({ status: 'cancelled', nextAttemptAt: null, attemptStartedAt: null, updatedAt: sql`now()` })
    .where(and(eq(deliveries.id, deliveryId), eq(deliveries.status, 'pending')));
}

/**
 * Counts a failed attempt; disables the endpoint once it has failed for `disableAfterMs` without a
 * success and has at least `disableAfterFailures` consecutive failures. Returns true if it disabled it.
 */
export async function markEndpointFailure(
  db: Db,
  endpointId: string,
  rule: { disableAfterMs: number; disableAfterFailures: number },
): Promise<boolean> {
  const result = await db.execute<{ disabled: boolean }>(sql`
    UPDATE ${endpoints} e SET
      consecutive_failures = e.consecutive_failures + 1,
      failing_since = coalesce(e.failing_since, now()),
      disabled_at = CASE WHEN ${shouldDisable(rule)} THEN now() ELSE e.disabled_at END,
      disabled_reason = CASE WHEN ${shouldDisable(rule)} THEN 'failing' ELSE e.disabled_reason END
    FROM (SELECT id, disabled_at FROM ${endpoints} WHERE id = ${endpointId} FOR UPDATE) AS before
    WHERE e.id = before.id
    -- Disabled by this update: it was not before. (Comparing disabled_at with now() missed almost
    -- always: the column keeps milliseconds, now() has microseconds.)
    RETURNING (before.disabled_at IS NULL AND e.disabled_at IS NOT NULL) AS disabled`);
  return result.rows[0]?.disabled === true;
}

function shouldDisable(rule: { disableAfterMs: number; disableAfterFailures: number }) {
  return sql`e.disabled_at IS NULL
    AND e.consecutive_failures + 1 >= ${rule.disableAfterFailures}
    AND coalesce(e.failing_since, now()) <= now() - make_interval(secs => ${rule.disableAfterMs / 1000})`;
}

/** 410 Gone: the receiver told us to stop. */
export async function disableEndpointGone(db: Db, endpointId: string): Promise<void> {
  await db
    .update(endpoints)
    .set({ disabledAt: sql`now()`, disabledReason: 'gone', updatedAt: sql`now()` })
    .where(and(eq(endpoints.id, endpointId), sql`${endpoints.disabledAt} IS NULL`));
}
