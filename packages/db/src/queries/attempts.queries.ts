import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { attempts, deliveries, endpoints, type AttemptTrigger, type DeliveryStatus } from '../schema/index.js';
import { claimDeliveries } from './attempt-batches.queries.js';

// The worker's side of a delivery: claim it for one attempt, then record the attempt and its
// consequences (delivery state, endpoint health). The hot-path statements, which take many
// deliveries at once, are in attempt-batches.queries.ts.

export interface ClaimedDelivery {
  id: string;
  workspaceId: string;
  eventId: string;
  endpointId: string;
  test: boolean;
  attemptCount: number;
  maxAttempts: number;
  jobTrigger: AttemptTrigger;
  replayId: string | null;
  payload: string;
  url: string;
  headers: Record<string, string>;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
  endpointActive: boolean;
}

/**
 * Marks the delivery as being attempted, if `jobId` still owns it, it is pending and no other run is
 * attempting it. A job that no longer owns its delivery (superseded by a redelivery) or a second run
 * of the same job (re-added by the reconciler after Redis lost the first one while it was still
 * running) gets undefined and does nothing. An attempt older than `attemptStaleMs` is a crashed one.
 */
export async function claimDelivery(db: Db, deliveryId: string, jobId: string, attemptStaleMs: number): Promise<ClaimedDelivery | undefined> {
  const [claimed] = await claimDeliveries(db, [{ deliveryId, jobId }], attemptStaleMs);
  return claimed;
}

export type NewAttempt = typeof attempts.$inferInsert;

export interface DeliveryUpdate {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
}

export async function insertAttempt(db: Db, attempt: NewAttempt): Promise<void> {
  await db.insert(attempts).values(attempt);
}

export async function finishAttempt(db: Db, deliveryId: string, attempt: { id: string; attemptNo: number }, update: DeliveryUpdate): Promise<void> {
  await db
    .update(deliveries)
    .set({
      status: update.status,
      nextAttemptAt: update.nextAttemptAt,
      attemptCount: attempt.attemptNo,
      lastAttemptId: attempt.id,
      attemptStartedAt: null,
      // The job's next run, if any, is a scheduled retry whatever started it; a finished delivery
      // no longer waits for any replay.
      ...(update.status === 'pending' ? { jobTrigger: 'retry' as const } : { replayId: null }),
      updatedAt: sql`now()`,
    })
    .where(eq(deliveries.id, deliveryId));
}

/** Ends a delivery without an attempt (its endpoint was disabled or deleted meanwhile). */
export async function cancelDelivery(db: Db, deliveryId: string): Promise<void> {
  await db
    .update(deliveries)
    .set({ status: 'cancelled', nextAttemptAt: null, attemptStartedAt: null, updatedAt: sql`now()` })
    .where(and(eq(deliveries.id, deliveryId), eq(deliveries.status, 'pending')));
}

/** A success ends any run of failures. Written only when there is a run, to keep the hot path cheap. */
export async function markEndpointHealthy(db: Db, endpointId: string): Promise<void> {
  await db
    .update(endpoints)
    .set({ consecutiveFailures: 0, failingSince: null })
    .where(and(eq(endpoints.id, endpointId), sql`(${endpoints.consecutiveFailures} <> 0 OR ${endpoints.failingSince} IS NOT NULL)`));
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
