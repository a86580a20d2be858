import type { Db } from '../client.js';
import type { AttemptTimings, AttemptTrigger, DeliveryStatus } from '../schema/index.js';
import { clientOf } from './named-statements.js';
import { statsEndpointOf } from './endpoint-health.queries.js';

// The worker's hot path, in as few round trips as possible: claiming a delivery (with its endpoint,
// sealed secrets and custom headers, and payload) and recording an attempt (with the delivery's new
// state and the endpoint's health) are one statement each, and each statement takes many deliveries
// at once, so concurrent jobs can share a round trip and a commit. The statements are named
// (named-statements.ts).

/**
 * How early, by Postgres's clock, a delivery may still be claimed: the row's due time is written by
 * one host's clock (the API's for a new delivery) and the job is scheduled by another's (BullMQ's
 * delays count on the worker hosts), so a job that is on time may look a little early. A run earlier
 * than this is put back until the row says the delivery is due.
 */
export const CLAIM_EARLY_ALLOWANCE_MS = 1_000;

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
  /** The endpoint's custom headers, sealed (null: none); the worker opens them (SecretCache). */
  headersSealed: string | null;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
  endpointActive: boolean;
  /** The claim: only a record carrying the same job id and start (the row's attempt_started_at) may record. */
  jobId: string;
  claimedAt: Date;
}

export interface ClaimRequest {
  deliveryId: string;
  jobId: string;
}

// `d.id = ANY($1)` lets the planner reach the rows through the primary key whatever it guesses for unnest.
// `(d.status = 'pending') IS TRUE` is `d.status = 'pending'` (status is never null) written so that it
// cannot match the partial index on pending deliveries: with no statistics yet (a new or emptied
// table), or statistics from when few deliveries were pending, the cached generic plan ANDed that
// index with the primary key, a walk over the whole backlog on every claim, several times the
// Postgres time of a lookup through the key (bench/RESULTS.md, "The claim's cached plan"). The
// worker's pool also keeps it off sequential scans (createDb's keyedLookupsOnly).
//
// A delivery is claimed only once its row says it is due (`next_attempt_at`, less CLAIM_EARLY_ALLOWANCE_MS
// for clocks that differ a little): a job run early (a BullMQ retry after an infrastructure error that
// came after the record committed, a promoted delayed job) must not make the next attempt before its
// time. Written `IS NOT FALSE` so that a row without a due time is still claimable, and so that this
// condition cannot match the partial index either.
//
// The claim commits without waiting for its WAL to reach the disk (synchronous_commit off for this
// statement's transaction only; the worker claims outside any transaction, a caller's transaction
// would take the setting whole): at a moderate rate each claim is a commit of its own, and waiting
// for the flush was a wake-up and a disk flush on every delivery's path. What a Postgres crash can lose
// is only the newest claims, whose attempts have not been recorded yet (recording commits
// synchronously, and its flush covers every claim before it); such a delivery is claimable again
// after the crash, so an attempt in flight at that moment may be made twice: at-least-once holds,
// and the receiver deduplicates on webhook-id as it must anyway.
const CLAIM_DELIVERIES = `
  WITH claimed AS (
    UPDATE deliveries d SET attempt_started_at = now()
    FROM unnest($1::text[], $2::text[]) AS u(id, job_id)
    WHERE d.id = ANY($1::text[]) AND d.id = u.id AND d.job_id = u.job_id AND (d.status = 'pending') IS TRUE
      AND (d.next_attempt_at <= now() + make_interval(secs => $4::float8)) IS NOT FALSE
      AND (d.attempt_started_at IS NULL OR d.attempt_started_at < now() - make_interval(secs => $3::float8))
    RETURNING d.id, d.job_id, d.attempt_started_at, d.workspace_id, d.event_id, d.endpoint_id, d.test, d.attempt_count, d.max_attempts,
              d.job_trigger, CASE WHEN d.manual_job_id IS NULL THEN d.replay_id END AS replay_id
  )
  SELECT c.*, ev.payload, e.url, e.headers_sealed, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at,
         (e.enabled AND e.disabled_at IS NULL) AS endpoint_active
  FROM claimed c
  JOIN endpoints e ON e.id = c.endpoint_id
  JOIN events ev ON ev.id = c.event_id
  CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`;

/** A claim statement's row (the delivery, its event's payload, its endpoint) as the worker uses it. */
export function toClaimed(row: Record<string, unknown>): ClaimedDelivery {
  const previousExpiresAt = row.previous_secret_expires_at as Date | string | null;
  return {
    id: row.id as string,
    workspaceId: row.workspace_id as string,
    eventId: row.event_id as string,
    endpointId: row.endpoint_id as string,
    test: row.test as boolean,
    attemptCount: row.attempt_count as number,
    maxAttempts: row.max_attempts as number,
    jobTrigger: row.job_trigger as AttemptTrigger,
    replayId: (row.replay_id as string | null) ?? null,
    payload: row.payload as string,
    url: row.url as string,
    headersSealed: (row.headers_sealed as string | null) ?? null,
    secretSealed: row.secret_sealed as string,
    previousSecretSealed: (row.previous_secret_sealed as string | null) ?? null,
    previousSecretExpiresAt: previousExpiresAt ? new Date(previousExpiresAt) : null,
    endpointActive: row.endpoint_active as boolean,
    jobId: row.job_id as string,
    claimedAt: new Date(row.attempt_started_at as Date | string),
  };
}

