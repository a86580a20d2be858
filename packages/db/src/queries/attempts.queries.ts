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
    UPDATE ${endpoints} SET
      consecutive_failures = consecutive_failures + 1,
      failing_since = coalesce(failing_since, now()),
      disabled_at = CASE WHEN ${shouldDisable(rule)} THEN now() ELSE disabled_at END,
      disabled_reason = CASE WHEN ${shouldDisable(rule)} THEN 'failing' ELSE disabled_reason END
    WHERE id = ${endpointId}
    RETURNING (disabled_reason = 'failing' AND disabled_at = now()) AS disabled`);
  return result.rows[0]?.disabled === true;
}

function shouldDisable(rule: { disableAfterMs: number; disableAfterFailures: number }) {
  return sql`disabled_at IS NULL
    AND consecutive_failures + 1 >= ${rule.disableAfterFailures}
    AND coalesce(failing_since, now()) <= now() - make_interval(secs => ${rule.disableAfterMs / 1000})`;
}

/** 410 Gone: the receiver told us to stop. */
export async function disableEndpointGone(db: Db, endpointId: string): Promise<void> {
  await db
    .update(endpoints)
    .set({ disabledAt: sql`now()`, disabledReason: 'gone', updatedAt: sql`now()` })
    .where(and(eq(endpoints.id, endpointId), sql`${endpoints.disabledAt} IS NULL`));
}
