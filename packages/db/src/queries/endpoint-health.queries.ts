import { idBoundsAt } from '@dispatch/core';
import type { Db } from '../client.js';
import { clientOf } from './named-statements.js';

// An endpoint's health from its history: attempts in a window (tests left out), their latency, and
// the deliveries still waiting. Attempts have no endpoint column, so they are reached through the
// endpoint's deliveries; those are bounded by id (ids start with their creation time) to the ones
// created since `lookbackMs` ago, which must reach back over the retry schedule so that a retry made
// in the window of a delivery created before it is still counted.

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
  lookbackMs: number;
}

// Attempts are partitioned by their id's day (schema/deliveries.ts), and a delivery's attempts are
// reached by delivery_id, which every partition has to be asked for. A delivery made since the
// lookback was attempted after it, so its attempts' ids are no older either: the bound on a.id leaves
// the older days' partitions out of the plan. The slack covers a worker whose clock is behind the
// API's (which made the delivery's id).
const CLOCK_SLACK_MS = 10 * 60_000;

const STATS_BY_ENDPOINT = `
  SELECT d.endpoint_id,
    count(*) FILTER (WHERE a.attempted_at >= now() - make_interval(secs => $3::float8))::int AS attempts,
    count(*) FILTER (WHERE a.attempted_at >= now() - make_interval(secs => $3::float8) AND a.status_code BETWEEN 200 AND 299)::int AS successes,
    percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY a.response_time_ms)
      FILTER (WHERE a.attempted_at >= now() - make_interval(secs => $3::float8)) AS latency,
    max(a.attempted_at) FILTER (WHERE a.status_code BETWEEN 200 AND 299) AS last_success_at,
    max(a.attempted_at) FILTER (WHERE a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299) AS last_failure_at
  FROM deliveries d
  JOIN attempts a ON a.delivery_id = d.id AND a.id >= $4
  WHERE d.endpoint_id = ANY($1::text[]) AND d.id >= $2 AND NOT d.test
  GROUP BY d.endpoint_id`;

/** Attempt figures of each endpoint over the window (one statement for all of them). */
export async function attemptStatsByEndpoint(db: Db, endpointIds: readonly string[], window: HealthWindow): Promise<Map<string, AttemptWindowStats>> {
  const stats = new Map<string, AttemptWindowStats>();
  if (endpointIds.length === 0) return stats;
  const result = await clientOf(db).query<Record<string, unknown>>({
    text: STATS_BY_ENDPOINT,
    values: [
      [...endpointIds],
      idBoundsAt('delivery', Date.now() - window.lookbackMs).lowest,
      window.windowMs / 1000,
      idBoundsAt('attempt', Date.now() - window.lookbackMs - CLOCK_SLACK_MS).lowest,
    ],
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

const WAITING_BY_ENDPOINT = `
  SELECT d.endpoint_id,
    count(*)::int AS pending,
    count(*) FILTER (WHERE d.attempt_count > 0 AND (a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299))::int AS failing
  FROM deliveries d
  LEFT JOIN attempts a ON a.id = d.last_attempt_id
  WHERE d.endpoint_id = ANY($1::text[]) AND d.status = 'pending' AND NOT d.test
  GROUP BY d.endpoint_id`;

/** Deliveries still waiting for a successful attempt, per endpoint. */
export async function waitingDeliveriesByEndpoint(db: Db, endpointIds: readonly string[]): Promise<Map<string, WaitingDeliveries>> {
  const waiting = new Map<string, WaitingDeliveries>();
  if (endpointIds.length === 0) return waiting;
  const result = await clientOf(db).query<{ endpoint_id: string; pending: number; failing: number }>({ text: WAITING_BY_ENDPOINT, values: [[...endpointIds]] });
  for (const row of result.rows) waiting.set(row.endpoint_id, { pending: row.pending, failing: row.failing });
  return waiting;
}
