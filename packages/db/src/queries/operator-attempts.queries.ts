import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { toClaimed, type AttemptRecord, type ClaimedDelivery } from './attempt-batches.queries.js';
import { clientOf } from './named-statements.js';
import { statsEndpointOf } from './endpoint-health.queries.js';

// An operator's attempt (redeliver, replay) runs beside the delivery's schedule: it is claimed and
// recorded through the row's manual_* columns, never through its job_id, attempt_started_at or
// attempt_count. So it neither takes over the scheduled job nor moves its due time, and the two can
// be in flight at once. Ownership holds as for scheduled runs: only the run whose job id and claim
// start are still the row's records, and a new operator's request takes over one not yet started.

// Any state: a finished delivery gets its one more attempt; the scheduled run, if any, is not looked at.
const CLAIM_OPERATOR_ATTEMPT = `
  WITH claimed AS (
    UPDATE deliveries d SET manual_started_at = now()
    WHERE d.id = $1 AND d.manual_job_id = $2
      AND (d.manual_started_at IS NULL OR d.manual_started_at < now() - make_interval(secs => $3::float8))
    RETURNING d.id, d.manual_job_id, d.manual_started_at, d.job_id, d.workspace_id, d.event_id, d.endpoint_id, d.test,
              d.attempt_count, d.max_attempts, d.replay_id
  )
  SELECT c.*, ev.payload, e.url, e.headers_sealed, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at,
         (e.enabled AND e.disabled_at IS NULL) AS endpoint_active
  FROM claimed c
  JOIN endpoints e ON e.id = c.endpoint_id
  JOIN events ev ON ev.id = c.event_id`;

/** An operator's attempt claimed: `jobId`/`claimedAt` are its own claim; `scheduledJobId` the schedule's job. */
export type ClaimedOperatorAttempt = ClaimedDelivery & { scheduledJobId: string | null };

export async function claimOperatorAttempt(db: Db, request: { deliveryId: string; jobId: string }, attemptStaleMs: number): Promise<ClaimedOperatorAttempt | undefined> {
  const result = await clientOf(db).query<Record<string, unknown>>({
    name: 'dispatch_claim_operator_attempt',
    text: CLAIM_OPERATOR_ATTEMPT,
    values: [request.deliveryId, request.jobId, attemptStaleMs / 1000],
  });
  const row = result.rows[0];
  if (!row) return undefined;
  const replayId = (row.replay_id as string | null) ?? null;
  // The same row as a scheduled claim's, but the claim is the operator's (manual_*), not the schedule's.
  return {
    ...toClaimed(row),
    jobTrigger: replayId ? 'replay' : 'redeliver',
    replayId,
    jobId: row.manual_job_id as string,
    claimedAt: new Date(row.manual_started_at as Date | string),
    scheduledJobId: (row.job_id as string | null) ?? null,
  };
}

