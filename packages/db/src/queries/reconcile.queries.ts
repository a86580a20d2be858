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

/** Where a page of overdue deliveries ended: the next page starts after it, in (due time, id) order. */
export interface OverdueCursor {
  nextAttemptAt: Date;
  id: string;
}

/**
 * Pending deliveries that should have been attempted more than `staleMs` ago, or whose attempt started
 * and never finished: Redis may have lost their job. Re-adding a job that still exists is a no-op.
 *
 * Paged in (next_attempt_at, id) order, which the partial index of pending deliveries holds: a page
 * reads its rows from where the last one ended. Paged by id alone, each page had to gather and sort
 * every overdue row (all of them, after Redis lost its jobs) to keep a thousand.
 */
export async function findOverdueDeliveries(
  db: Db,
  input: { staleMs: number; attemptStaleMs: number; limit: number; after?: OverdueCursor | undefined },
): Promise<QueueableDelivery[]> {
  const result = await db.execute<Record<string, unknown>>(sql`
    SELECT id, endpoint_id, workspace_id, job_id, attempt_count, max_attempts, next_attempt_at
    FROM ${deliveries}
    WHERE status = 'pending'
      AND next_attempt_at < now() - make_interval(secs => ${input.staleMs / 1000})
      AND (attempt_started_at IS NULL OR attempt_started_at < now() - make_interval(secs => ${input.attemptStaleMs / 1000}))
      ${input.after ? sql`AND (next_attempt_at, id) > (${input.after.nextAttemptAt.toISOString()}::timestamptz, ${input.after.id})` : sql``}
    ORDER BY next_attempt_at, id
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