/**
 * Claims many deliveries in one statement; the answer lines up with `requests`. Each request is
 * claimed under the same guards as alone (its job still owns the delivery, it is pending, no live
 * attempt). The same (delivery, job) asked twice in one batch is claimed once: the first
 * request gets it, the others get undefined, as the loser of two concurrent claims would.
 */
export async function claimDeliveries(db: Db, requests: readonly ClaimRequest[], attemptStaleMs: number): Promise<(ClaimedDelivery | undefined)[]> {
  if (requests.length === 0) return [];
  const result = await clientOf(db).query<Record<string, unknown>>({
    name: 'dispatch_claim_deliveries',
    text: CLAIM_DELIVERIES,
    values: [requests.map((r) => r.deliveryId), requests.map((r) => r.jobId), attemptStaleMs / 1000, CLAIM_EARLY_ALLOWANCE_MS / 1000],
  });
  const byKey = new Map<string, Record<string, unknown>>();
  for (const row of result.rows) byKey.set(`${row.id as string}\n${row.job_id as string}`, row);
  return requests.map((request) => {
    const key = `${request.deliveryId}\n${request.jobId}`;
    const row = byKey.get(key);
    if (!row) return undefined;
    byKey.delete(key);
    return toClaimed(row);
  });
}

/**
 * Why a job could not claim its delivery, when the answer is "not yet": the delivery is still its
 * job's and pending, but due only in `dueInMs` (counted by Postgres's clock). Asked only after a
 * claim came back empty, which is rare, so the claim itself stays one statement.
 */
export async function findEarlyClaim(db: Db, request: ClaimRequest): Promise<{ dueInMs: number } | undefined> {
  const result = await clientOf(db).query<{ due_in_ms: number }>({
    name: 'dispatch_find_early_claim',
    text: `
      SELECT ceil(extract(epoch FROM next_attempt_at - now()) * 1000)::float8 AS due_in_ms FROM deliveries
      WHERE id = $1 AND job_id = $2 AND status = 'pending' AND next_attempt_at > now() + make_interval(secs => $3::float8)`,
    values: [request.deliveryId, request.jobId, CLAIM_EARLY_ALLOWANCE_MS / 1000],
  });
  const row = result.rows[0];
  return row ? { dueInMs: Number(row.due_in_ms) } : undefined;
}

/** One attempt to record, and the state its delivery moves to. */
export interface AttemptRecord {
  id: string;
  deliveryId: string;
  trigger: AttemptTrigger;
  requestHeaders: Record<string, string>;
  statusCode: number | null;
  responseHeaders: Record<string, string | string[]> | null;
  responseBody: string | null;
  responseBodyTruncated: boolean;
  responseBodySize: number | null;
  responseTimeMs: number;
  timings: AttemptTimings | null;
  error: string | null;
  attemptedAt: Date;
  /** The delivery's new status; `pending` means a retry is scheduled `retryDelayMs` after the record. */
  status: DeliveryStatus;
  /**
   * Counted from the record's own time in Postgres, so the row's due time and the job's backoff
   * (which starts once the record has committed) count from the same moment whatever the hosts' clocks.
   */
  retryDelayMs: number | null;
  /** Set when this attempt ends the endpoint's run of failures (a success that is not a test). */
  healthyEndpointId: string | null;
  /** The claim this attempt was made under (ClaimedDelivery's `jobId` and `claimedAt`). */
  jobId: string;
  claimedAt: Date;
}