// A success ends the delivery as succeeded whatever it was (a scheduled run in flight then finds it
// no longer pending and records nothing); a failure leaves its state, due time and attempt count as
// they were: a pending delivery keeps its schedule, a failed one stays failed. Either way the
// attempt is the delivery's last, and the endpoint's run of failures ends on a success (the endpoint
// row is locked after the delivery's, as in the scheduled record).
const RECORD_OPERATOR_ATTEMPT = `
  WITH before AS (
    SELECT status FROM deliveries WHERE id = $2 AND manual_job_id = $15 AND manual_started_at = $16 FOR UPDATE
  ), recorded AS (
    UPDATE deliveries d SET
      status = CASE WHEN $14::bool THEN 'succeeded' ELSE d.status END,
      next_attempt_at = CASE WHEN $14::bool THEN NULL ELSE d.next_attempt_at END,
      manual_attempt_count = d.manual_attempt_count + 1,
      last_attempt_id = $1,
      manual_job_id = NULL, manual_queued_at = NULL, manual_started_at = NULL, replay_id = NULL,
      updated_at = now()
    FROM before
    WHERE d.id = $2 AND d.manual_job_id = $15 AND d.manual_started_at = $16
    RETURNING d.attempt_count + d.manual_attempt_count AS attempt_no, before.status AS previous_status, d.status, d.next_attempt_at,
              ${statsEndpointOf('d')} AS stats_endpoint_id
  ), inserted AS (
    INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, status_code, response_headers, response_body,
                          response_body_truncated, response_body_size, response_time_ms, timings, error, attempted_at, stats_endpoint_id)
    SELECT $1::text, $2::text, r.attempt_no, $3::text, $4::jsonb, $5::int, $6::jsonb, $7::text, $8::bool, $9::int, $10::int, $11::jsonb,
           $12::text, $13::timestamptz, r.stats_endpoint_id
    FROM recorded r
  ), healthy AS (
    UPDATE endpoints e SET consecutive_failures = 0, failing_since = NULL
    WHERE e.id = $17::text AND (e.consecutive_failures <> 0 OR e.failing_since IS NOT NULL) AND EXISTS (SELECT 1 FROM recorded)
  )
  SELECT attempt_no, previous_status, status, next_attempt_at FROM recorded`;

export interface RecordedOperatorAttempt {
  attemptNo: number;
  previousStatus: string;
  status: string;
  /** The schedule's next attempt, unchanged by a failure (null: none). */
  nextAttemptAt: Date | null;
}

/**
 * Records an operator's attempt (`record.status` is only read as succeeded or not). Undefined when
 * the run no longer owned the attempt (a newer request took it over): then nothing was written.
 */
export async function recordOperatorAttempt(db: Db, record: Omit<AttemptRecord, 'status' | 'retryDelayMs'> & { succeeded: boolean }): Promise<RecordedOperatorAttempt | undefined> {
  const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
  const result = await clientOf(db).query<Record<string, unknown>>({
    name: 'dispatch_record_operator_attempt',
    text: RECORD_OPERATOR_ATTEMPT,
    values: [
      record.id,
      record.deliveryId,
      record.trigger,
      JSON.stringify(record.requestHeaders),
      record.statusCode,
      json(record.responseHeaders),
      record.responseBody,
      record.responseBodyTruncated,
      record.responseBodySize,
      record.responseTimeMs,
      json(record.timings),
      record.error,
      record.attemptedAt,
      record.succeeded,
      record.jobId,
      record.claimedAt,
      record.healthyEndpointId,
    ],
  });
  const row = result.rows[0];
  if (!row) return undefined;
  const next = row.next_attempt_at as Date | string | null;
  return { attemptNo: Number(row.attempt_no), previousStatus: row.previous_status as string, status: row.status as string, nextAttemptAt: next ? new Date(next) : null };
}

export interface QueuedOperatorAttempt {
  id: string;
  endpointId: string;
  workspaceId: string;
  jobId: string;
}

/** Operator's attempts asked for more than `staleMs` ago and not made (nor in flight): Redis may have lost their job. */
export async function findOverdueOperatorAttempts(db: Db, input: { staleMs: number; attemptStaleMs: number; limit: number }): Promise<QueuedOperatorAttempt[]> {
  const result = await db.execute<Record<string, unknown>>(sql`
    SELECT id, endpoint_id, workspace_id, manual_job_id FROM deliveries
    WHERE manual_job_id IS NOT NULL AND manual_queued_at < now() - make_interval(secs => ${input.staleMs / 1000})
      AND (manual_started_at IS NULL OR manual_started_at < now() - make_interval(secs => ${input.attemptStaleMs / 1000}))
    ORDER BY manual_queued_at
    LIMIT ${input.limit}`);
  return result.rows.map((row) => ({ id: row.id as string, endpointId: row.endpoint_id as string, workspaceId: row.workspace_id as string, jobId: row.manual_job_id as string }));
}
