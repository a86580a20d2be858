import type { Db } from '../client.js';
import { clientOf } from './named-statements.js';

// An endpoint's health from its history: attempts in a window (tests left out), their latency, and
// the deliveries still waiting. Both read an index range of the endpoint's own rows (migration 0011),
// so their cost follows the window's attempts and the backlog, not the history's size.

export interface AttemptWindowStats {
  attempts: number;
  successes: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
}

export interface HealthWindow {
  windowMs: number;
  /** How far back the last success and the last failure are looked for (at least the window). */
  lookbackMs: number;
}

/**
 * The endpoint an attempt of delivery `alias` counts towards (attempts.stats_endpoint_id), written
 * when the attempt is recorded: its endpoint, or null for a test delivery (health leaves tests out).
 */
export const statsEndpointOf = (alias: string) => `CASE WHEN ${alias}.test THEN NULL ELSE ${alias}.endpoint_id END`;

// Per endpoint: the window's attempts, counted from attempts_stats_endpoint_idx alone (it includes
// status_code and response_time_ms); and its last success and last failure within the lookback, each
// the first match of a backward scan of the same index, which stops there rather than reading the
// lookback's every attempt. Endpoints without an attempt in the lookback return no row.
const SUCCESS = 'status_code BETWEEN 200 AND 299';
const STATS_BY_ENDPOINT = `
  SELECT e.id AS endpoint_id, w.attempts, w.successes, w.latency, ok.at AS last_success_at, failed.at AS last_failure_at
  FROM unnest($1::text[]) AS e(id)
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS attempts, count(*) FILTER (WHERE ${SUCCESS})::int AS successes,
      percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY response_time_ms) AS latency
    FROM attempts
    WHERE stats_endpoint_id = e.id AND attempted_at >= now() - make_interval(secs => $3::float8)
  ) w
  LEFT JOIN LATERAL (
    SELECT attempted_at AS at FROM attempts
    WHERE stats_endpoint_id = e.id AND attempted_at >= now() - make_interval(secs => $2::float8) AND ${SUCCESS}
    ORDER BY attempted_at DESC LIMIT 1
  ) ok ON true
  LEFT JOIN LATERAL (
    SELECT attempted_at AS at FROM attempts
    WHERE stats_endpoint_id = e.id AND attempted_at >= now() - make_interval(secs => $2::float8)
      AND (status_code IS NULL OR NOT (${SUCCESS}))
    ORDER BY attempted_at DESC LIMIT 1
  ) failed ON true
  WHERE w.attempts > 0 OR ok.at IS NOT NULL OR failed.at IS NOT NULL`;

/** Attempt figures of each endpoint over the window (one statement for all of them). */
export async function attemptStatsByEndpoint(db: Db, endpointIds: readonly string[], window: HealthWindow): Promise<Map<string, AttemptWindowStats>> {
  const stats = new Map<string, AttemptWindowStats>();
  if (endpointIds.length === 0) return stats;
  const result = await clientOf(db).query<Record<string, unknown>>({
    text: STATS_BY_ENDPOINT,
    values: [[...endpointIds], window.lookbackMs / 1000, window.windowMs / 1000],
  });
  for (const row of result.rows) {
    const latency = (row.latency as (number | string | null)[] | null) ?? [];
    const ms = (value: number | string | null | undefined) => (value === null || value === undefined ? null : Math.round(Number(value)));
    stats.set(row.endpoint_id as string, {
      attempts: row.attempts as number,
      successes: row.successes as number,
      p50: ms(latency[0]),
      p95: ms(latency[1]),
      p99: ms(latency[2]),
      lastSuccessAt: (row.last_success_at as Date | null) ?? null,
      lastFailureAt: (row.last_failure_at as Date | null) ?? null,
    });
  }
  return stats;
}

export interface WaitingDeliveries {
  pending: number;
  /** Of those, the ones whose last attempt failed (shown as `failing`). */
  failing: number;
}

// A pending delivery the schedule has attempted is failing: a scheduled attempt that succeeds ends the
// delivery, and so does an operator's, so its last attempt failed. Counting on that, rather than joining
// each pending delivery to its last attempt, keeps this an index range per endpoint however large a
// backlog is (a Redis loss leaves thousands pending per endpoint; bench/RESULTS.md, "History at scale").
const WAITING_BY_ENDPOINT = `
  SELECT endpoint_id, count(*)::int AS pending, count(*) FILTER (WHERE attempt_count > 0)::int AS failing
  FROM deliveries
  WHERE endpoint_id = ANY($1::text[]) AND status = 'pending' AND NOT test
  GROUP BY endpoint_id`;

/** Deliveries still waiting for a successful attempt, per endpoint. */
export async function waitingDeliveriesByEndpoint(db: Db, endpointIds: readonly string[]): Promise<Map<string, WaitingDeliveries>> {
  const waiting = new Map<string, WaitingDeliveries>();
  if (endpointIds.length === 0) return waiting;
  const result = await clientOf(db).query<{ endpoint_id: string; pending: number; failing: number }>({ text: WAITING_BY_ENDPOINT, values: [[...endpointIds]] });
  for (const row of result.rows) waiting.set(row.endpoint_id, { pending: row.pending, failing: row.failing });
  return waiting;
}