// The delivery's update: the job's next run, if any, is a scheduled retry whatever started it; a
// finished delivery no longer waits for a replay, unless that replay's attempt runs beside the
// schedule (an operator's attempt, manual-attempts.queries.ts), which counts it when it is made.
//
// The attempt's number is given here, from the row: operator's attempts of the same delivery are
// recorded beside the schedule's, and both kinds count up one sequence (attempt_count +
// manual_attempt_count), so each record, serialised by the row's lock, takes the next free number.
//
// Only the run that still owns the delivery records: same job id and the same attempt start as it
// claimed, the delivery still pending. A run that lost its claim (it stalled past the attempt's
// abandonment and another run claimed the delivery, or a redelivery took it over) writes nothing at
// all, not its attempt, not the delivery's state, not the endpoint's health, and its id is missing
// from the answer. The UPDATE re-checks its condition on the newest row version when another record
// committed meanwhile, so of two racing records of one delivery at most one passes. The attempt is
// inserted from what the UPDATE returned, so it exists only where the delivery was updated.
//
// The endpoint rows to reset are locked in id order, so two batches resetting the same endpoints
// cannot deadlock; an endpoint without a run of failures (the usual case) is neither locked nor written.
const RECORD_ATTEMPTS = `
  WITH u AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::int[], $6::jsonb[], $7::text[],
                         $8::bool[], $9::int[], $10::int[], $11::jsonb[], $12::text[], $13::timestamptz[], $14::text[], $15::int[],
                         $16::text[], $17::timestamptz[], $18::text[])
      AS u(id, delivery_id, trigger, request_headers, status_code, response_headers, response_body,
           response_body_truncated, response_body_size, response_time_ms, timings, error, attempted_at, status, retry_delay_ms,
           job_id, claimed_at, healthy_endpoint_id)
  ), finished AS (
    UPDATE deliveries d SET
      status = u.status,
      next_attempt_at = now() + u.retry_delay_ms * interval '1 millisecond',
      attempt_count = d.attempt_count + 1,
      last_attempt_id = u.id,
      attempt_started_at = NULL,
      job_trigger = CASE WHEN u.status = 'pending' THEN 'retry' ELSE d.job_trigger END,
      replay_id = CASE WHEN u.status = 'pending' OR d.manual_job_id IS NOT NULL THEN d.replay_id ELSE NULL END,
      updated_at = now()
    FROM u
    WHERE d.id = ANY($2::text[]) AND d.id = u.delivery_id
      AND d.job_id = u.job_id AND d.attempt_started_at = u.claimed_at AND (d.status = 'pending') IS TRUE
    RETURNING u.id, d.attempt_count + d.manual_attempt_count AS attempt_no, ${statsEndpointOf('d')} AS stats_endpoint_id
  ), inserted AS (
    INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, status_code, response_headers, response_body,
                          response_body_truncated, response_body_size, response_time_ms, timings, error, attempted_at, stats_endpoint_id)
    SELECT u.id, u.delivery_id, f.attempt_no, u.trigger, u.request_headers, u.status_code, u.response_headers, u.response_body,
           u.response_body_truncated, u.response_body_size, u.response_time_ms, u.timings, u.error, u.attempted_at, f.stats_endpoint_id
    FROM u JOIN finished f ON f.id = u.id
  ), failing AS (
    SELECT id FROM endpoints
    WHERE id = ANY($19::text[]) AND (consecutive_failures <> 0 OR failing_since IS NOT NULL)
      AND id IN (SELECT u.healthy_endpoint_id FROM u JOIN finished f ON f.id = u.id)
    ORDER BY id
    FOR UPDATE
  ), healthy AS (
    UPDATE endpoints e SET consecutive_failures = 0, failing_since = NULL
    FROM failing f
    WHERE e.id = f.id
  )
  SELECT id, attempt_no FROM finished`;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * Records attempts, their deliveries' new state and the endpoints they proved healthy, in one
 * statement (one commit unless `db` is a transaction). All or nothing: a failing row fails the batch.
 * Answers, per record, whether it was recorded: false when its run no longer owned the delivery
 * (see RECORD_ATTEMPTS), in which case nothing of it was written.
 */
export async function recordAttempts(db: Db, records: readonly AttemptRecord[]): Promise<boolean[]> {
  return (await recordNumberedAttempts(db, records)).map((attemptNo) => attemptNo !== null);
}

/** As recordAttempts, answering each recorded attempt's number (null: not recorded). */
export async function recordNumberedAttempts(db: Db, records: readonly AttemptRecord[]): Promise<(number | null)[]> {
  if (records.length === 0) return [];
  const column = <T>(pick: (r: AttemptRecord) => T) => records.map(pick);
  const healthy = [...new Set(records.map((r) => r.healthyEndpointId).filter((id): id is string => id !== null))];
  const result = await clientOf(db).query<{ id: string; attempt_no: number }>({
    name: 'dispatch_record_attempts',
    text: RECORD_ATTEMPTS,
    values: [
      column((r) => r.id),
      column((r) => r.deliveryId),
      column((r) => r.trigger),
      column((r) => JSON.stringify(r.requestHeaders)),
      column((r) => r.statusCode),
      column((r) => json(r.responseHeaders)),
      column((r) => r.responseBody),
      column((r) => r.responseBodyTruncated),
      column((r) => r.responseBodySize),
      column((r) => r.responseTimeMs),
      column((r) => json(r.timings)),
      column((r) => r.error),
      column((r) => r.attemptedAt),
      column((r) => r.status),
      column((r) => (r.status === 'pending' ? r.retryDelayMs : null)),
      column((r) => r.jobId),
      column((r) => r.claimedAt),
      column((r) => r.healthyEndpointId),
      healthy,
    ],
  });
  const numbers = new Map(result.rows.map((row) => [row.id, Number(row.attempt_no)]));
  return records.map((r) => numbers.get(r.id) ?? null);
}
