import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { deliveries } from '../schema/index.js';

export interface QueueableDelivery {
  id: string;
  endpointId: string;
  workspaceId: string;
  jobId: string;
  attemptCount: number;
  maxAttempts: number;
  nextAttemptAt: Date;
}

function toQueueable(row: Record<string, unknown>): QueueableDelivery {
  return {
    id: row.id as string,
    endpointId: row.endpoint_id as string,
    workspaceId: row.workspace_id as string,
    jobId: row.job_id as string,
    attemptCount: row.attempt_count as number,
    maxAttempts: row.max_attempts as number,
    nextAttemptAt: new Date(row.next_attempt_at as string),
  };
}

/** An event's deliveries that still wait for their first attempt (the fan-out job queues them). */
export async function findUnattemptedEventDeliveries(db: Db, eventId: string): Promise<QueueableDelivery[]> {
  const result = await db.execute<Record<string, unknown>>(sql`
    SELECT id, endpoint_id, workspace_id, job_id, attempt_count, max_attempts, next_attempt_at FROM ${deliveries}
    WHERE event_id = ${eventId} AND status = 'pending' AND attempt_count = 0`);
  return result.rows.map(toQueueable);
}

/**
 * Pending deliveries that should have been attempted more than `staleMs` ago, or whose attempt started
 * and never finished: Redis may have lost their job. Re-adding a job that still exists is a no-op.
 */
export async function findOverdueDeliveries(db: Db, input: { staleMs: number; attemptStaleMs: number; limit: number; afterId?: string }): Promise<QueueableDelivery[]> {
  const result = await db.execute<Record<string, unknown>>(sql`
    SELECT id, endpoint_id, workspace_id, job_id, attempt_count, max_attempts, next_attempt_at
    FROM ${deliveries}
    WHERE status = 'pending'
      AND next_attempt_at < now() - make_interval(secs => ${input.staleMs / 1000})
      AND (attempt_started_at IS NULL OR attempt_started_at < now() - make_interval(secs => ${input.attemptStaleMs / 1000}))
      ${input.afterId ? sql`AND id > ${input.afterId}` : sql``}
    ORDER BY id
    LIMIT ${input.limit}`);
  return result.rows.map(toQueueable);
}

/**
 * The job ids of an endpoint's pending deliveries that are due (at most `limit`): after its pause
 * ends, the ones a worker held back or the API queued for later can be brought forward.
 */
export async function findDueJobIds(db: Db, endpointId: string, limit: number): Promise<string[]> {
  const result = await db.execute<{ job_id: string | null }>(sql`
    SELECT job_id FROM ${deliveries}
    WHERE endpoint_id = ${endpointId} AND status = 'pending' AND next_attempt_at <= now()
    ORDER BY id
    LIMIT ${limit}`);
  return result.rows.flatMap((row) => (row.job_id ? [row.job_id] : []));
}
