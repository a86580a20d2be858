import { and, eq, inArray, sql } from 'drizzle-orm';
import { deliverJobId } from '@dispatch/core';
import type { Db } from '../client.js';
import { deliveries } from '../schema/index.js';
import { deliveriesCreatedWithin } from './created-within.js';

// Attempts an operator asks for (redeliver, replay). Each hands the delivery to a new job id, so a
// retry that was scheduled under the old id finds it no longer owns the delivery and does nothing.

export type RedeliverResult = { outcome: 'queued'; jobId: string; previousJobId: string | null; attemptsLeft: number } | { outcome: 'not_found' } | { outcome: 'in_flight' };

/**
 * Queues a new attempt of the same message now. A pending delivery keeps its schedule after it (the
 * redelivery takes the place of the scheduled retry); a finished one gets exactly one more attempt.
 */
export async function scheduleRedelivery(
  db: Db,
  input: { workspaceId: string; endpointId: string; deliveryId: string; inFlightMs: number },
): Promise<RedeliverResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        status: deliveries.status,
        attemptCount: deliveries.attemptCount,
        maxAttempts: deliveries.maxAttempts,
        jobId: deliveries.jobId,
        inFlight: sql<boolean>`(${deliveries.attemptStartedAt} IS NOT NULL AND ${deliveries.attemptStartedAt} > now() - make_interval(secs => ${input.inFlightMs / 1000}))`,
      })
      .from(deliveries)
      .where(and(eq(deliveries.id, input.deliveryId), eq(deliveries.workspaceId, input.workspaceId), eq(deliveries.endpointId, input.endpointId)))
      .for('update');
    if (!row) return { outcome: 'not_found' };
    if (row.inFlight) return { outcome: 'in_flight' };
    const attemptNo = row.attemptCount + 1;
    const maxAttempts = row.status === 'pending' ? Math.max(row.maxAttempts, attemptNo) : attemptNo;
    const jobId = deliverJobId(input.deliveryId, attemptNo, 'redeliver');
    await tx
      .update(deliveries)
      .set({ status: 'pending', maxAttempts, jobId, jobTrigger: 'redeliver', nextAttemptAt: sql`now()`, attemptStartedAt: null, replayId: null, updatedAt: sql`now()` })
      .where(eq(deliveries.id, input.deliveryId));
    return { outcome: 'queued', jobId, previousJobId: row.status === 'pending' ? row.jobId : null, attemptsLeft: maxAttempts - row.attemptCount };
  });
}

export interface ReplayCriteria {
  endpointId: string;
  since: Date;
  until: Date;
  statusFilter: 'failed' | 'all';
  limit: number;
}

function replayable(criteria: ReplayCriteria) {
  // Pending deliveries are already on their way; replay re-sends finished ones.
  const statuses = criteria.statusFilter === 'failed' ? ['failed' as const] : ['failed' as const, 'succeeded' as const, 'cancelled' as const];
  return and(
    eq(deliveries.endpointId, criteria.endpointId),
    eq(deliveries.test, false),
    inArray(deliveries.status, statuses),
    deliveriesCreatedWithin(criteria.since, criteria.until),
  );
}

export async function countReplayable(db: Db, criteria: ReplayCriteria): Promise<number> {
  const result = await db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM (SELECT 1 FROM ${deliveries} WHERE ${replayable(criteria)} LIMIT ${criteria.limit}) AS capped`);
  return result.rows[0]?.n ?? 0;
}

export interface ReplayedDelivery {
  id: string;
  jobId: string;
}

/** Hands the matching deliveries (oldest first, at most `limit`) to replay jobs: one attempt each. */
export async function markForReplay(db: Db, replayId: string, criteria: ReplayCriteria): Promise<ReplayedDelivery[]> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: deliveries.id, attemptCount: deliveries.attemptCount })
      .from(deliveries)
      .where(replayable(criteria))
      // Ids sort by creation time (created-within.ts), and the indexes hold ids, not created_at.
      .orderBy(deliveries.id)
      .limit(criteria.limit)
      .for('update', { skipLocked: true });
    const marked = rows.map((row) => ({ id: row.id, attemptNo: row.attemptCount + 1, jobId: deliverJobId(row.id, row.attemptCount + 1, 'replay') }));
    if (marked.length === 0) return [];
    await tx.execute(sql`
      UPDATE ${deliveries} AS d SET status = 'pending', max_attempts = u.attempt_no, job_id = u.job_id, job_trigger = 'replay',
        replay_id = ${replayId}, next_attempt_at = now(), attempt_started_at = NULL, updated_at = now()
      FROM unnest(${sql.param(marked.map((m) => m.id))}::text[], ${sql.param(marked.map((m) => m.attemptNo))}::int[], ${sql.param(marked.map((m) => m.jobId))}::text[])
        AS u(id, attempt_no, job_id)
      WHERE d.id = u.id`);
    return marked.map(({ id, jobId }) => ({ id, jobId }));
  });
}
